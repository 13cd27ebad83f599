"""``/desk/cases/``: the clearance cases, opening one, and a case's page with its
materials, timeline, time limits, statement, payments and the actions its state allows.

Every write calls the service the API calls, with the same arguments; a refusal shows the
service's own message. Reads go through ``shebao.clearance.selectors``.
"""

import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from shebao.accounts import domain as roles
from shebao.clearance import domain, selectors, services
from shebao.clearance import pdfs as clearance_pdfs
from shebao.clearance.selectors import desk as desk_selectors
from shebao.core import clock
from shebao.core.errors import NotFound, ShebaoError
from shebao.core.ids import mask_account, mask_citizen_id
from shebao.registry import services as registry_services
from shebao.web.access import role_required, staff_required
from shebao.web.desk.cases import names
from shebao.web.desk.cases.forms import (
    CaseFilterForm,
    CaseOpenForm,
    PayeeForm,
    UploadForm,
    place_refusal,
    store_posted_material,
)

PAGE_SIZE = 25
# Staff who may open a case (the public open theirs elsewhere).
OPENERS = roles.PERMISSIONS["clearance.create"] & roles.STAFF_ROLES


def _may(user, permission: str) -> bool:
    return user.role in roles.PERMISSIONS[permission]


def _case_or_404(user, case_id):
    try:
        return selectors.case_get(user=user, case_id=case_id)
    except NotFound:
        raise Http404 from None


# The list ------------------------------------------------------------------------------


@staff_required
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = clock.today()
    cases = desk_selectors.case_page_query(
        user=request.user,
        status=filters.get("status", ""),
        reason=filters.get("reason", ""),
        subject_type=filters.get("subject_type", ""),
        overdue=bool(filters.get("overdue")),
        search=filters.get("q", ""),
        sort=filters.get("sort") or "opened",
        today=today,
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "title": _("Clearance cases"),
        "form": form,
        "page": page,
        "rows": desk_selectors.case_rows(page.object_list, today),
        "query": query.urlencode(),
        "may_open": request.user.role in OPENERS,
    }
    if request.htmx:
        return render(request, "web/desk/cases/list.html#results", context)
    return render(request, "web/desk/cases/list.html", context)


# Opening a case ------------------------------------------------------------------------


@role_required(OPENERS)
def reason_info(request):
    """The chosen reason's conditions, disposition, basis and materials (an htmx answer)."""
    info = desk_selectors.reason_info(request.GET.get("reason", ""))
    return render(request, "web/desk/cases/new.html#reason-info", {"info": info})


def _subject(request, form) -> tuple[str, object | None]:
    reason = form.cleaned_data["reason"]
    info = desk_selectors.reason_info(reason)
    subject_type = info.subject if info is not None else "person"
    subject = None
    if form.cleaned_data.get("identifier"):
        subject = desk_selectors.subject_by_identifier(
            user=request.user,
            subject_type=subject_type,
            identifier=form.cleaned_data["identifier"],
        )
        if subject is None:
            form.add_error(
                "identifier",
                _("No unit has this credit code.")
                if subject_type == "unit"
                else _("No person has this ID or passport number."),
            )
    elif form.cleaned_data.get("subject"):
        # Chosen on a person's or a unit's page: "person:12", "unit:3".
        preset_type, _sep, pk = form.cleaned_data["subject"].partition(":")
        if preset_type != subject_type:
            form.add_error(
                "reason",
                _("This reason is for a unit.")
                if subject_type == "unit"
                else _("This reason is for a person."),
            )
        else:
            subject = desk_selectors.subject_by_pk(
                user=request.user, subject_type=subject_type, pk=pk
            )
    if subject is None and not form.errors:
        form.add_error(
            "identifier", _("Give the ID number of the person or the unit's credit code.")
        )
    return subject_type, subject


def _successor_id(request, form):
    code = form.cleaned_data.get("successor_code")
    if not code:
        return None
    unit = desk_selectors.subject_by_identifier(
        user=request.user, subject_type="unit", identifier=code
    )
    if unit is None:
        form.add_error("successor_code", _("No unit has this credit code."))
        return None
    return unit.pk


@role_required(OPENERS)
def case_new(request):
    # Opened from a person's or a unit's page (?person=12, ?unit=3): the subject is known,
    # its number stays masked.
    initial = {}
    preset = None
    source = request.POST.get("subject", "") if request.method == "POST" else ""
    for subject_type in ("person", "unit"):
        pk = request.GET.get(subject_type)
        if source.startswith(f"{subject_type}:"):
            pk = source.partition(":")[2]
        if pk:
            preset = desk_selectors.subject_by_pk(
                user=request.user, subject_type=subject_type, pk=pk
            )
            if preset is not None:
                initial = {"subject": f"{subject_type}:{preset.pk}"}
                break
    if request.GET.get("reason"):
        # A link to the form for one reason opens with that reason chosen.
        initial["reason"] = request.GET["reason"]
    form = CaseOpenForm(request.POST or None, initial=initial)
    form.fields["reason"].widget.attrs["hx-get"] = reverse("web:desk-case-reason")
    info = None
    if request.method == "POST":
        info = desk_selectors.reason_info(request.POST.get("reason", ""))
        if "show_reason" not in request.POST and form.is_valid():
            subject_type, subject = _subject(request, form)
            successor = _successor_id(request, form)
            if not form.errors:
                heirs = form.heirs()
                try:
                    case = services.case_create(
                        actor=request.user,
                        subject_type=subject_type,
                        subject_id=subject.pk,
                        reason=form.cleaned_data["reason"],
                        event_date=form.cleaned_data["event_date"],
                        payee=form.payee(),
                        heirs=heirs,
                        destination_region=form.cleaned_data.get("destination_region") or None,
                        successor_unit_id=successor,
                        acknowledged=form.cleaned_data.get("acknowledged", False),
                    )
                except ShebaoError as exc:
                    place_refusal(form, exc, form.heir_numbers)
                else:
                    messages.success(
                        request, _("Case %(id)d is opened as a draft.") % {"id": case.pk}
                    )
                    return redirect("web:desk-case", case_id=case.pk)
    elif request.GET.get("reason"):
        info = desk_selectors.reason_info(request.GET["reason"])
    return render(
        request,
        "web/desk/cases/new.html",
        {
            "title": _("Open a clearance case"),
            "form": form,
            "info": info,
            "preset": preset,
            "preset_identifier": _masked_identifier(preset) if preset is not None else "",
        },
    )


# One case ------------------------------------------------------------------------------


def _actions(user, case) -> list[dict]:
    """The steps this user may take on the case now: the role's permission and the
    case's state both allow each."""
    bankrupt = selectors.is_bankruptcy(case)
    actions = []
    for action in domain.allowed_actions(case.status):
        if not _may(user, domain.ACTION_PERMISSION[action]):
            continue
        if bankrupt and action in (domain.LIQUIDATE, domain.DISBURSE, domain.CLOSE):
            continue  # a bankruptcy moves by the court's rulings (the API records them)
        name, confirm = names.ACTION_NAMES[action]
        item = {"code": action, "name": name, "confirm": confirm}
        if action == domain.RETURN:
            item["reasons"] = "required"
            item["supplement"] = [(i.code, str(i.names)) for i in selectors.checklist(case)]
        elif action == domain.REJECT:
            item["reasons"] = "required"
        elif action == domain.APPROVE:
            item["reasons"] = "optional"
            item["warnings"] = [
                {"id": w["id"], "message": w["message"]} for w in selectors.payee_warnings(case)
            ]
        elif action == domain.ACCEPT:
            item["warnings"] = [
                {"id": w.id, "message": str(w.message)} for w in selectors.acceptance_warnings(case)
            ]
        elif action == domain.DISBURSE:
            item["key"] = uuid.uuid4().hex
        actions.append(item)
    if bankrupt:
        actions += _bankruptcy_actions(user, case)
    return actions


def _bankruptcy_actions(user, case) -> list[dict]:
    """A bankrupt unit's case moves by the court's acts: the claim filed (in place of the
    liquidation), the distribution (of the payments), the termination ruling (of closing)."""
    date = {"type": "date"}
    steps = [
        (
            "bankruptcy-claim",
            domain.LIQUIDATE,
            _("File the claim in the bankruptcy"),
            _("File the claim"),
            [
                {
                    "name": "petition_accepted_on",
                    "label": _("Petition accepted by the court on"),
                    **date,
                }
            ],
        ),
        (
            "bankruptcy-distribution",
            domain.DISBURSE,
            _("Record the court's distribution"),
            _("Record the distribution"),
            [
                {"name": "received_amount", "label": _("Amount received (yuan)"), "type": "text"},
                {"name": "ruling_no", "label": _("Ruling number"), "type": "text"},
                {"name": "ruling_on", "label": _("Ruling date"), **date},
            ],
        ),
        (
            "termination-ruling",
            domain.CLOSE,
            _("Record the ruling that ends the bankruptcy"),
            _("Record the ruling and close the case"),
            [
                {"name": "ruling_no", "label": _("Ruling number"), "type": "text"},
                {"name": "ruling_on", "label": _("Ruling date"), **date},
            ],
        ),
    ]
    allowed = domain.allowed_actions(case.status)
    return [
        {"code": code, "name": name, "confirm": confirm, "inputs": inputs}
        for code, step, name, confirm, inputs in steps
        if step in allowed and _may(user, domain.ACTION_PERMISSION[step])
    ]


# While staff may still correct the payees (``case_payees_set``).
PAYEE_STATUSES = domain.EDITABLE_STATUSES | {
    domain.SUBMITTED,
    domain.ACCEPTED,
    domain.APPROVED,
    domain.LIQUIDATED,
}


def _identifier(case) -> str:
    if case.subject_type == "unit":
        return case.unit.uscc
    return case.person.citizen_id or case.person.passport_no or ""


def _masked_identifier(subject) -> str:
    number = getattr(subject, "uscc", None) or subject.citizen_id or subject.passport_no or ""
    return mask_citizen_id(number)


def _detail_context(request, case, **extra) -> dict:
    user = request.user
    today = clock.today()
    reason = selectors.reason_of(case)
    statement = selectors.latest_statement(case)
    current = selectors.current_statement(case)
    payees = selectors.current_payees(case)
    editable = case.status in domain.EDITABLE_STATUSES
    history = desk_selectors.material_history(case)
    uploadable = [(row["code"], row["name"]) for row in history if not row["checked_by_agency"]]
    allocations = []
    if case.payee_kind == "heirs" and statement is not None:
        allocations = selectors.heir_allocations(case, list(statement.lines.all()))
    events = [
        {
            "event": event,
            "name": names.event_name(event.action),
            "from": names.status_name(event.from_status),
            "to": names.status_name(event.to_status),
            "role": (
                roles.role_name(event.actor_role) if event.actor_role in roles.ROLE_NAMES else ""
            ),
        }
        for event in desk_selectors.case_events(case)
    ]
    deadlines = [
        {**row, "state": names.DEADLINE_STATES.get(row["status"], "")}
        for row in desk_selectors.case_deadlines(case, today)
    ]
    actions = _actions(user, case)
    posted = extra.get("posted")
    if posted is not None:  # a refused step: its box shows what was typed
        for item in actions:
            for field in item.get("inputs", []):
                field["value"] = posted.get(field["name"], "")
    acknowledge = (
        reason.needs_acknowledgement
        and case.acknowledged_at is None
        and editable
        and _may(user, "clearance.edit")
    )
    return {
        "title": _("Case %(id)d") % {"id": case.pk},
        "case": case,
        "subject": selectors.subject_of(case),
        "subject_kind": names.SUBJECTS.get(case.subject_type, ""),
        "identifier": mask_citizen_id(_identifier(case)),
        "may_reveal": case.subject_type == "person" and _may(user, "person.reveal_id"),
        "status_name": names.status_name(case.status),
        "reason": reason,
        "basis": [str(c) for c in reason.basis],
        "history": history,
        "missing": selectors.material_names(case, selectors.missing_materials(case)),
        "unverified": selectors.material_names(case, selectors.unverified_materials(case)),
        "upload_form": (
            UploadForm(kinds=uploadable) if editable and _may(user, "clearance.edit") else None
        ),
        "may_verify": case.status in services.VERIFY_STATUSES
        and _may(user, "clearance.verify_material"),
        "acknowledge": acknowledge,
        "events": events,
        "deadlines": deadlines,
        "statement": desk_selectors.statement_view(statement),
        "statement_current": current is not None,
        "payees": [
            {
                "payee": p,
                "kind": p.get_kind_display(),
                "citizen_id": mask_citizen_id(p.citizen_id) if p.citizen_id else "",
                "bank_account": mask_account(p.bank_account) if p.bank_account else "",
            }
            for p in payees
        ],
        "allocations": allocations,
        "orders": [
            {
                "order": o,
                "bank_account": mask_account(o.bank_account) if o.bank_account else "",
            }
            for o in desk_selectors.case_orders(case)
        ],
        "actions": actions,
        "payee_form": (
            extra.pop("payee_form", None) or PayeeForm()
            if case.status in PAYEE_STATUSES and _may(user, "clearance.edit")
            else None
        ),
        "may_payments": _may(user, "clearance.order_manage"),
        **extra,
    }


@staff_required
def case_detail(request, case_id):
    case = _case_or_404(request.user, case_id)
    return render(request, "web/desk/cases/detail.html", _detail_context(request, case))


@staff_required
@require_POST
def case_reveal(request, case_id):
    """The subject's full ID number, shown once on this answer; the reveal is audited."""
    case = _case_or_404(request.user, case_id)
    if case.subject_type != "person" or not _may(request.user, "person.reveal_id"):
        raise Http404
    number = registry_services.person_id_reveal(actor=request.user, person_id=case.person_id)
    context = _detail_context(request, case, identifier=number, revealed=True)
    return render(request, "web/desk/cases/detail.html", context)


def _run(request, case, action: str):
    """Call the service of ``action`` as the API does; None if the action is unknown."""
    post = request.POST
    user = request.user
    reasons = post.get("reasons", "")
    calls = {
        domain.SUBMIT: lambda: services.case_submit(actor=user, case_id=case.pk),
        domain.ACCEPT: lambda: services.case_accept(
            actor=user, case_id=case.pk, acknowledge_warnings=post.getlist("acknowledge_warnings")
        ),
        domain.RETURN: lambda: services.case_return(
            actor=user, case_id=case.pk, reasons=reasons, supplement=post.getlist("supplement")
        ),
        domain.APPROVE: lambda: services.case_approve(
            actor=user,
            case_id=case.pk,
            reasons=reasons,
            acknowledge_warnings=post.getlist("acknowledge_warnings"),
        ),
        domain.REJECT: lambda: services.case_reject(actor=user, case_id=case.pk, reasons=reasons),
        domain.LIQUIDATE: lambda: services.case_liquidate(actor=user, case_id=case.pk),
        domain.DISBURSE: lambda: services.case_disburse(
            actor=user, case_id=case.pk, idempotency_key=post.get("key") or None
        ),
        domain.CLOSE: lambda: services.case_close(actor=user, case_id=case.pk),
        "acknowledge": lambda: services.case_acknowledge(actor=user, case_id=case.pk),
        "verify": lambda: services.material_verify(
            actor=user, case_id=case.pk, kind=post.get("kind", ""), note=post.get("note", "")
        ),
        "bankruptcy-claim": lambda: services.case_bankruptcy_claim(
            actor=user, case_id=case.pk, petition_accepted_on=post.get("petition_accepted_on")
        ),
        "bankruptcy-distribution": lambda: services.case_bankruptcy_distribution(
            actor=user,
            case_id=case.pk,
            received_amount=post.get("received_amount"),
            ruling_no=post.get("ruling_no"),
            ruling_on=post.get("ruling_on"),
        ),
        "termination-ruling": lambda: services.case_termination_ruling(
            actor=user,
            case_id=case.pk,
            ruling_no=post.get("ruling_no"),
            ruling_on=post.get("ruling_on"),
        ),
    }
    return calls.get(action)


# The fields people type into, by the service's name: only these are named in a refusal
# (the others name records by their codes).
TYPED_FIELDS = {
    "reasons": _lazy("Reasons"),
    "note": _lazy("What was checked"),
    "petition_accepted_on": _lazy("Petition accepted by the court on"),
    "received_amount": _lazy("Amount received (yuan)"),
    "ruling_no": _lazy("Ruling number"),
    "ruling_on": _lazy("Ruling date"),
}


@staff_required
@require_POST
def case_action(request, case_id, action):
    case = _case_or_404(request.user, case_id)
    call = _run(request, case, action)
    if call is None:
        raise Http404
    try:
        call()
    except ShebaoError as exc:
        failure = {"action": action, "message": str(exc.message)}
        # Only the fields people typed into: the others name records by their codes.
        failure["fields"] = [
            f"{TYPED_FIELDS[name]}: {why}"
            for name, why in exc.fields.items()
            if name in TYPED_FIELDS and str(why) not in failure["message"]
        ]
        case = selectors.case_reloaded(case)
        context = _detail_context(
            request,
            case,
            failure=failure,
            posted=request.POST,
            failed_kind=request.POST.get("kind"),
        )
        return render(request, "web/desk/cases/detail.html", context, status=409)
    case = selectors.case_reloaded(case)
    messages.success(
        request,
        _("Done. The case is now: %(status)s.") % {"status": names.status_name(case.status)},
    )
    return redirect("web:desk-case", case_id=case.pk)


@role_required(roles.PERMISSIONS["clearance.edit"] & roles.STAFF_ROLES)
@require_POST
def case_payees(request, case_id):
    """Correct the payee or the heirs (``case_payees_set``: the old entries stay; after the
    audit the case goes back to it)."""
    case = _case_or_404(request.user, case_id)
    form = PayeeForm(request.POST)
    if form.is_valid():
        try:
            services.case_payees_set(
                actor=request.user, case_id=case.pk, payee=form.payee(), heirs=form.heirs()
            )
        except ShebaoError as exc:
            place_refusal(form, exc, form.heir_numbers)
        else:
            case = selectors.case_reloaded(case)
            messages.success(
                request,
                _("The payees are corrected. The case is now: %(status)s.")
                % {"status": names.status_name(case.status)},
            )
            return redirect(reverse("web:desk-case", args=[case.pk]) + "#payees-title")
    context = _detail_context(request, case, payee_form=form)
    return render(request, "web/desk/cases/detail.html", context, status=422)


@role_required(roles.PERMISSIONS["clearance.edit"] & roles.STAFF_ROLES)
@require_POST
def material_upload(request, case_id):
    case = _case_or_404(request.user, case_id)
    form = store_posted_material(request, case)
    if form is None:
        return redirect(reverse("web:desk-case", args=[case.pk]) + "#materials")
    context = _detail_context(request, case, upload_form=form)
    return render(request, "web/desk/cases/detail.html", context, status=422)


@staff_required
def material_page(request, case_id, material_id):
    """One material shown inline (a PDF in a frame, an image as it is) with its details."""
    case = _case_or_404(request.user, case_id)
    material = desk_selectors.material_get(case, material_id)
    if material is None:
        raise Http404
    history = desk_selectors.material_history(case)
    name = next((row["name"] for row in history if row["code"] == material.kind), _("Material"))
    return render(
        request,
        "web/desk/cases/material.html",
        {
            "title": name,
            "case": case,
            "material": material,
            "name": name,
            "is_pdf": material.content_type == "application/pdf",
            "file_url": reverse("web:desk-case-material-file", args=[case.pk, material.pk]),
        },
    )


# A stored file may be framed by this site's pages (the PDF viewer needs its plugin).
MATERIAL_CSP = {"frame-ancestors": ["'self'"], "object-src": ["'self'"]}


@staff_required
def material_file(request, case_id, material_id):
    """The stored file with its content type, for staff only; each view is audited."""
    try:
        material, data = services.material_open(
            actor=request.user, case_id=case_id, material_id=material_id
        )
    except NotFound:
        raise Http404 from None
    response = HttpResponse(data, content_type=material.content_type)
    extension = material.storage_name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f'inline; filename="material-{material.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    # Shown in a frame of the desk's own material page, never of another site's
    # (django-csp reads this attribute as its csp_replace decorator sets it).
    response["X-Frame-Options"] = "SAMEORIGIN"
    response._csp_replace = MATERIAL_CSP
    return response


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def statement_pdf(request, case_id):
    case = _case_or_404(request.user, case_id)
    if selectors.current_statement(case) is None:
        raise Http404
    return _pdf(clearance_pdfs.statement_pdf(case), f"clearance-{case.pk}-statement.pdf")


@staff_required
def certificate_pdf(request, case_id):
    case = _case_or_404(request.user, case_id)
    if case.certificate is None:
        raise Http404
    verify_url = request.build_absolute_uri(
        f"/api/v1/certificates/{case.certificate.verification_code}"
    )
    return _pdf(
        clearance_pdfs.certificate_pdf(case, verify_url=verify_url),
        f"certificate-{case.certificate.number}.pdf",
    )

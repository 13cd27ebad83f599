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
from shebao.web.desk.cases.forms import CaseFilterForm, CaseOpenForm, UploadForm, place_refusal

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
    elif form.cleaned_data.get("subject_id"):
        subject = desk_selectors.subject_by_pk(
            user=request.user, subject_type=subject_type, pk=form.cleaned_data["subject_id"]
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
    initial = {}
    preset = None
    for subject_type in ("person", "unit"):
        if request.GET.get(subject_type):
            preset = desk_selectors.subject_by_pk(
                user=request.user, subject_type=subject_type, pk=request.GET[subject_type]
            )
            if preset is not None:
                initial = {
                    "subject_id": preset.pk,
                    "identifier": getattr(preset, "uscc", None)
                    or preset.citizen_id
                    or preset.passport_no,
                }
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
        {"title": _("Open a clearance case"), "form": form, "info": info, "preset": preset},
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
    return actions


def _identifier(case) -> str:
    if case.subject_type == "unit":
        return case.unit.uscc
    return case.person.citizen_id or case.person.passport_no or ""


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
        "actions": _actions(user, case),
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
    }
    return calls.get(action)


TYPED_FIELDS = frozenset({"reasons", "note"})


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
        failure["fields"] = [str(why) for name, why in exc.fields.items() if name in TYPED_FIELDS]
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
def material_upload(request, case_id):
    case = _case_or_404(request.user, case_id)
    kinds = [(item.code, str(item.names)) for item in selectors.checklist(case)]
    form = UploadForm(request.POST, request.FILES, kinds=kinds)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.material_add(
                actor=request.user,
                case_id=case.pk,
                kind=form.cleaned_data["kind"],
                file_name=upload.name or "",
                data=upload.read(),
            )
        except ShebaoError as exc:
            place_refusal(form, exc)
        else:
            messages.success(request, _("The material is stored."))
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

"""The insured person's pages. A person reaches only their own records: the person is the
one their login is linked to, read through the selectors' user-based visibility, and a
case id that is not theirs is not found (404)."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.accounts.selectors import user_profile
from shebao.clearance import domain
from shebao.clearance import pdfs as clearance_pdfs
from shebao.clearance import selectors as clearance_selectors
from shebao.clearance import services as clearance_services
from shebao.clearance.selectors import desk as case_selectors
from shebao.core import clock
from shebao.core.errors import NotFound, ShebaoError
from shebao.core.ids import mask_citizen_id
from shebao.core.money import ZERO
from shebao.documents import domain as documents_domain
from shebao.documents import services as documents_services
from shebao.documents.models import Certificate
from shebao.documents.proofs import insurance_proof_pdf
from shebao.documents.statements import person_statement_pdf
from shebao.ledger import selectors as ledger_selectors
from shebao.pension import selectors as pension_selectors
from shebao.policy import contributions as contribution_policy
from shebao.policy.retirement import retirement_policy
from shebao.registry import domain as registry_domain
from shebao.registry import selectors as registry_selectors
from shebao.web.access import person_required
from shebao.web.desk.cases.forms import UploadForm, place_refusal, store_posted_material
from shebao.web.me import names
from shebao.web.me.forms import ApplyForm, ReasonForm

# The minimum for a monthly pension when the person's retirement year is unknown.
MINIMUM_MONTHS_FALLBACK = 180


def _person(request):
    person_id = user_profile(request.user)["person_id"]
    if person_id is None:
        raise PermissionDenied(_("This login is not linked to an insured person yet."))
    return registry_selectors.person_get(user=request.user, person_id=person_id)


def _identifier(person) -> str:
    return person.citizen_id or person.passport_no or ""


def _type_names(kinds) -> dict[str, str]:
    types = contribution_policy.contribution_policy().insurance_types
    return {
        kind: str(types[kind].names) if kind in types else _("Other insurance") for kind in kinds
    }


# The account ---------------------------------------------------------------------------


def _years(person) -> tuple[list[dict], dict]:
    """Each year of the individual account: contributions credited, interest credited and
    the balance at its end; and the same figures for the chart."""
    balances = ledger_selectors.account_balance_by_year(person)
    credited: dict[int, Decimal] = {}
    interest: dict[int, Decimal] = {}
    for entry in ledger_selectors.person_account(person)["entries"]:
        year = entry["date"].year
        target = interest if entry["kind"] == "interest" else credited
        target[year] = target.get(year, ZERO) + entry["amount"]
    rows = [
        {
            "year": row["year"],
            "contributions": credited.get(row["year"], ZERO),
            "interest": interest.get(row["year"], ZERO),
            "balance": row["balance"],
        }
        for row in balances
    ]
    chart = {
        "years": [str(row["year"]) for row in rows],
        "contributions": [float(row["contributions"]) for row in rows],
        "interest": [float(row["interest"]) for row in rows],
        "balances": [float(row["balance"]) for row in rows],
        "labels": {
            "contributions": _("Contributions credited (yuan)"),
            "interest": _("Interest credited (yuan)"),
            "balance": _("Balance at the end of the year (yuan)"),
        },
    }
    return rows, chart


def _contributions(person) -> dict:
    """Each month declared for the person, by insurance type, paid or in arrears."""
    statement = ledger_selectors.person_statement(person)
    kinds: list[str] = []
    for month in statement["months"]:
        kinds += [kind for kind in month["parts"] if kind not in kinds]
    names_by_kind = _type_names(kinds)
    months = []
    for month in reversed(statement["months"]):  # the latest first
        parts = [month["parts"].get(kind) for kind in kinds]
        months.append(
            {
                "period": month["period"],
                "unit": month["unit"],
                "base": month["base"],
                "parts": [(p["unit"] + p["personal"]) if p else None for p in parts],
                "status": month["status"],
                "status_name": names.month_status(month["status"]),
                "arrears": month["status"] == ledger_selectors.ARREARS,
            }
        )
    paid_by_kind = {kind: 0 for kind in kinds}
    for month in statement["months"]:
        if month["status"] == ledger_selectors.PAID:
            for kind in month["parts"]:
                paid_by_kind[kind] += 1
    return {
        "kinds": [names_by_kind[kind] for kind in kinds],
        "months": months,
        "arrears": [m["period"] for m in months if m["arrears"]],
        "paid_by_type": [(names_by_kind[kind], paid_by_kind[kind]) for kind in kinds],
    }


def _minimum_months(person, today: datetime.date) -> int:
    """The minimum contribution months for a monthly pension in the year the person
    reaches retirement age (it rises by year: SIL Art. 16 and the 2024 decision)."""
    try:
        if person.birth_date and person.sex:
            return pension_selectors.lump_sum_check(person, today=today).minimum_months
        return retirement_policy().minimum_for(today.year).months
    except (ShebaoError, KeyError, ValueError):
        return MINIMUM_MONTHS_FALLBACK


def _months_against_minimum(person, today) -> dict:
    months = pension_selectors.contribution_months(person)
    minimum = _minimum_months(person, today)
    return {
        "total": months.total,
        "local": months.local,
        "transferred": months.transferred,
        "deemed": months.deemed,
        "minimum": minimum,
        "minimum_years": minimum // 12,
        "remaining": max(minimum - months.total, 0),
        "years": months.total // 12,
        "months": months.total % 12,
    }


def _case_rows(user, today) -> list[dict]:
    rows = []
    for case in clearance_selectors.case_list(user=user).order_by("-pk"):
        deadlines = [
            row
            for row in case_selectors.case_deadlines(case, today)
            if row["due_on"] is not None and row["done_on"] is None
        ]
        rows.append(
            {
                "case": case,
                "reason": str(clearance_selectors.reason_of(case).names),
                "status": names.status_name(case.status),
                "next": min(deadlines, key=lambda row: row["due_on"]) if deadlines else None,
            }
        )
    return rows


@person_required
def home(request):
    person = _person(request)
    today = clock.today()
    years, chart = _years(person)
    employments = [
        {"employment": e, "status": e.get_status_display()}
        for e in registry_selectors.person_employments(user=request.user, person_id=person.pk)
    ]
    return render(
        request,
        "web/me/home.html",
        {
            "title": _("My social insurance"),
            "person": person,
            "identifier": mask_citizen_id(_identifier(person)),
            "balance": ledger_selectors.person_account(person)["balance"],
            "years": years,
            "chart": chart,
            "contributions": _contributions(person),
            "months": _months_against_minimum(person, today),
            "employments": employments,
            "cases": _case_rows(request.user, today),
            "today": today,
        },
    )


# The documents -------------------------------------------------------------------------


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@person_required
def statement_pdf(request):
    """The rights statement (SIL Art. 74), the same document the API prints."""
    person = _person(request)
    pdf = person_statement_pdf(pension_selectors.rights_statement(person))
    return _pdf(pdf, f"rights-statement-{clock.today().isoformat()}.pdf")


def _proof_facts(request, person) -> dict:
    employments = list(
        registry_selectors.person_employments(user=request.user, person_id=person.pk)
    )
    current = [e for e in employments if e.status == registry_domain.EMPLOYMENT_OPEN]
    current.sort(key=lambda e: (e.started_on, e.pk))
    starts = [e.started_on for e in employments if e.started_on]
    months = pension_selectors.contribution_months(person)
    type_names = contribution_policy.contribution_policy().insurance_types
    statement = ledger_selectors.person_statement(person)
    paid_by_type: dict[str, int] = {}
    for month in statement["months"]:
        if month["status"] == ledger_selectors.PAID:
            for kind in month["parts"]:
                paid_by_type[kind] = paid_by_type.get(kind, 0) + 1
    return {
        "name": person.name,
        "identifier": mask_citizen_id(_identifier(person)),
        "insured_since": min(starts) if starts else None,
        "current_unit": current[-1].unit.name if current else "",
        "months_by_type": [
            (
                type_names[kind].names.zh if kind in type_names else kind,
                type_names[kind].names.en if kind in type_names else kind,
                count,
            )
            for kind, count in paid_by_type.items()
        ],
        "months_total": months.total,
        "arrears": [
            month["period"]
            for month in statement["months"]
            if month["status"] == ledger_selectors.ARREARS
        ],
    }


@require_POST
@person_required
def proof_pdf(request):
    """Issue a proof of insurance (参保证明) with a verification code, and download it:
    each one issued is a certificate anyone can check at ``/verify/<code>``."""
    person = _person(request)
    facts = _proof_facts(request, person)
    certificate: Certificate = documents_services.certificate_issue(
        actor=request.user,
        kind=Certificate.Kind.INSURANCE_PROOF,
        subject=person,
        subject_masked=documents_domain.person_subject(person.name, _identifier(person)),
    )
    verify_url = request.build_absolute_uri(
        documents_domain.verify_path(certificate.verification_code)
    )
    pdf = insurance_proof_pdf(facts, certificate, verify_url=verify_url)
    return _pdf(pdf, f"proof-of-insurance-{certificate.number}.pdf")


# Cases ---------------------------------------------------------------------------------


def _case_or_404(user, case_id):
    try:
        return clearance_selectors.case_get(user=user, case_id=case_id)
    except NotFound:
        raise Http404 from None


@person_required
def case_list(request):
    _person(request)
    return render(
        request,
        "web/me/cases.html",
        {"title": _("My cases"), "cases": _case_rows(request.user, clock.today())},
    )


def _case_context(request, case, **extra) -> dict:
    today = clock.today()
    history = case_selectors.case_events(case)
    events = [
        {
            "event": event,
            "name": names.event_name(event.action),
            "to": names.status_name(event.to_status),
            # What staff wrote when they returned or rejected the case: for the applicant.
            "note": event.note if event.action in (domain.RETURN, domain.REJECT) else "",
        }
        for event in history
    ]
    deadlines = [
        {**row, "state": names.deadline_state(row["status"])}
        for row in case_selectors.case_deadlines(case, today)
    ]
    materials = case_selectors.material_history(case)
    editable = case.status in domain.EDITABLE_STATUSES
    uploadable = [(row["code"], row["name"]) for row in materials if not row["checked_by_agency"]]
    returned = [
        row for row, event in zip(events, history, strict=True) if event.action == domain.RETURN
    ]
    return {
        "title": _("Case %(id)d") % {"id": case.pk},
        "case": case,
        "reason": clearance_selectors.reason_of(case),
        "status": names.status_name(case.status),
        "events": events,
        "deadlines": deadlines,
        "materials": materials,
        "returned": returned[-1] if returned and case.status == domain.RETURNED else None,
        "missing": clearance_selectors.material_names(
            case, clearance_selectors.missing_materials(case)
        ),
        "upload_form": extra.pop("upload_form", None) or UploadForm(kinds=uploadable)
        if editable
        else None,
        "may_submit": editable,
        **extra,
    }


@person_required
def case_detail(request, case_id: int):
    case = _case_or_404(request.user, case_id)
    return render(request, "web/me/case.html", _case_context(request, case))


@require_POST
@person_required
def case_upload(request, case_id: int):
    """A material uploaded against the case's checklist, through the service the desk
    and the API call (before the case is submitted, or after it was returned)."""
    case = _case_or_404(request.user, case_id)
    form = store_posted_material(request, case)
    if form is None:
        return redirect(reverse("web:me-case", args=[case.pk]) + "#materials-head")
    context = _case_context(request, case, upload_form=form)
    return render(request, "web/me/case.html", context, status=422)


@require_POST
@person_required
def case_submit(request, case_id: int):
    case = _case_or_404(request.user, case_id)
    try:
        clearance_services.case_submit(actor=request.user, case_id=case.pk)
    except ShebaoError as exc:
        case = clearance_selectors.case_reloaded(case)
        context = _case_context(request, case, failure=str(exc.message))
        return render(request, "web/me/case.html", context, status=409)
    case = clearance_selectors.case_reloaded(case)
    messages.success(
        request,
        _("Done. The case is now: %(status)s.") % {"status": names.status_name(case.status)},
    )
    return redirect("web:me-case", case_id=case.pk)


@person_required
def certificate_pdf(request, case_id: int):
    case = _case_or_404(request.user, case_id)
    if case.certificate is None:
        raise Http404
    verify_url = request.build_absolute_uri(
        documents_domain.verify_path(case.certificate.verification_code)
    )
    return _pdf(
        clearance_pdfs.certificate_pdf(case, verify_url=verify_url),
        f"certificate-{case.certificate.number}.pdf",
    )


# Applying online -----------------------------------------------------------------------


@person_required
def apply(request):
    """Apply for clearance or a transfer: (1) what happened and when; (2) whether it is a
    clearance, what happens to the balance and why, the alternatives the agency must
    explain with the signed acknowledgement, and where the money goes; the draft case is
    then opened by ``case_create`` as the API opens it, and (3) the materials are uploaded
    against its checklist and (4) it is submitted on the case's page."""
    person = _person(request)
    info = None
    if request.method == "POST":
        form = ApplyForm(request.POST)
        info = case_selectors.reason_info(request.POST.get("reason", ""))
        if form.is_valid() and info is not None and not info.refusal:
            data = form.cleaned_data
            if info.acknowledgement and not data["acknowledged"]:
                form.add_error(
                    "acknowledged",
                    _("Confirm that you have read what the agency explains."),
                )
            else:
                try:
                    case = clearance_services.case_create(
                        actor=request.user,
                        subject_type="person",
                        subject_id=person.pk,
                        reason=data["reason"],
                        event_date=data["event_date"],
                        payee=form.payee(),
                        destination_region=data.get("destination_region") or None,
                        acknowledged=bool(data["acknowledged"]),
                    )
                except ShebaoError as exc:
                    place_refusal(form, exc)
                else:
                    messages.success(
                        request,
                        _("Your application is saved. Upload the materials below, then submit it."),
                    )
                    return redirect(reverse("web:me-case", args=[case.pk]) + "#materials-head")
        step = 2
    else:
        form = ReasonForm(request.GET if "reason" in request.GET else None)
        form.fields["reason"].widget.attrs.update(
            {
                "hx-get": reverse("web:me-apply-info"),
                "hx-target": "#reason-info",
                "hx-trigger": "change",
            }
        )
        step = 1
        if form.is_bound and form.is_valid():
            info = case_selectors.reason_info(form.cleaned_data["reason"])
            step = 2
            form = ApplyForm(
                initial={
                    "reason": form.cleaned_data["reason"],
                    "event_date": form.cleaned_data["event_date"],
                    "payee_name": person.name,
                }
            )
    return render(
        request,
        "web/me/apply.html",
        {
            "title": _("Apply online"),
            "form": form,
            "step": step,
            "info": info,
            "event_date": request.POST.get("event_date") or request.GET.get("event_date", ""),
        },
    )


@person_required
def apply_info(request):
    """The chosen reason's conditions, what happens to the account, the explanation and
    the materials, shown as the reason is chosen (an htmx answer; without JavaScript the
    next step shows the same)."""
    info = case_selectors.reason_info(request.GET.get("reason", ""))
    return render(request, "web/me/apply.html#reason-info", {"info": info})

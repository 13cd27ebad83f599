"""``/desk/units/``: find a unit by name or credit code and status, read it (its
registration's dates, its employees, what it declared, paid and owes, its cases and
history), register a unit and its employees, decide a pending registration, set its
work-injury class, and print its registration record."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.clearance.selectors import subjects as case_subjects
from shebao.core import clock
from shebao.core.errors import ShebaoError
from shebao.core.periods import days_left
from shebao.documents import registration_pdfs
from shebao.ledger import selectors as ledger_selectors
from shebao.policy import contributions as contribution_policy
from shebao.policy.errors import NoPolicyValue
from shebao.policy.packs import all_regions, find_region
from shebao.registry import domain, selectors, services
from shebao.registry.models import Unit
from shebao.web.access import role_required, staff_required
from shebao.web.desk.registry import forms
from shebao.web.desk.registry.common import case_rows, history, may, staff_may, unit_or_404


def _region_name(code: str) -> str:
    region = find_region(code)
    return str(region.names) if region is not None else _("Unknown region")


@staff_required
def unit_list(request):
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    if status not in Unit.Status.values:
        status = ""
    units, more = selectors.unit_search(
        user=request.user, status=status or None, search=query or None
    )
    rows = [
        {"unit": unit, "status": unit.get_status_display(), "region": _region_name(unit.region)}
        for unit in units
    ]
    return render(
        request,
        "web/desk/registry/unit_list.html",
        {
            "title": _("Units"),
            "q": query,
            "status": status,
            "statuses": Unit.Status.choices,
            "rows": rows,
            "more": more,
            "may_register": may(request.user, "unit.create"),
        },
    )


def _industry_classes(unit) -> list[tuple[int, str]]:
    try:
        table = contribution_policy.contribution_policy(unit.region).work_injury_table(
            clock.today()
        )
    except (NoPolicyValue, LookupError):
        return []
    return [(number, str(c.names)) for number, c in sorted(table.classes.items())]


def _summary(unit) -> dict | None:
    """What the unit declared, paid and owes today; None where the policy cannot say."""
    try:
        statement = ledger_selectors.unit_statement(unit, as_of=clock.today())
    except (NoPolicyValue, LookupError):
        return None
    return {
        "declared": statement["declared_total"],
        "paid": statement["paid_total"],
        "arrears": statement["arrears"],
        "months": statement["months"][-12:],
    }


def _unit_context(request, unit, **extra) -> dict:
    user = request.user
    today = clock.today()
    pending = unit.status == domain.UNIT_PENDING
    classes = _industry_classes(unit)
    employees = [
        {"employment": e, "status": e.get_status_display()}
        for e in selectors.unit_employments(user=user, unit_id=unit.pk)
    ]
    class_name = dict(classes).get(unit.industry_class) if unit.industry_class else None
    active = unit.status in (domain.UNIT_PENDING, domain.UNIT_REGISTERED)
    context = {
        "title": unit.name,
        "unit": unit,
        "status_name": unit.get_status_display(),
        "region_name": _region_name(unit.region),
        "pending": pending,
        "decision_days_left": days_left(unit.decision_due_on, today) if pending else None,
        "industry_class_name": class_name,
        "employees": employees,
        "summary": _summary(unit),
        "cases": case_rows(case_subjects.unit_cases(user=user, unit=unit)),
        "history": history(unit),
        "has_record": selectors.unit_registration_record(unit) is not None,
        "may_decide": pending and may(user, "unit.approve_registration"),
        "may_employ": unit.status in domain.UNIT_STATES_TAKING_EMPLOYEES
        and may(user, "employment.create"),
        "may_set_rate": active and bool(classes) and may(user, "unit.set_work_injury_rate"),
        "reject_form": forms.RejectForm(),
        "rate_form": forms.WorkInjuryForm(
            classes=classes,
            initial={
                "industry_class": unit.industry_class,
                "work_injury_float_percent": unit.work_injury_float_percent,
            },
        ),
    }
    context.update(extra)
    return context


@staff_required
def unit_detail(request, unit_id: int):
    unit = unit_or_404(request.user, unit_id)
    return render(request, "web/desk/registry/unit_detail.html", _unit_context(request, unit))


@role_required(staff_may("unit.create"))
def unit_new(request):
    regions = [(r.code, str(r.names)) for r in all_regions()]
    form = forms.UnitForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_register(
                actor=request.user,
                uscc=data["uscc"],
                name=data["name"],
                region=data["region"],
                established_on=data["established_on"],
                received_on=data["received_on"] or None,
            )
        except ShebaoError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("The unit's registration application is received."))
            return redirect("web:desk-unit", unit_id=unit.pk)
    return render(
        request,
        "web/desk/registry/unit_form.html",
        {"title": _("Register a unit"), "form": form},
    )


def _refused(request, unit, exc: ShebaoError, **forms_with_errors):
    """The unit's page again, the refusal shown where the action was."""
    messages.error(request, str(exc.message))
    return render(
        request,
        "web/desk/registry/unit_detail.html",
        _unit_context(request, unit, **forms_with_errors),
        status=200,
    )


@require_POST
@role_required(staff_may("unit.approve_registration"))
def unit_approve(request, unit_id: int):
    unit = unit_or_404(request.user, unit_id)
    try:
        certificate = services.unit_registration_approve(actor=request.user, unit_id=unit.pk)
    except ShebaoError as exc:
        return _refused(request, unit, exc)
    messages.success(
        request,
        _("The registration is approved: registration certificate %(number)s.")
        % {"number": certificate.number},
    )
    return redirect("web:desk-unit", unit_id=unit.pk)


@require_POST
@role_required(staff_may("unit.reject_registration"))
def unit_reject(request, unit_id: int):
    unit = unit_or_404(request.user, unit_id)
    form = forms.RejectForm(request.POST)
    if form.is_valid():
        try:
            services.unit_registration_reject(
                actor=request.user, unit_id=unit.pk, reason=form.cleaned_data["reason"]
            )
        except ShebaoError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("The registration is rejected."))
            return redirect("web:desk-unit", unit_id=unit.pk)
    return render(
        request,
        "web/desk/registry/unit_detail.html",
        _unit_context(request, unit, reject_form=form, reject_open=True),
    )


@require_POST
@role_required(staff_may("unit.set_work_injury_rate"))
def unit_work_injury(request, unit_id: int):
    unit = unit_or_404(request.user, unit_id)
    form = forms.WorkInjuryForm(request.POST, classes=_industry_classes(unit))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_work_injury_set(
                actor=request.user,
                unit_id=unit.pk,
                industry_class=data["industry_class"],
                work_injury_float_percent=data["work_injury_float_percent"],
                reason=data["reason"],
            )
        except ShebaoError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("The work-injury rate is set."))
            return redirect("web:desk-unit", unit_id=unit.pk)
    return render(
        request,
        "web/desk/registry/unit_detail.html",
        _unit_context(request, unit, rate_form=form, rate_open=True),
    )


@role_required(staff_may("employment.create"))
def unit_employee_new(request, unit_id: int):
    unit = unit_or_404(request.user, unit_id)
    form = forms.UnitEmployeeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            employment = services.employment_register(
                actor=request.user,
                unit_id=unit.pk,
                citizen_id=data["citizen_id"],
                name=data["name"] or None,
                started_on=data["started_on"],
                monthly_wage=data["monthly_wage"],
                acknowledge_warnings=form.acknowledged(),
            )
        except ShebaoError as exc:
            form.refuse(exc)
        else:
            if employment.late:
                messages.warning(
                    request,
                    _("The employee is registered late: it was due by %(day)s.")
                    % {"day": employment.registration_due_on.isoformat()},
                )
            messages.success(request, _("The employee is registered."))
            return redirect("web:desk-unit", unit_id=unit.pk)
    return render(
        request,
        "web/desk/registry/employment_form.html",
        {
            "title": _("Register an employee"),
            "unit": unit,
            "form": form,
            "days": selectors.employee_registration_days(unit.region),
            "back": reverse("web:desk-unit", kwargs={"unit_id": unit.pk}),
        },
    )


@staff_required
def unit_registration_record(request, unit_id: int):
    """The registration record as PDF, with its verification code, as the API gives it."""
    unit = unit_or_404(request.user, unit_id)
    certificate = selectors.unit_registration_record(unit)
    if certificate is None:
        raise Http404
    verify_url = request.build_absolute_uri(f"/api/v1/certificates/{certificate.verification_code}")
    response = HttpResponse(
        registration_pdfs.registration_record_pdf(unit, certificate, verify_url=verify_url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="registration-{certificate.number}.pdf"'
    return response

"""``/desk/persons/``: find a person by name or by a whole identity number (that search is
audited), read their record (employments, contributions by month and insurance type, the
individual account over the years, cases, history), register a person, an employment,
and the end of one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.audit.services import audit_personal_data_view
from shebao.clearance.selectors import subjects as case_subjects
from shebao.core.errors import ShebaoError
from shebao.ledger import selectors as ledger_selectors
from shebao.policy import contributions as contribution_policy
from shebao.policy.employment import end_reasons
from shebao.registry import domain as registry_domain
from shebao.registry import selectors, services
from shebao.web.access import role_required, staff_required
from shebao.web.desk.registry import forms
from shebao.web.desk.registry.common import (
    case_rows,
    employment_or_404,
    history,
    may,
    person_or_404,
    staff_may,
)


def _month_status_name(status: str) -> str:
    names = {
        ledger_selectors.PAID: _("Paid"),
        ledger_selectors.ARREARS: _("In arrears"),
        ledger_selectors.DECLARED: _("Declared, not yet due"),
    }
    return names.get(status, _("Declared"))


def _id_warning(code: str) -> str:
    if code == "unknown_birthplace_code":
        return _(
            "The first six digits of the ID number name no region we know: check the number "
            "against the identity document."
        )
    return _("Check the ID number against the identity document.")


def _identifier(person) -> str:
    return person.citizen_id or person.passport_no or ""


# Search --------------------------------------------------------------------------------


@staff_required
def person_list(request):
    """By name (GET); by a whole identity number (POST: the search is audited, and the
    number stays out of the address bar and the server's logs)."""
    name_form = forms.NameSearchForm(request.GET or None)
    id_form = forms.IdSearchForm(request.POST or None)
    results = None
    searched = ""
    if request.method == "POST":
        if id_form.is_valid():
            kind = id_form.cleaned_data["kind"]
            try:
                results = services.person_id_search(
                    actor=request.user, **{kind: id_form.cleaned_data["number"]}
                )
            except ShebaoError as exc:
                forms.refuse(id_form, exc)
            else:
                # The whole number is not kept on the page the results are shown on.
                id_form = forms.IdSearchForm(initial={"kind": kind})
            searched = "id"
    elif name_form.is_valid() and name_form.cleaned_data["q"]:
        results = selectors.person_search_by_name(
            user=request.user, name=name_form.cleaned_data["q"]
        )
        searched = "name"
    return render(
        request,
        "web/desk/registry/person_list.html",
        {
            "title": _("Insured persons"),
            "name_form": name_form,
            "id_form": id_form,
            "results": results,
            "searched": searched,
            "may_register": may(request.user, "person.create"),
        },
    )


# The record ----------------------------------------------------------------------------


def _employment_rows(user, person) -> list[dict]:
    rows = []
    for employment in selectors.person_employments(user=user, person_id=person.pk):
        reasons = end_reasons(employment.unit.region)
        reason = reasons.get(employment.end_reason) if employment.end_reason else None
        rows.append(
            {
                "employment": employment,
                "status": employment.get_status_display(),
                "end_reason": str(reason.names) if reason else "",
                "may_end": employment.status == registry_domain.EMPLOYMENT_OPEN
                and may(user, "employment.end"),
            }
        )
    return rows


def _contributions(person) -> dict:
    """Each month declared for the person, by insurance type, with whether it is paid."""
    statement = ledger_selectors.person_statement(person)
    kinds: list[str] = []
    for month in statement["months"]:
        kinds += [kind for kind in month["parts"] if kind not in kinds]
    types = contribution_policy.contribution_policy().insurance_types
    names = {kind: str(types[kind].names) for kind in kinds if kind in types}
    months = [
        {
            "period": month["period"],
            "unit": month["unit"],
            "unit_id": month["unit_id"],
            "base": month["base"],
            "parts": [month["parts"].get(kind) for kind in kinds],
            "status": month["status"],
            "status_name": _month_status_name(month["status"]),
        }
        for month in statement["months"]
    ]
    return {
        "kinds": [names.get(kind, _("Other insurance")) for kind in kinds],
        "months": months,
        "contribution_months": statement["contribution_months"],
    }


def _person_context(request, person, *, revealed: str | None = None, **extra) -> dict:
    user = request.user
    # Staff reading the contributions and the account: recorded, as the API does.
    audit_personal_data_view(actor=user, person=person, what="account")
    account = ledger_selectors.person_account(person)
    years = ledger_selectors.account_balance_by_year(person)
    identifier = _identifier(person)
    employments = _employment_rows(user, person)
    return {
        "title": person.name or _("Person"),
        "person": person,
        "identifier": revealed or identifier,
        "revealed": revealed is not None,
        "status_name": person.get_status_display(),
        "sex_name": person.get_sex_display(),
        "residency_name": person.get_residency_display() if person.residency else "",
        "employments": employments,
        "contributions": _contributions(person),
        "balance": account["balance"],
        "years": years,
        "chart": {
            "label": _("Balance at the end of the year (yuan)"),
            "years": [str(row["year"]) for row in years],
            "balances": [float(row["balance"]) for row in years],
        },
        "cases": case_rows(case_subjects.person_cases(user=user, person=person)),
        "history": history(person, *(row["employment"] for row in employments)),
        "may_reveal": may(user, "person.reveal_id"),
        "may_employ": may(user, "employment.create"),
        **extra,
    }


@staff_required
def person_detail(request, person_id: int):
    person = person_or_404(request.user, person_id)
    return render(request, "web/desk/registry/person_detail.html", _person_context(request, person))


@require_POST
@role_required(staff_may("person.reveal_id"))
def person_reveal(request, person_id: int):
    """The full number, shown on this answer only (never kept in the session or the
    address): every reveal is in the audit trail."""
    person = person_or_404(request.user, person_id)
    number = services.person_id_reveal(actor=request.user, person_id=person.pk)
    return render(
        request,
        "web/desk/registry/person_detail.html",
        _person_context(request, person, revealed=number),
    )


# Writes --------------------------------------------------------------------------------


@role_required(staff_may("person.create"))
def person_new(request):
    form = forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.person_register(
                actor=request.user,
                name=data["name"],
                citizen_id=data["citizen_id"] or None,
                passport_no=data["passport_no"] or None,
                nationality=data["nationality"] or None,
                birth_date=data["birth_date"] or None,
                sex=data["sex"] or None,
            )
        except ShebaoError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("The person is registered."))
            for warning in person.warnings:
                messages.warning(request, _id_warning(warning))
            return redirect("web:desk-person", person_id=person.pk)
    return render(
        request,
        "web/desk/registry/person_form.html",
        {"title": _("Register a person"), "form": form},
    )


@role_required(staff_may("employment.create"))
def person_employment_new(request, person_id: int):
    person = person_or_404(request.user, person_id)
    form = forms.PersonEmploymentForm(
        request.POST or None, units=selectors.unit_choices(user=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_register(
                actor=request.user,
                unit_id=int(form.cleaned_data["unit"]),
                person_id=person.pk,
                started_on=form.cleaned_data["started_on"],
                monthly_wage=form.cleaned_data["monthly_wage"],
                acknowledge_warnings=form.acknowledged(),
            )
        except ShebaoError as exc:
            form.refuse(exc)
        else:
            messages.success(request, _("The employment is registered."))
            return redirect("web:desk-person", person_id=person.pk)
    return render(
        request,
        "web/desk/registry/employment_form.html",
        {
            "title": _("Register an employment"),
            "person": person,
            "form": form,
            "days": selectors.employee_registration_days(),
            "back": reverse("web:desk-person", kwargs={"person_id": person.pk}),
        },
    )


@role_required(staff_may("employment.end"))
def employment_end(request, person_id: int, employment_id: int):
    person = person_or_404(request.user, person_id)
    employment = employment_or_404(request.user, employment_id)
    if employment.person_id != person.pk:
        return redirect("web:desk-person", person_id=person.pk)
    reasons = [
        (code, str(reason.names)) for code, reason in end_reasons(employment.unit.region).items()
    ]
    form = forms.EmploymentEndForm(request.POST or None, reasons=reasons)
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_end(
                actor=request.user,
                employment_id=employment.pk,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ShebaoError as exc:
            forms.refuse(form, exc)
        else:
            messages.success(request, _("The employment has ended."))
            return redirect("web:desk-person", person_id=person.pk)
    return render(
        request,
        "web/desk/registry/employment_end.html",
        {
            "title": _("End an employment"),
            "person": person,
            "employment": employment,
            "form": form,
        },
    )

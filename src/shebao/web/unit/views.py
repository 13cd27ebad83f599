"""``/unit/``: a unit's representative sees the unit's employees (ID numbers masked) and
its registration warnings, registers a new hire and ends an employment.

A representative reaches only the unit their login acts for: every read goes through the
registry's selectors with the user, which answer "not found" for any other unit.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shebao.accounts.selectors import user_profile
from shebao.core import clock
from shebao.core.errors import NotFound, ShebaoError
from shebao.policy.employment import end_reasons
from shebao.registry import domain, selectors, services
from shebao.web.access import unit_rep_required
from shebao.web.desk.registry.forms import EmploymentEndForm, refuse
from shebao.web.unit import forms


def own_unit(request):
    """The unit the signed-in representative acts for (403 when the login has none)."""
    unit_id = user_profile(request.user)["unit_id"]
    if unit_id is None:
        raise PermissionDenied(_("This login is not linked to a unit yet."))
    try:
        return selectors.unit_get(user=request.user, unit_id=unit_id)
    except NotFound:
        raise Http404 from None


def _warnings(unit, employments) -> list[str]:
    """What the representative should know about the unit's registrations."""
    found = []
    if unit.status == domain.UNIT_PENDING:
        found.append(
            _("The unit's registration is waiting for the agency's decision, due by %(day)s.")
            % {"day": unit.decision_due_on.isoformat()}
        )
    elif unit.status != domain.UNIT_REGISTERED:
        found.append(
            _("The unit's registration is %(status)s: it cannot register employees.")
            % {"status": unit.get_status_display()}
        )
    if unit.registration_late:
        found.append(
            _("The unit applied for its registration late: it was due by %(day)s.")
            % {"day": unit.registration_due_on.isoformat()}
        )
    for employment in employments:
        if employment.status == domain.EMPLOYMENT_OPEN and employment.late:
            found.append(
                _("%(name)s was registered late: on %(registered)s, due by %(due)s.")
                % {
                    "name": employment.person.name,
                    "registered": employment.registered_on.isoformat(),
                    "due": employment.registration_due_on.isoformat(),
                }
            )
        elif employment.status == domain.EMPLOYMENT_PENDING:
            found.append(
                _(
                    "An employment registered on %(day)s waits for the agency's "
                    "confirmation of the person's identity."
                )
                % {"day": employment.registered_on.isoformat()}
            )
    return found


@unit_rep_required
def home(request):
    unit = own_unit(request)
    employments = list(selectors.unit_employments(user=request.user, unit_id=unit.pk))
    open_ones = [e for e in employments if e.status == domain.EMPLOYMENT_OPEN]
    return render(
        request,
        "web/unit/home.html",
        {
            "title": unit.name,
            "unit": unit,
            "status_name": unit.get_status_display(),
            "employments": open_ones,
            "warnings": _warnings(unit, employments),
            "may_hire": unit.status in domain.UNIT_STATES_TAKING_EMPLOYEES,
            "days": selectors.employee_registration_days(unit.region),
        },
    )


@unit_rep_required
def hire(request):
    unit = own_unit(request)
    form = forms.HireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            employment = services.employment_register(
                actor=request.user,
                unit_id=unit.pk,
                citizen_id=data["citizen_id"],
                name=data["name"],
                started_on=data["started_on"],
                monthly_wage=data["monthly_wage"],
            )
        except ShebaoError as exc:
            refuse(form, exc)
        else:
            if employment.status == domain.EMPLOYMENT_PENDING:
                messages.info(
                    request,
                    _(
                        "The employment is registered and waits for the agency to confirm "
                        "the person's identity."
                    ),
                )
            else:
                messages.success(request, _("The employee is registered."))
            if employment.late:
                messages.warning(
                    request,
                    _("The employee is registered late: it was due by %(day)s.")
                    % {"day": employment.registration_due_on.isoformat()},
                )
            return redirect("web:unit")
    return render(
        request,
        "web/unit/hire.html",
        {
            "title": _("Register a new hire"),
            "unit": unit,
            "form": form,
            "days": selectors.employee_registration_days(unit.region),
            "today": clock.today(),
        },
    )


@unit_rep_required
def end(request, employment_id: int):
    unit = own_unit(request)
    try:
        employment = selectors.employment_get(user=request.user, employment_id=employment_id)
    except NotFound:
        raise Http404 from None
    if employment.unit_id != unit.pk or employment.status != domain.EMPLOYMENT_OPEN:
        raise Http404
    reasons = [(code, str(reason.names)) for code, reason in end_reasons(unit.region).items()]
    form = EmploymentEndForm(request.POST or None, reasons=reasons)
    if request.method == "POST" and form.is_valid():
        try:
            services.employment_end(
                actor=request.user,
                employment_id=employment.pk,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ShebaoError as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("The employment has ended."))
            return redirect("web:unit")
    return render(
        request,
        "web/unit/end.html",
        {"title": _("End an employment"), "unit": unit, "employment": employment, "form": form},
    )

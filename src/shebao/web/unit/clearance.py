"""``/unit/clearance/``: the unit's own clearance application (its cancellation case),
opened through the clearance services as the desk's case form and the API open it for
a unit's representative, and the unit's cases with their status by name."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shebao.clearance import domain as clearance_domain
from shebao.clearance import selectors as clearance_selectors
from shebao.clearance import services as clearance_services
from shebao.clearance.selectors import desk as clearance_desk
from shebao.clearance.selectors import subjects as case_subjects
from shebao.core.errors import ShebaoError
from shebao.ledger.selectors import desk as ledger_desk
from shebao.web.access import unit_rep_required
from shebao.web.desk.cases.forms import place_refusal
from shebao.web.unit import forms
from shebao.web.unit.views import own_unit


def _unit_reasons() -> list[tuple[str, str]]:
    return dict(clearance_desk.reason_choices()).get("unit", [])


def _successor_id(form):
    """The successor unit of a merger, by its credit code (the service checks that it is
    registered and not the unit itself)."""
    code = (form.cleaned_data.get("successor_code") or "").strip().upper()
    if not code:
        return None
    successor = ledger_desk.unit_by_uscc(code)
    if successor is None:
        form.add_error("successor_code", _("No unit has this credit code."))
        return None
    return successor.pk


@unit_rep_required
def clearance(request):
    unit = own_unit(request)
    cases = case_subjects.unit_cases(user=request.user, unit=unit)
    open_case = next((c for c in cases if c.status in clearance_domain.OPEN_STATUSES), None)
    form = forms.ClearanceForm(request.POST or None, reasons=_unit_reasons())
    if request.method == "POST" and open_case is None and form.is_valid():
        successor = _successor_id(form)
    if request.method == "POST" and open_case is None and form.is_valid():
        try:
            case = clearance_services.case_create(
                actor=request.user,
                subject_type="unit",
                subject_id=unit.pk,
                reason=form.cleaned_data["reason"],
                event_date=form.cleaned_data["event_date"],
                payee=form.payee(),
                successor_unit_id=successor,
            )
        except ShebaoError as exc:
            place_refusal(form, exc)
        else:
            messages.success(request, _("Case %(id)d is opened as a draft.") % {"id": case.pk})
            return redirect("web:unit-clearance")
    return render(
        request,
        "web/unit/clearance.html",
        {
            "title": _("Clearance application"),
            "unit": unit,
            "form": form,
            "open_case": open_case,
            "cases": [
                {
                    "case": case,
                    "status": str(
                        clearance_domain.STATUS_NAMES.get(case.status, _("Unknown status"))
                    ),
                    "reason": str(clearance_selectors.reason_of(case).names),
                }
                for case in cases
            ],
        },
    )

"""``/unit/clearance/``: the unit's own clearance application (its cancellation case),
opened through the clearance services as the desk's case form and the API open it for
a unit's representative, and the unit's cases with their status by name."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shebao.clearance import domain as clearance_domain
from shebao.clearance import selectors as clearance_selectors
from shebao.clearance import services as clearance_services
from shebao.clearance.selectors import desk as clearance_desk
from shebao.clearance.selectors import subjects as case_subjects
from shebao.core.errors import NotFound, ShebaoError
from shebao.ledger.selectors import desk as ledger_desk
from shebao.web.access import unit_rep_required
from shebao.web.desk.cases.forms import UploadForm, place_refusal, store_posted_material
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
            return redirect("web:unit-case", case_id=case.pk)
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


def _case_or_404(request, unit, case_id):
    try:
        case = clearance_selectors.case_get(user=request.user, case_id=case_id)
    except NotFound:
        raise Http404 from None
    if case.unit_id != unit.pk:
        raise Http404
    return case


def _case_context(request, unit, case, **extra) -> dict:
    history = clearance_desk.material_history(case)
    editable = case.status in clearance_domain.EDITABLE_STATUSES
    uploadable = [(row["code"], row["name"]) for row in history if not row["checked_by_agency"]]
    return {
        "title": _("Case %(id)d") % {"id": case.pk},
        "unit": unit,
        "case": case,
        "status_name": str(clearance_domain.STATUS_NAMES.get(case.status, _("Unknown status"))),
        "reason_name": str(clearance_selectors.reason_of(case).names),
        "materials": history,
        "missing": clearance_selectors.material_names(
            case, clearance_selectors.missing_materials(case)
        ),
        "editable": editable,
        "upload_form": UploadForm(kinds=uploadable) if editable else None,
        **extra,
    }


@unit_rep_required
def case_detail(request, case_id: int):
    unit = own_unit(request)
    case = _case_or_404(request, unit, case_id)
    return render(request, "web/unit/case.html", _case_context(request, unit, case))


@unit_rep_required
@require_POST
def case_upload(request, case_id: int):
    unit = own_unit(request)
    case = _case_or_404(request, unit, case_id)
    form = store_posted_material(request, case)
    if form is None:
        return redirect("web:unit-case", case_id=case.pk)
    context = _case_context(request, unit, case, upload_form=form)
    return render(request, "web/unit/case.html", context, status=422)


@unit_rep_required
@require_POST
def case_submit(request, case_id: int):
    unit = own_unit(request)
    case = _case_or_404(request, unit, case_id)
    try:
        clearance_services.case_submit(actor=request.user, case_id=case.pk)
    except ShebaoError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The application is submitted."))
    return redirect("web:unit-case", case_id=case.pk)

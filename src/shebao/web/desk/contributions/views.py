"""``/desk/contributions/``: declarations by unit and month, a declaration file's upload
(every bad row listed with its line and reason), payments, arrears with the late fee to
date, and the yearly interest crediting.

Reads go through ``shebao.ledger.selectors``; writes through the ledger's import and
services, whose refusals are shown on the form they came from.
"""

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts import domain as roles
from shebao.core import clock
from shebao.core.errors import ShebaoError
from shebao.core.money import ZERO
from shebao.ledger import declarations, imports, selectors, services
from shebao.ledger.selectors import desk as desk_selectors
from shebao.ledger.services.declarations import DeclarationReport
from shebao.web.access import action_required
from shebao.web.desk.contributions import forms
from shebao.web.forms import show_refusal

# The largest declaration file the desk takes (the API's limit too).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PAGE_SIZE = 50

# What each area of the page is called, and who may open it.
TABS = [
    ("web:desk-contributions", gettext_lazy("Declarations"), "declaration.view"),
    (
        "web:desk-contributions-upload",
        gettext_lazy("Upload a declaration file"),
        "declaration.create",
    ),
    ("web:desk-payment-record", gettext_lazy("Record a payment"), "payment.create"),
    ("web:desk-arrears", gettext_lazy("Arrears"), "payment.view"),
    ("web:desk-interest", gettext_lazy("Interest crediting"), "interest.credit"),
]

# A file's columns by their names on the page (a row error names its column).
COLUMN_NAMES = {
    "citizen_id": gettext_lazy("ID number"),
    "wage": gettext_lazy("Wage"),
    "passport_no": gettext_lazy("Passport number"),
    "nationality": gettext_lazy("Nationality"),
    "uscc": gettext_lazy("Credit code"),
    "period": gettext_lazy("Month"),
}


def _context(request, current: str, title: str, **extra) -> dict:
    tabs = [
        {"url": reverse(name), "name": label, "current": name == current}
        for name, label, action in TABS
        if roles.can(request.user.role, action)
    ]
    return {"title": title, "tabs": tabs, **extra}


# Declarations ---------------------------------------------------------------------------


@action_required("declaration.view")
def declaration_list(request):
    form = forms.DeclarationFilter(request.GET or None)
    unit = period = ""
    if form.is_valid():
        unit, period = form.cleaned_data["unit"].strip(), form.cleaned_data["period"].strip()
    page = Paginator(desk_selectors.declarations_filtered(unit=unit, period=period), PAGE_SIZE)
    declarations_page = page.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/desk/contributions/declarations.html",
        _context(
            request,
            "web:desk-contributions",
            _("Declarations"),
            form=form,
            page=declarations_page,
            query=query.urlencode(),
        ),
    )


def _type_rows(declaration, names: dict) -> list[dict]:
    return [
        {"name": names.get(code, code), "unit": unit, "personal": personal}
        for code, (unit, personal) in declaration.totals_by_type.items()
    ]


@action_required("declaration.view")
def declaration_detail(request, declaration_id: int):
    declaration = desk_selectors.declaration_get(declaration_id)
    if declaration is None:
        raise Http404
    names = desk_selectors.insurance_type_names(declaration.unit.region)
    codes = list(declaration.totals_by_type)
    lines = [
        {
            "line": line,
            "parts": [line.parts.get(code, ("0.00", "0.00")) for code in codes],
        }
        for line in selectors.declaration_lines(declaration)
    ]
    return render(
        request,
        "web/desk/contributions/declaration.html",
        _context(
            request,
            "web:desk-contributions",
            _("Declaration of %(unit)s for %(period)s")
            % {"unit": declaration.unit.name, "period": declaration.period},
            declaration=declaration,
            type_names=[names.get(code, code) for code in codes],
            types=_type_rows(declaration, names),
            lines=lines,
        ),
    )


# Upload ---------------------------------------------------------------------------------


def _row_errors(errors) -> list[dict]:
    return [
        {"line": e.line, "column": COLUMN_NAMES.get(e.field, _("Other")), "reason": e.reason}
        for e in errors
    ]


def _import(user, form) -> DeclarationReport | None:
    """Check and post the uploaded file; None (with the reason on the form) when the
    form's own fields are wrong."""
    data = form.cleaned_data
    upload = data["file"]
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        form.add_error("file", _("is larger than %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // 2**20})
        return None
    unit = None
    if data["unit"].strip():
        unit = desk_selectors.unit_by_uscc(data["unit"])
        if unit is None:
            form.add_error("unit", _("no unit is registered with this code"))
            return None
    period = data["period"].strip() or None
    if period and unit is None:
        form.add_error("unit", _("is required when a month is given"))
        return None
    if unit is not None and period is None:
        form.add_error("period", _("is required when a unit is given"))
        return None
    if unit is not None and period is not None:
        why = declarations.check_period(unit, period, clock.today())
        if why:
            form.add_error("period", str(why))
            return None
    content = upload.read()  # at most 20 MB: read once to check, once to post
    return imports.import_declarations(
        lambda: io.BytesIO(content),
        actor=user,
        unit=unit,
        period=period,
        good_rows_only=data["good_rows_only"],
        acknowledge_omissions=data["acknowledge_omissions"],
        source="upload",
        limits=imports.upload_limits(),
    )


@action_required("declaration.create")
def upload(request):
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = _import(request.user, form)
        except ShebaoError as exc:
            show_refusal(form, exc)
        if report is not None and report.posted and not request.htmx:
            messages.success(request, _posted_message(report))
            return redirect("web:desk-contributions")
    template = "web/desk/contributions/upload.html"
    return render(
        request,
        template + "#upload-area" if request.htmx else template,
        _context(
            request,
            "web:desk-contributions-upload",
            _("Upload a declaration file"),
            form=form,
            report=report,
            row_errors=_row_errors(report.errors) if report else [],
            posted_message=_posted_message(report) if report and report.posted else "",
        ),
    )


def _posted_message(report) -> str:
    return _("The file was posted: %(lines)d lines in %(declarations)d declarations.") % {
        "lines": report.posted_lines,
        "declarations": report.declarations,
    }


# Payments -------------------------------------------------------------------------------


@action_required("payment.create")
def payment_record(request):
    initial = {"unit": request.GET.get("unit", ""), "paid_on": clock.today()}
    form = forms.PaymentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = desk_selectors.unit_by_uscc(data["unit"])
        if unit is None:
            form.add_error("unit", _("no unit is registered with this code"))
        else:
            try:
                payment = services.payment_record(
                    actor=request.user,
                    unit_id=unit.pk,
                    amount=data["amount"].strip(),
                    paid_on=data["paid_on"],
                    reference=data["reference"].strip(),
                    idempotency_key=data["idempotency_key"],
                )
            except ShebaoError as exc:
                show_refusal(form, exc)
            else:
                messages.success(request, _payment_message(payment, unit))
                return redirect("web:desk-payment-record")
    return render(
        request,
        "web/desk/contributions/payment.html",
        _context(
            request,
            "web:desk-payment-record",
            _("Record a payment"),
            form=form,
            payments=desk_selectors.recent_payments(),
        ),
    )


def _payment_message(payment, unit) -> str:
    allocations = selectors.payment_allocations(payment)
    principal = sum((a.principal for a in allocations), ZERO)
    fees = sum((a.late_fee for a in allocations), ZERO)
    return _(
        "Payment of %(amount)s yuan recorded for %(unit)s: %(principal)s to premiums, "
        "%(fees)s to late fees, %(over)s held as an overpayment."
    ) % {
        "amount": f"{payment.amount:,.2f}",
        "unit": unit.name,
        "principal": f"{principal:,.2f}",
        "fees": f"{fees:,.2f}",
        "over": f"{payment.overpaid:,.2f}",
    }


# Arrears --------------------------------------------------------------------------------


@action_required("payment.view")
def arrears(request):
    today = clock.today()
    rows = desk_selectors.units_in_arrears(today)
    return render(
        request,
        "web/desk/contributions/arrears.html",
        _context(
            request,
            "web:desk-arrears",
            _("Arrears"),
            rows=rows,
            today=today,
            total=sum((r["total"] for r in rows), ZERO),
            may_record=roles.can(request.user.role, "payment.create"),
        ),
    )


@action_required("payment.view")
def unit_arrears(request, unit_id: int):
    unit = desk_selectors.unit_by_id(unit_id)
    if unit is None:
        raise Http404
    today = clock.today()
    return render(
        request,
        "web/desk/contributions/unit_arrears.html",
        _context(
            request,
            "web:desk-arrears",
            _("Arrears of %(unit)s") % {"unit": unit.name},
            unit=unit,
            arrears=selectors.unit_arrears(unit, as_of=today),
            today=today,
            may_record=roles.can(request.user.role, "payment.create"),
        ),
    )


# Interest -------------------------------------------------------------------------------


@action_required("interest.credit")
def interest(request):
    today = clock.today()
    form = forms.InterestForm(request.POST or None, initial={"year": today.year - 1})
    run = None
    if request.method == "POST" and form.is_valid():
        try:
            run = services.interest_credit_year(actor=request.user, year=form.cleaned_data["year"])
        except ShebaoError as exc:
            show_refusal(form, exc)
    template = "web/desk/contributions/interest.html"
    return render(
        request,
        template + "#interest-area" if request.htmx else template,
        _context(
            request,
            "web:desk-interest",
            _("Interest crediting"),
            form=form,
            run=run,
            years=desk_selectors.interest_years(),
        ),
    )

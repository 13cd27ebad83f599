"""``/unit/declare/``: the representative declares a month of wages, by a form (one line
per open employee, the wage prefilled from the employment) or by uploading a CSV or XLSX
file. Both go through the ledger's one declaration path
(``ledger.services.declarations_submit``; a file through ``ledger.imports``, with the
upload limits), and every bad line comes back with its number and reason."""

import io

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shebao.core import clock
from shebao.core.errors import ShebaoError
from shebao.ledger import imports, services
from shebao.ledger.services.declarations import DeclarationReport, DeclaredLine
from shebao.registry import domain
from shebao.registry import selectors as registry_selectors
from shebao.web.access import unit_rep_required
from shebao.web.desk.contributions import views as desk_contributions
from shebao.web.forms import show_refusal
from shebao.web.unit import forms
from shebao.web.unit.views import own_unit


def _open_employments(request, unit) -> list:
    return list(
        registry_selectors.unit_employments(
            user=request.user, unit_id=unit.pk, status=domain.EMPLOYMENT_OPEN
        )
    )


def _submit_form(request, unit, form: forms.DeclareForm) -> DeclarationReport:
    data = form.cleaned_data
    lines = [
        DeclaredLine(
            line=number,
            citizen_id=employment.person.citizen_id or "",
            passport_no=employment.person.passport_no or "",
            nationality=employment.person.nationality or "",
            wage=data[form.wage_field(employment)].strip(),
        )
        for number, employment in enumerate(form.employments, start=1)
    ]
    report = services.declarations_submit(
        actor=request.user,
        lines=lambda: iter(lines),
        unit=unit,
        period=data["period"].strip(),
        acknowledge_omissions=data["acknowledge_omissions"],
        source="portal",
    )
    # A bad line shows on its employee's wage.
    for error in report.errors:
        if 1 <= error.line <= len(form.employments):
            form.add_error(form.wage_field(form.employments[error.line - 1]), str(error.reason))
        else:
            form.add_error(None, str(error.reason))
    return report


@unit_rep_required
def declare(request):
    unit = own_unit(request)
    employments = _open_employments(request, unit)
    form = forms.DeclareForm(
        request.POST or None,
        employments=employments,
        initial={"period": clock.today().strftime("%Y-%m")},
    )
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = _submit_form(request, unit, form)
        except ShebaoError as exc:
            show_refusal(form, exc)
        else:
            if report.posted:
                messages.success(
                    request,
                    _("The declaration of %(period)s is posted: %(lines)d lines.")
                    % {"period": form.cleaned_data["period"], "lines": report.posted_lines},
                )
                return redirect("web:unit-statements")
    return render(
        request,
        "web/unit/declare.html",
        {
            "title": _("Declare a month"),
            "unit": unit,
            "form": form,
            "report": report,
        },
    )


def _import(request, unit, form: forms.UploadForm) -> DeclarationReport | None:
    data = form.cleaned_data
    upload = data["file"]
    limit = desk_contributions.MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        form.add_error("file", _("is larger than %(mb)d MB") % {"mb": limit // 2**20})
        return None
    content = upload.read()  # at most the limit: read once to check, once to post
    return imports.import_declarations(
        lambda: io.BytesIO(content),
        actor=request.user,
        unit=unit,
        period=data["period"].strip(),
        good_rows_only=data["good_rows_only"],
        acknowledge_omissions=data["acknowledge_omissions"],
        source="upload",
        limits=imports.upload_limits(),
    )


@unit_rep_required
def upload(request):
    unit = own_unit(request)
    form = forms.UploadForm(
        request.POST or None,
        request.FILES or None,
        initial={"period": clock.today().strftime("%Y-%m")},
    )
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = _import(request, unit, form)
        except ShebaoError as exc:
            show_refusal(form, exc)
        if report is not None and report.posted and not request.htmx:
            messages.success(request, desk_contributions._posted_message(report))
            return redirect("web:unit-statements")
    template = "web/unit/upload.html"
    return render(
        request,
        template + "#upload-area" if request.htmx else template,
        {
            "title": _("Upload a declaration file"),
            "unit": unit,
            "form": form,
            "report": report,
            "row_errors": desk_contributions._row_errors(report.errors) if report else [],
            "posted_message": desk_contributions._posted_message(report)
            if report and report.posted
            else "",
            "upload_url": reverse("web:unit-upload"),
            "declarations_url": reverse("web:unit-statements"),
        },
    )

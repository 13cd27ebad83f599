"""``/unit/arrears/``: what the unit owes today, month by month with the late fee to
date (the ledger's selectors, as the desk shows them), and a payment notice as PDF: what
to pay on a chosen day, the payment reference and the agency's bank account, with a
verification code that ``/verify/<code>`` checks."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from shebao.core import clock
from shebao.core.errors import ShebaoError
from shebao.documents.domain import format_verification_code, verify_path
from shebao.documents.payment_pdfs import payment_notice_pdf
from shebao.ledger import arrears as ledger_arrears
from shebao.ledger import selectors
from shebao.policy.collection import bank_account
from shebao.web.access import unit_rep_required
from shebao.web.forms import show_refusal
from shebao.web.unit import forms
from shebao.web.unit.views import own_unit


@unit_rep_required
def arrears(request):
    unit = own_unit(request)
    today = clock.today()
    form = forms.PaymentNoticeForm(request.POST or None, initial={"pay_on": today.isoformat()})
    if request.method == "POST" and form.is_valid():
        try:
            notice = ledger_arrears.payment_notice_issue(
                actor=request.user, unit_id=unit.pk, pay_on=form.cleaned_data["pay_on"]
            )
        except ShebaoError as exc:
            show_refusal(form, exc)
        else:
            messages.success(
                request,
                _("Payment notice %(number)s is ready: download it below.")
                % {"number": notice.certificate.number},
            )
            return redirect("web:unit-arrears")
    owed = selectors.unit_arrears(unit, as_of=today)
    return render(
        request,
        "web/unit/arrears.html",
        {
            "title": _("Arrears"),
            "unit": unit,
            "today": today,
            "arrears": owed,
            "account": bank_account(unit.region),
            "form": form,
            "notices": [
                {
                    "notice": notice,
                    "code": format_verification_code(notice.certificate.verification_code),
                    "total": notice.principal + notice.late_fee,
                }
                for notice in selectors.payment_notices(unit)
            ],
        },
    )


@unit_rep_required
def notice_pdf(request, notice_id: int):
    unit = own_unit(request)
    notice = selectors.payment_notice_get(unit, notice_id)
    if notice is None:
        raise Http404
    verify_url = request.build_absolute_uri(verify_path(notice.certificate.verification_code))
    response = HttpResponse(
        payment_notice_pdf(notice, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{notice.certificate.number}.pdf"'
    return response

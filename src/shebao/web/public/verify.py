"""``/verify/<code>``: what the QR code printed on a certificate opens, on a phone.

Valid or not, the kind of document, its number, the subject as the public may see it
(masked), the date it was issued (and revoked), and the issuing agency, in the reader's
language. The same check answers as JSON at ``/api/v1/certificates/<code>``.
``/verify/`` takes a code typed from the paper.
"""

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from shebao.clearance.selectors.certificates import issuing_region
from shebao.documents.domain import format_verification_code, normalise_verification_code
from shebao.inquiry import selectors


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        help_text=_("The 16 characters printed beside the QR code, e.g. 7K3M-Q9TA-2EFT-C01F."),
    )

    def clean_code(self):
        code = normalise_verification_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                _("A verification code has 16 letters and digits; check what you typed.")
            )
        return code


@require_safe
def verify_form(request):
    form = CodeForm(request.GET if "code" in request.GET else None, auto_id="verify-%s")
    if form.is_bound and form.is_valid():
        return redirect("web:verify", code=form.cleaned_data["code"])
    return render(request, "web/public/verify.html", {"title": _("Check a document"), "form": form})


@require_safe
def verify(request, code: str):
    check = selectors.certificate_check(verification_code=code)
    normalised = normalise_verification_code(code)
    context = {
        "title": _("Check a document"),
        "form": CodeForm(auto_id="verify-%s"),
        "checked": True,
        "check": check,
        "printed_code": format_verification_code(normalised) if normalised else code,
        "region": issuing_region(check.certificate) if check else None,
    }
    return render(request, "web/public/verify.html", context, status=200 if check else 404)

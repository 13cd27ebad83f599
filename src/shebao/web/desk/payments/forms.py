"""The payments page's action forms; the clearance services check every value."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ApproveForm(forms.Form):
    pass


class PaymentFileForm(forms.Form):
    pass


class PaidForm(forms.Form):
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=64)
    paid_on = forms.DateField(
        label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class FailedForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    bank_return_reference = forms.CharField(
        label=_("Bank's return reference"),
        max_length=64,
        required=False,
        help_text=_("Required when the order was sent to the bank in a payment file."),
    )


class ReissueForm(forms.Form):
    bank_account = forms.CharField(
        label=_("Corrected bank account"),
        max_length=34,
        required=False,
        help_text=_("Leave empty to pay to the same account again."),
    )
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    payee_name = forms.CharField(label=_("Payee's name"), max_length=200, required=False)

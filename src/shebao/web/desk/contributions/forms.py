"""The contributions pages' forms. Amounts, months and references are checked by the
ledger's own parsers in the services; these forms only collect the fields."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

MONTH_HELP = _("As YYYY-MM, e.g. 2025-05.")


class MonthInput(forms.TextInput):
    input_type = "month"


class DeclarationFilter(forms.Form):
    unit = forms.CharField(label=_("Unit (name or credit code)"), required=False, max_length=100)
    period = forms.CharField(
        label=_("Month"), required=False, max_length=7, widget=MonthInput(), help_text=MONTH_HELP
    )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Declaration file (CSV or XLSX)"),
        help_text=_(
            "A header row, then one row per employee: ID number (公民身份号码) and wage (工资); "
            "a file for several units or months also has the credit code (统一社会信用代码) "
            "and month (所属期) columns."
        ),
    )
    unit = forms.CharField(
        label=_("Unit's credit code"),
        required=False,
        max_length=18,
        help_text=_("Leave empty when the file has a credit code column."),
    )
    period = forms.CharField(
        label=_("Month"),
        required=False,
        max_length=7,
        widget=MonthInput(),
        help_text=_("Leave empty when the file has a month column."),
    )
    good_rows_only = forms.BooleanField(
        label=_("Post the good rows and leave out the rows with errors"), required=False
    )
    acknowledge_omissions = forms.BooleanField(
        label=_("I checked the employees the file leaves out: post it without them"),
        required=False,
    )


class PaymentForm(forms.Form):
    unit = forms.CharField(label=_("Unit's credit code"), max_length=18)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    reference = forms.CharField(label=_("Bank reference"), max_length=64)
    paid_on = forms.DateField(
        label=_("Date paid"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # One payment however often the form is sent (a double click, a reload).
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)


class InterestForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)

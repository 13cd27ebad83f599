"""The unit portal's forms. What the representative typed goes to the registry's and the
ledger's services, which check it; a refusal comes back on the form in their words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.web.desk.cases.forms import PayeeForm
from shebao.web.desk.contributions.forms import MonthInput
from shebao.web.desk.registry.forms import DATE


class HireForm(forms.Form):
    """A new hire, named by ID number and name (the name vouches for the number)."""

    citizen_id = forms.CharField(label=_("Citizen ID number"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=100)
    started_on = forms.CharField(label=_("Employment started on"), widget=DATE)
    monthly_wage = forms.CharField(label=_("Monthly wage (yuan)"), max_length=20)


class DeclareForm(forms.Form):
    """A month's declaration: one wage per open employee, prefilled from the employment."""

    period = forms.CharField(label=_("Month"), max_length=7, widget=MonthInput())
    acknowledge_omissions = forms.BooleanField(
        label=_("I checked the employees the declaration leaves out: post it without them"),
        required=False,
    )

    def __init__(self, *args, employments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.employments = list(employments)
        for employment in self.employments:
            self.fields[self.wage_field(employment)] = forms.CharField(
                label=employment.person.name,
                max_length=20,
                initial=f"{employment.monthly_wage:.2f}",
            )
        self.order_fields(["period", *[self.wage_field(e) for e in self.employments]])

    @staticmethod
    def wage_field(employment) -> str:
        return f"wage_{employment.pk}"

    def wage_lines(self):
        """The wage fields, one per employee, for the page's table."""
        return [(employment, self[self.wage_field(employment)]) for employment in self.employments]


class UploadForm(forms.Form):
    """A declaration file of the representative's own unit, for one month."""

    file = forms.FileField(
        label=_("Declaration file (CSV or XLSX)"),
        help_text=_(
            "A header row, then one row per employee: ID number (公民身份号码) and wage (工资)."
        ),
    )
    period = forms.CharField(label=_("Month"), max_length=7, widget=MonthInput())
    good_rows_only = forms.BooleanField(
        label=_("Post the good rows and leave out the rows with errors"), required=False
    )
    acknowledge_omissions = forms.BooleanField(
        label=_("I checked the employees the file leaves out: post it without them"),
        required=False,
    )


class PaymentNoticeForm(forms.Form):
    pay_on = forms.CharField(
        label=_("The day you will pay"),
        widget=DATE,
        help_text=_("The late fee is counted to this day. At most a month ahead."),
    )


class ClearanceForm(PayeeForm):
    """The unit's own clearance (cancellation) application: what ``case_create`` takes
    for a unit. The payee is where the unit's refund goes (the desk's payee fields,
    without heirs); a merger names the unit that takes the employees over."""

    reason = forms.ChoiceField(label=_("Reason"))
    event_date = forms.CharField(
        label=_("Date of the event"),
        widget=DATE,
        help_text=_("The day the unit was dissolved, deregistered, merged or its licence revoked."),
    )
    successor_code = forms.CharField(
        label=_("Credit code of the successor unit"),
        required=False,
        max_length=18,
        help_text=_("Only for a merger: the unit that takes the employees over."),
    )
    field_order = ["reason", "event_date"]

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in [name for name in self.fields if name.startswith("heir")]:
            del self.fields[name]
        self.fields["reason"].choices = [("", "—"), *reasons]

"""The registry desk's forms. They carry what the clerk typed to the registry services,
which check it: a refusal comes back on the form in the service's own words."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, ShebaoError
from shebao.registry.models import Person
from shebao.web.forms import show_refusal

DATE = forms.DateInput(attrs={"type": "date"})


def refuse(form: forms.Form, exc: ShebaoError) -> None:
    """The service's refusal on the form: on its fields, and a conflict's own message
    (already registered, already ended...) above them as well."""
    show_refusal(form, exc)
    message = str(exc.message)
    if isinstance(exc, Conflict) and message not in form.non_field_errors():
        form.add_error(None, message)


def _date(label, required=True, help_text=""):
    return forms.CharField(label=label, required=required, widget=DATE, help_text=help_text)


class AcknowledgingForm(forms.Form):
    """A form whose service may list warnings the clerk must acknowledge: they come back
    as checkboxes, and the same form sent again with them ticked goes through."""

    acknowledge_warnings = forms.MultipleChoiceField(
        label=_("I have checked these warnings"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self._acknowledgements()
        # Ticked ones travel on hidden (their ids are no text for people); the service's
        # refusal turns them into checkboxes labelled with what each warning says.
        if self.is_bound:
            field.choices = [(v, v) for v in self.data.getlist("acknowledge_warnings")]
        field.widget = forms.MultipleHiddenInput()

    def _acknowledgements(self) -> forms.MultipleChoiceField:
        field = self.fields["acknowledge_warnings"]
        assert isinstance(field, forms.MultipleChoiceField)
        return field

    def refuse(self, exc: ShebaoError) -> None:
        if exc.code != core_warnings.CODE:
            refuse(self, exc)
            return
        prefix = "warnings."
        field = self._acknowledgements()
        field.choices = [
            (name[len(prefix) :], str(message))
            for name, message in exc.fields.items()
            if name.startswith(prefix)
        ]
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        self.add_error(
            None, _("Check each warning below, tick it, and send the form again to go ahead.")
        )

    def acknowledged(self) -> list[str]:
        return list(self.cleaned_data.get("acknowledge_warnings") or [])


class NameSearchForm(forms.Form):
    q = forms.CharField(label=_("Name"), max_length=100, required=False)


class IdSearchForm(forms.Form):
    KINDS = [
        ("citizen_id", _("Citizen ID number")),
        ("passport_no", _("Passport number")),
    ]
    kind = forms.ChoiceField(label=_("Identity document"), choices=KINDS)
    number = forms.CharField(
        label=_("Whole number"),
        max_length=20,
        help_text=_("Searching by a whole number is recorded in the audit trail."),
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    citizen_id = forms.CharField(
        label=_("Citizen ID number"),
        max_length=18,
        required=False,
        help_text=_("18 characters. Birth date and sex are read from it."),
    )
    passport_no = forms.CharField(
        label=_("Passport number"),
        max_length=20,
        required=False,
        help_text=_("For a foreign national without a Chinese ID number."),
    )
    nationality = forms.CharField(
        label=_("Nationality"),
        max_length=3,
        required=False,
        help_text=_("For a foreign national: the three-letter country code of the passport."),
    )
    birth_date = _date(_("Birth date"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[("", _("Read from the ID number"))] + list(Person.Sex.choices),
    )


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Unit name"), max_length=200)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=18)
    region = forms.ChoiceField(label=_("Region"))
    established_on = _date(_("Established on"))
    received_on = _date(
        _("Application received on"),
        required=False,
        help_text=_("Leave empty for today."),
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)


class UnitEmployeeForm(AcknowledgingForm):
    """An employee registered from the unit's page: the person by ID number."""

    citizen_id = forms.CharField(label=_("Citizen ID number"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    started_on = _date(_("Employment started on"))
    monthly_wage = forms.CharField(label=_("Monthly wage (yuan)"), max_length=20)
    field_order = ["citizen_id", "name", "started_on", "monthly_wage", "acknowledge_warnings"]


class PersonEmploymentForm(AcknowledgingForm):
    """An employment registered from the person's page: the unit chosen from a list."""

    unit = forms.ChoiceField(label=_("Unit"))
    started_on = _date(_("Employment started on"))
    monthly_wage = forms.CharField(label=_("Monthly wage (yuan)"), max_length=20)
    field_order = ["unit", "started_on", "monthly_wage", "acknowledge_warnings"]

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", "—")] + [(str(u.pk), u.name) for u in units]


class EmploymentEndForm(forms.Form):
    ended_on = _date(_("Ended on"))
    reason = forms.ChoiceField(label=_("Reason"))

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—")] + list(reasons)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reasons for the rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class WorkInjuryForm(forms.Form):
    industry_class = forms.TypedChoiceField(label=_("Work-injury industry class"), coerce=int)
    work_injury_float_percent = forms.IntegerField(
        label=_("Rate as a percentage of the class rate"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=_("Leave empty to keep the present percentage."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)

    def __init__(self, *args, classes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["industry_class"].choices = [("", "—")] + list(classes)

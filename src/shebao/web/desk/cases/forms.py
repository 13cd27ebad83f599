"""The case pages' forms: the list's filters, opening a case, and the actions on a case."""

import re

from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from shebao.clearance import domain, selectors, services
from shebao.clearance.selectors import desk as desk_selectors
from shebao.core.errors import ShebaoError
from shebao.policy import packs
from shebao.web.desk.cases.names import SUBJECTS
from shebao.web.forms import show_refusal

HEIR_ROWS = 4
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _status_choices():
    return [("", _("All statuses"))] + [(s, domain.STATUS_NAMES[s]) for s in domain.STATUSES]


def _reason_choices(empty):
    groups = {"person": _("For a person"), "unit": _("For a unit")}
    return [("", empty)] + [
        (groups[subject], reasons) for subject, reasons in desk_selectors.reason_choices()
    ]


def _region_choices():
    return [("", _("Not a transfer"))] + [
        (region.code, str(region.names)) for region in packs.all_regions()
    ]


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Person or unit"),
        required=False,
        help_text=_("A name, or a full ID number, passport number or credit code"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_status_choices)
    reason = forms.ChoiceField(
        label=_("Reason"), required=False, choices=lambda: _reason_choices(_("All reasons"))
    )
    subject_type = forms.ChoiceField(
        label=_("Subject"),
        required=False,
        choices=[("", _("Persons and units")), *SUBJECTS.items()],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("opened", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("due", _("Most urgent time limit")),
            ("status", _("Status")),
            ("reason", _("Reason")),
        ],
    )


class PayeeForm(forms.Form):
    """The payee (the person, a unit, the destination agency) or the heirs, as the
    services take them."""

    payee_name = forms.CharField(label=_("Account holder's name"), required=False, max_length=200)
    payee_bank_account = forms.CharField(label=_("Bank account"), required=False, max_length=40)
    payee_bank_name = forms.CharField(label=_("Bank"), required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.heir_numbers: list[int] = []
        for n in range(1, HEIR_ROWS + 1):
            self.fields[f"heir{n}_name"] = forms.CharField(
                label=_("Name"), required=False, max_length=200
            )
            self.fields[f"heir{n}_citizen_id"] = forms.CharField(
                label=_("ID number"), required=False, max_length=18
            )
            self.fields[f"heir{n}_share_percent"] = forms.DecimalField(
                label=_("Share in per cent"), required=False, max_digits=5, decimal_places=2
            )
            self.fields[f"heir{n}_bank_account"] = forms.CharField(
                label=_("Bank account"), required=False, max_length=40
            )
            self.fields[f"heir{n}_bank_name"] = forms.CharField(
                label=_("Bank"), required=False, max_length=100
            )

    def heir_rows(self):
        """The heirs' fields, one list of bound fields per heir."""
        names = ("name", "citizen_id", "share_percent", "bank_account", "bank_name")
        return [[self[f"heir{n}_{name}"] for name in names] for n in range(1, HEIR_ROWS + 1)]

    def payee_fields(self):
        return [self[name] for name in ("payee_name", "payee_bank_account", "payee_bank_name")]

    def payee(self) -> dict | None:
        data = self.cleaned_data
        payee = {
            "name": data.get("payee_name") or "",
            "bank_account": data.get("payee_bank_account") or "",
            "bank_name": data.get("payee_bank_name") or "",
        }
        return payee if any(payee.values()) else None

    def heirs(self) -> list[dict] | None:
        data = self.cleaned_data
        heirs = []
        self.heir_numbers = []
        for n in range(1, HEIR_ROWS + 1):
            row = {
                "name": data.get(f"heir{n}_name") or "",
                "citizen_id": data.get(f"heir{n}_citizen_id") or "",
                "share_percent": data.get(f"heir{n}_share_percent"),
                "bank_account": data.get(f"heir{n}_bank_account") or "",
                "bank_name": data.get(f"heir{n}_bank_name") or "",
            }
            if any(v not in (None, "") for v in row.values()):
                if row["share_percent"] is not None:
                    row["share_percent"] = str(row["share_percent"])
                heirs.append(row)
                self.heir_numbers.append(n)
        return heirs or None


class CaseOpenForm(PayeeForm):
    """What ``case_create`` takes; the subject is found by its identifier."""

    reason = forms.ChoiceField(
        label=_("Reason"), choices=lambda: _reason_choices(_("Choose a reason"))
    )
    identifier = forms.CharField(
        label=_("ID number, passport number or credit code"),
        max_length=40,
        required=False,
        help_text=_("The full number of the person (or the unit's credit code)"),
    )
    subject = forms.CharField(required=False, widget=forms.HiddenInput)
    event_date = forms.DateField(
        label=_("Date of the event"),
        widget=DATE,
        help_text=_("The death, the loss of nationality, the departure, the unit's end..."),
    )
    destination_region = forms.ChoiceField(
        label=_("Region the person moves to"), required=False, choices=_region_choices
    )
    successor_code = forms.CharField(
        label=_("Credit code of the successor unit"), required=False, max_length=18
    )
    acknowledged = forms.BooleanField(
        label=_("The person confirmed in writing what the agency explained"), required=False
    )

    field_order = ["reason", "identifier", "subject", "event_date"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs.update(
            {"hx-target": "#reason-info", "hx-trigger": "change", "hx-swap": "innerHTML"}
        )

    def main_fields(self):
        return [self[name] for name in ("reason", "identifier", "event_date")]


# A service names its fields as the API does ("payee.name", "heirs.0.citizen_id"); the
# form's fields are named for the page.
_SERVICE_FIELDS = {
    "payee.name": "payee_name",
    "payee.bank_account": "payee_bank_account",
    "payee.bank_name": "payee_bank_name",
    "payee": "payee_name",
    "successor_unit_id": "successor_code",
    "subject_id": "identifier",
}
_HEIR_FIELD = re.compile(r"^heirs\.(\d+)\.(\w+)$")


def place_refusal(form: forms.Form, exc: ShebaoError, heir_numbers=()) -> None:
    """A service's refusal on the form: each field error on the field it concerns (an
    heir's by the number the form gave that heir)."""

    def field_for(name: str) -> str:
        match = _HEIR_FIELD.match(name)
        if match is None:
            return _SERVICE_FIELDS.get(name, name)
        index = int(match.group(1))
        number = heir_numbers[index] if index < len(heir_numbers) else index + 1
        return f"heir{number}_{match.group(2)}"

    show_refusal(form, exc, field_for)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Material"))
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, kinds=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = list(kinds)


def store_posted_material(request, case) -> UploadForm | None:
    """Store the material posted against the case's checklist through ``material_add``,
    the service the desk, the person's and the unit's pages and the API share. None when
    it is stored (the page says so); else the form with the reason it was not."""
    kinds = [(item.code, str(item.names)) for item in selectors.checklist(case)]
    form = UploadForm(request.POST, request.FILES, kinds=kinds)
    if not form.is_valid():
        return form
    upload = form.cleaned_data["file"]
    try:
        services.material_add(
            actor=request.user,
            case_id=case.pk,
            kind=form.cleaned_data["kind"],
            file_name=upload.name or "",
            data=upload.read(),
        )
    except ShebaoError as exc:
        place_refusal(form, exc)
        return form
    messages.success(request, _("The material is stored."))
    return None

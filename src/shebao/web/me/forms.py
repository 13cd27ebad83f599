"""The application wizard's forms: the reason and the date of the event (step 1), then
the acknowledgement and where the money goes (step 2), as ``case_create`` takes them."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shebao.policy import clearance as clearance_policy
from shebao.policy import packs

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A person applies for themself: a death is reported by the heirs, at the desk.
SELF_PAYEES = ("self", "destination_agency")


def reason_choices():
    policy = clearance_policy.clearance_policy(None)
    reasons = [
        (r.code, str(r.names))
        for r in policy.reasons_for("person")
        if r.disposition.payee in SELF_PAYEES
    ]
    others = [
        (code, str(refusal.names))
        for code, refusal in policy.refusals.items()
        if refusal.subject == "person"
    ]
    return [
        ("", _("Choose what happened")),
        (_("Ending or moving the insurance"), reasons),
        (_("Other situations (not a clearance)"), others),
    ]


def region_choices():
    return [("", _("Choose the region"))] + [
        (region.code, str(region.names)) for region in packs.all_regions()
    ]


class ReasonForm(forms.Form):
    reason = forms.ChoiceField(label=_("What happened"), choices=reason_choices)
    event_date = forms.DateField(
        label=_("Date of the event"),
        widget=DATE,
        help_text=_("For example the day the nationality was lost or the job ended."),
    )


class ApplyForm(ReasonForm):
    acknowledged = forms.BooleanField(
        label=_(
            "I have read what the agency explains above and confirm that I want my "
            "insurance ended and the account settled."
        ),
        required=False,
    )
    destination_region = forms.ChoiceField(
        label=_("Region you move to"), required=False, choices=region_choices
    )
    payee_name = forms.CharField(label=_("Account holder's name"), required=False, max_length=200)
    payee_bank_account = forms.CharField(label=_("Bank account"), required=False, max_length=40)
    payee_bank_name = forms.CharField(label=_("Bank"), required=False, max_length=100)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["acknowledged"].label_suffix = ""  # the statement ends with its own stop
        self.fields["reason"].widget = forms.HiddenInput()
        self.fields["event_date"].widget = forms.HiddenInput()

    def payee(self) -> dict | None:
        data = self.cleaned_data
        payee = {
            "name": data.get("payee_name") or "",
            "bank_account": data.get("payee_bank_account") or "",
            "bank_name": data.get("payee_bank_name") or "",
        }
        return payee if any(payee.values()) else None

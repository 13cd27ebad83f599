"""``/guide/``: the clearance guide for the public, no login.

The visitor says who is asking (a person or a unit) and what happened, either by
choosing the reason by its name or by answering three questions (what happened, when,
and which nationality), and gets whether clearance applies at all, what happens to the
balance and why, the materials, the five steps, every time limit as a date, and where
to apply; and, from a unit's establishment or hiring date, the registration deadlines
and what missing them costs. Plain GET forms: the answer is a page that can be linked,
printed and refreshed in place by htmx.
"""

import datetime

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from shebao.core import clock
from shebao.core.errors import ShebaoError
from shebao.inquiry import selectors
from shebao.policy.clearance import PERSON, UNIT
from shebao.web.forms import show_refusal

SUBJECT_CHOICES = [(PERSON, _("An insured person")), (UNIT, _("A unit (employer)"))]

SITUATION_CHOICES = [
    ("died", _("The insured person died")),
    ("job_other_region", _("I took a job in another city or province")),
    ("job_same_region", _("I changed employer in the same city")),
    (
        "retired_with_minimum",
        _("I reached retirement age with the minimum contribution period (15 years) or more"),
    ),
    (
        "retired_short_of_minimum",
        _("I reached retirement age with less than the minimum contribution period"),
    ),
    ("hukou_moved", _("My household registration moved to another region")),
    ("leaving_country", _("I am leaving, or have left, China (or the mainland) to live abroad")),
]
NATIONALITY_CHOICES = [
    ("prc_citizen", _("Citizen of the People's Republic of China")),
    ("former_prc_citizen", _("Former PRC citizen who has acquired another nationality")),
    ("foreign_national", _("Foreign national")),
    ("hmt_resident", _("Resident of Hong Kong, Macao or Taiwan")),
]

# Who must act by a time limit (the ``who`` of an obligation).
WHO_NAMES = {
    "unit": _("The unit"),
    "agency": _("The agency"),
    "unit_or_family": _("The unit or the family"),
    "person": _("The person"),
}

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Django's own message repeats the value sent, which may be any code.
NOT_LISTED = {"invalid_choice": _("Choose one of the listed options.")}


def _region_choices():
    return [("", _("National rules (any region)"))] + [
        (region.code, str(region.names)) for region in selectors.region_list()
    ]


class GuideForm(forms.Form):
    """Both ways to ask: ``reason`` chosen by name, or ``situation`` (and ``nationality``)
    answered; ``event_date`` dates the time limits."""

    subject = forms.ChoiceField(choices=SUBJECT_CHOICES, required=False, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label=_("What happened"), required=False, error_messages=NOT_LISTED)
    situation = forms.ChoiceField(
        label=_("What happened"),
        choices=SITUATION_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages=NOT_LISTED,
    )
    nationality = forms.ChoiceField(
        label=_("Your nationality"),
        choices=NATIONALITY_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages=NOT_LISTED,
    )
    event_date = forms.DateField(
        label=_("When it happened"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The time limits are counted from this date."),
    )
    applied_on = forms.DateField(
        label=_("When you will apply (optional)"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The agency's own time limits run from the day it receives the application."),
    )
    region = forms.ChoiceField(
        label=_("Where you are insured"), required=False, error_messages=NOT_LISTED
    )

    def __init__(self, *args, subject: str, **kwargs):
        super().__init__(*args, **kwargs)
        regions = _region_choices()
        self._choices("region", regions)
        region = self.data.get("region") or None
        listing = selectors.clearance_reasons(
            subject=subject, region=region if region in {code for code, _n in regions} else None
        )
        self._choices(
            "reason",
            [("", _("Choose…"))] + [(reason.code, str(reason.names)) for reason in listing.reasons],
        )

    def clean(self):
        data = super().clean()
        if data.get("situation") == "leaving_country" and not data.get("nationality"):
            self.add_error(
                "nationality",
                _("Say which nationality you hold: it decides whether the account is kept."),
            )
        return data

    def _choices(self, name: str, choices: list) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices


class DutiesForm(forms.Form):
    """A unit's registration duties: the deadlines an establishment or a hiring starts."""

    established_on = forms.DateField(
        label=_("Date the unit was established"), required=False, widget=DATE_WIDGET
    )
    hired_on = forms.DateField(
        label=_("Date an employee started work"), required=False, widget=DATE_WIDGET
    )


# The events the duties form dates, with the field that gives each its date.
DUTY_EVENTS = (("established_on", "unit_established"), ("hired_on", "employment_started"))


def _answer(form: GuideForm, subject: str):
    """The dated guide the valid ``form`` asks for, or None (the refusal is on the form)."""
    data = form.cleaned_data
    reason = data.get("reason")
    try:
        if data.get("situation"):
            subject = PERSON
            reason = selectors.reason_for_answers(
                situation=data["situation"], nationality=data.get("nationality") or None
            )
        if not reason:
            return None
        return selectors.clearance_guide_on(
            subject=subject,
            reason=reason,
            event_on=data.get("event_date") or clock.today(),
            applied_on=data.get("applied_on"),
            region=data.get("region") or None,
        )
    except ShebaoError as exc:
        show_refusal(form, exc)
        return None


def _duties(form: DutiesForm) -> list:
    if not form.is_valid():
        return []
    answers = []
    for field, event in DUTY_EVENTS:
        day: datetime.date | None = form.cleaned_data.get(field)
        if day is not None:
            try:
                answers.append(selectors.obligations_for_event(event=event, day=day))
            except ShebaoError as exc:
                show_refusal(form, exc)
    return answers


def _rows(items) -> list[dict]:
    """Time limits (dated guide limits or due obligations) with the name of who acts."""
    return [{"item": item, "who": WHO_NAMES.get(item.obligation.who, "")} for item in items]


@require_safe
def guide(request):
    subject = request.GET.get("subject")
    subject = subject if subject in (PERSON, UNIT) else PERSON
    # Two forms ask the same question two ways; the one the visitor sent is bound.
    by_questions = "situation" in request.GET
    by_reason = "reason" in request.GET and not by_questions
    form = GuideForm(request.GET if by_reason else None, subject=subject, auto_id="reason-%s")
    questions = GuideForm(
        request.GET if by_questions else None, subject=PERSON, auto_id="questions-%s"
    )
    asked = form if by_reason else questions if by_questions else None
    answer = None
    if asked is not None and asked.is_valid():
        answer = _answer(asked, subject)
    duties_form = DutiesForm(
        request.GET if {"established_on", "hired_on"} & set(request.GET) else None,
        auto_id="duties-%s",
    )
    duties = _duties(duties_form) if duties_form.is_bound else []
    context = {
        "title": _("Clearance guide"),
        "subject": subject,
        "subjects": SUBJECT_CHOICES,
        "form": form,
        "questions": questions,
        "asked": asked,
        "answer": answer,
        "limits": _rows(answer.time_limits) if answer else [],
        "dated_from_today": answer is not None and not asked.cleaned_data.get("event_date"),
        "duties_form": duties_form,
        "duties": [{"answer": d, "rows": _rows(d.items)} for d in duties],
        "today": clock.today(),
    }
    template = "web/public/guide.html"
    if request.htmx and request.htmx.target in ("answer", "duties"):
        template += f"#{request.htmx.target}"
    return render(request, template, context)

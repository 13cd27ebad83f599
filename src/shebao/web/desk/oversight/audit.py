"""``/desk/audit/``: the audit trail, filtered by actor, action, target and dates, newest
first, with the chain's verification status (the check ``shebao verify`` runs first).

The verification reads every event, so its result is kept for a few minutes with the time
it was made; "Verify again" runs it at once.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shebao.accounts import domain as roles
from shebao.audit import names
from shebao.audit import selectors as audit_selectors
from shebao.audit.checks import audit_guards
from shebao.core import clock
from shebao.web.access import action_required

PAGE_SIZE = 50
# How long a verification is shown before the page runs it again.
VERIFICATION_KEPT = datetime.timedelta(minutes=10)
VERIFICATION_KEY = "desk:audit-chain-verification"
SYSTEM = "system"


def _action_choices() -> list[tuple[str, str]]:
    codes = set(names.ACTION_NAMES) | set(audit_selectors.audit_actions_recorded())
    named = sorted(((code, names.action_name(code)) for code in codes), key=lambda c: c[1])
    return [("", _("All actions")), *named]


def _target_choices() -> list[tuple[str, str]]:
    types = set(names.TARGET_NAMES) | set(audit_selectors.audit_target_types_recorded())
    named = sorted(((code, names.target_name(code)) for code in types), key=lambda c: c[1])
    return [("", _("All kinds of record")), *named]


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)
    action = forms.ChoiceField(label=gettext_lazy("Action"), required=False)
    target_type = forms.ChoiceField(label=gettext_lazy("Kind of record"), required=False)
    target_id = forms.CharField(label=gettext_lazy("Record number"), required=False, max_length=64)
    occurred_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_to = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = _action_choices()
        self.fields["target_type"].choices = _target_choices()

    def clean(self):
        data = super().clean()
        start, end = data.get("occurred_from"), data.get("occurred_to")
        if start and end and start > end:
            self.add_error("occurred_to", _("must not be before the first day"))
        return data


def _verification(*, again: bool = False) -> dict:
    """The chain's last verification (run now if none is kept, or if ``again``)."""
    kept = None if again else cache.get(VERIFICATION_KEY)
    if kept is not None:
        return kept
    report = audit_selectors.audit_chain_verify()
    guards = audit_guards()
    result = {
        "ok": report.ok and guards.ok,
        "chain_ok": report.ok,
        "guards_ok": guards.ok,
        "checked": report.checked,
        "broken_at": report.first_broken_sequence,
        "anchored_at": report.anchor.sequence if report.anchor is not None else None,
        "checked_at": clock.now(),
    }
    cache.set(VERIFICATION_KEY, result, VERIFICATION_KEPT.total_seconds())
    return result


def _shown(event) -> dict:
    system = event.actor_id is None and event.actor_role == SYSTEM
    return {
        "sequence": event.sequence,
        "occurred_at": timezone.localtime(event.occurred_at),
        "actor": _("System") if system else event.actor_name,
        "role": "" if system else roles.role_name(event.actor_role),
        "action": names.action_name(event.action),
        "target": names.target_name(event.target_type),
        "target_id": event.target_id,
        "link": _desk_link(event.target_type, event.target_id),
    }


# Records the desk has a page for.
DESK_PAGES = {
    "clearance.clearancecase": "/desk/cases/{}/",
    "registry.person": "/desk/persons/{}/",
    "registry.unit": "/desk/units/{}/",
    "accounts.user": "/desk/users/{}/",
}


def _desk_link(target_type: str, target_id: str) -> str:
    page = DESK_PAGES.get(target_type)
    return page.format(target_id) if page and target_id.isdigit() else ""


@action_required("audit.view")
def audit_trail(request):
    form = AuditFilterForm(request.GET or None)
    filters = {}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {
            "actor": data["actor"].strip(),
            "action": data["action"],
            "target_type": data["target_type"],
            "target_id": data["target_id"].strip(),
            "occurred_from": data["occurred_from"],
            "occurred_to": data["occurred_to"],
        }
    # A bad filter shows its errors, not the whole trail.
    events = (
        audit_selectors.audit_events(newest_first=True, **filters)
        if not form.is_bound or form.is_valid()
        else []
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [_shown(event) for event in page.object_list]
    if request.user.role != roles.ADMIN:  # only administrators open the users' pages
        for row in rows:
            if row["link"].startswith("/desk/users/"):
                row["link"] = ""
    return render(
        request,
        "web/desk/audit/index.html",
        {
            "title": _("Audit trail"),
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "verification": _verification(),
        },
    )


@require_POST
@action_required("audit.view")
def audit_verify(request):
    result = _verification(again=True)
    if result["ok"]:
        messages.success(request, _("The audit trail was verified: it is intact."))
    else:
        messages.error(request, _("The audit trail was verified: it is NOT intact."))
    return redirect("web:desk-audit")

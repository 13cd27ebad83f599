"""What the persons' and the units' pages share: records by id (or the 404 page), the
history of a record and its cases in words, and the roles that may take each action."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles
from shebao.audit import names as audit_names
from shebao.clearance import domain as clearance_domain
from shebao.clearance import selectors as clearance_selectors
from shebao.core.errors import NotFound
from shebao.registry import selectors


def case_rows(cases) -> list[dict]:
    """A person's or a unit's cases with their reason and status by name."""
    return [
        {
            "case": case,
            "status": str(clearance_domain.STATUS_NAMES.get(case.status, _("Unknown status"))),
            "reason": str(clearance_selectors.reason_of(case).names),
        }
        for case in cases
    ]


def history(*records) -> list[dict]:
    """The records' audit events (a person's and their employments', say), the latest
    first, each said in words."""
    events = sorted(
        (event for record in records for event in selectors.record_history(record)),
        key=lambda event: event.sequence,
        reverse=True,
    )
    return [
        {
            "at": event.occurred_at,
            "actor": event.actor_name if event.actor_id else _("the system"),
            "role": roles.role_name(event.actor_role) if event.actor_id else "",
            "what": audit_names.action_name(event.action),
        }
        for event in events
    ]


def may(user, action: str) -> bool:
    return roles.can(user.role, action)


def staff_may(action: str) -> frozenset[str]:
    """The staff roles that may take ``action`` (a unit's representative has its own pages)."""
    return roles.PERMISSIONS[action] & roles.STAFF_ROLES


def person_or_404(user, person_id):
    try:
        return selectors.person_get(user=user, person_id=person_id)
    except NotFound:
        raise Http404 from None


def unit_or_404(user, unit_id):
    try:
        return selectors.unit_get(user=user, unit_id=unit_id)
    except NotFound:
        raise Http404 from None


def employment_or_404(user, employment_id):
    try:
        return selectors.employment_get(user=user, employment_id=employment_id)
    except NotFound:
        raise Http404 from None

"""The helpers the stages of a clearance case share: the locked case (and order), the
timeline event, the transition, the time limits, the reasons text, the employments a
closing case ends."""

import datetime
import hashlib

from django.utils.translation import gettext_lazy as _

from shebao.accounts.types import Actor
from shebao.audit.domain import json_roundtrip
from shebao.audit.services import audit_record
from shebao.clearance import domain, selectors
from shebao.clearance.models import (
    CaseDeadline,
    CaseEvent,
    ClearanceCase,
    DisbursementOrder,
)
from shebao.core import clock, dates
from shebao.core.errors import Conflict, NotFound, invalid
from shebao.core.locking import get_or_404, lock_or_404
from shebao.core.periods import deadline
from shebao.policy import clearance as clearance_policy_module
from shebao.policy.employment import end_reason_codes
from shebao.registry import domain as registry_domain
from shebao.registry import services as registry_services

# Why an employment ends when a case closes it (``employment.yaml`` codes; "other" when
# the region's pack does not know the code).
EMPLOYMENT_END_REASON = {
    "death": "death",
    "insufficient_years_at_retirement": "retirement",
}
UNIT_EMPLOYMENT_END_REASON = "unit_terminated"


def _lock_case(actor: Actor, case_id) -> ClearanceCase:
    """The case, locked for the rest of the transaction; 404 when the actor may not see it."""
    case = lock_or_404(ClearanceCase, case_id)
    if not selectors.cases_visible(actor).filter(pk=case.pk).exists():
        raise NotFound()
    return case


def _event(
    case, *, actor: Actor, action, from_status="", to_status="", note="", data=None, key=None
):
    sequence = case.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    event = CaseEvent.objects.create(
        case=case,
        sequence=sequence + 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "username", "") or "system",
        actor_role=getattr(actor, "role", "") or "system",
        occurred_at=clock.now(),
        note=note,
        data=json_roundtrip(data or {}),
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        action=f"clearance.{action}",
        target=case,
        data={
            "from": from_status,
            "to": to_status,
            "note": note,
            **(data or {}),
        },
    )
    return event


def _transition(
    case, *, actor: Actor, action, note="", data=None, key=None, event_action=None
) -> str:
    """Move the case by ``action`` (checked against the table) and record it (as
    ``event_action`` on the timeline when that names it better)."""
    before = case.status
    case.status = domain.next_status(before, action)
    case.updated_at = clock.now()
    case.save()
    _event(
        case,
        actor=actor,
        action=event_action or action,
        from_status=before,
        to_status=case.status,
        note=note,
        data=data,
        key=key,
    )
    return before


def _start_deadlines(case, start_kind: str, start: datetime.date) -> None:
    """Open the time limits of the case's reason whose period starts now."""
    reason = selectors.reason_of(case)
    for code in reason.time_limits:
        obligation = selectors.obligation_for(case.region, code, start)
        if obligation is None or domain.STARTS.get(obligation.from_event) != start_kind:
            continue
        if not selectors.obligation_binds(case, obligation):
            continue
        counted = deadline(start, obligation.days, obligation.day_kind)
        CaseDeadline.objects.get_or_create(
            case=case,
            code=code,
            defaults={
                "who": obligation.who,
                "start": start,
                "days": obligation.days,
                "day_kind": obligation.day_kind,
                "due_on": counted.due_on,
                "calendar_fallback": counted.calendar_fallback,
            },
        )


def _fulfil_deadlines(case, action: str) -> None:
    """Mark done the time limits that ``action`` fulfils (by their starting event)."""
    today = clock.today()
    for row in case.deadlines.filter(done_on__isnull=True):
        obligation = selectors.obligation_for(case.region, row.code, row.start)
        if obligation is not None and domain.FULFILLED_BY.get(obligation.from_event) == action:
            row.done_on = today
            row.save(update_fields=["done_on"])


def _reasons_text(value, *, required: bool, field: str = "reasons") -> str:
    if isinstance(value, list | tuple):
        value = "; ".join(str(v).strip() for v in value if str(v).strip())
    if value is None or not str(value).strip():
        if required:
            raise invalid(field, _("give the reasons"))
        return ""
    text = str(value).strip()
    if len(text) > registry_domain.REASON_MAX:
        raise invalid(
            field, _("may be at most %(n)d characters") % {"n": registry_domain.REASON_MAX}
        )
    return text


def _acknowledgement_version(text) -> str:
    return hashlib.sha256(f"{text.zh}\n{text.en}".encode()).hexdigest()


def _noun(subject_type):
    return clearance_policy_module.SUBJECT_NOUNS.get(subject_type, subject_type)


def _refuse_while_awaiting_audit(case) -> None:
    """Liquidation and payment wait for the new approval a change of payees asked for."""
    if selectors.awaiting_new_audit(case):
        raise Conflict(
            _(
                "The payees were changed after the audit: the case awaits a new approval "
                "before it is liquidated or paid."
            ),
            code="new_audit_required",
            fields={"status": case.status},
        )


def _open_employments(unit) -> int:
    return unit.employments.filter(status=registry_domain.EMPLOYMENT_OPEN).count()


def _end_employment(actor: Actor, employment, ended_on, reason_code, region) -> None:
    codes = end_reason_codes(region or None)
    reason_code = reason_code if reason_code in codes else "other"
    registry_services.employment_end(
        actor=actor,
        employment_id=employment.pk,
        ended_on=max(ended_on, employment.started_on),
        reason=reason_code,
    )


def _lock_order(actor: Actor, order_id) -> tuple[ClearanceCase, DisbursementOrder]:
    """The order and its case, both locked (the case first, as every writer of the case
    locks it); 404 when there is no such order or the actor may not see its case."""
    case = _lock_case(actor, get_or_404(DisbursementOrder, order_id).case_id)
    return case, lock_or_404(DisbursementOrder, order_id)


def _paid_on(value) -> datetime.date:
    day = dates.parse_date(value if value is not None else clock.today(), "paid_on")
    dates.not_in_future(day, "paid_on", clock.today())
    return day

"""Reading the audit trail, and checking that it is whole."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.db.models import QuerySet

from shebao.audit import domain
from shebao.audit.domain import ChainReport
from shebao.audit.models import AuditChainHead, AuditEvent


def _chain_head() -> domain.Head | None:
    head = AuditChainHead.objects.filter(pk=1).first()
    return None if head is None else (head.last_sequence, head.last_hash)


class AnchorFileError(ValueError):
    """The anchor file cannot be read as anchors."""


def audit_anchor_last(path) -> domain.Anchor | None:
    """The last anchor in ``path`` (one JSON object a line), or None if it holds none."""
    path = Path(path)
    if not path.exists():
        return None
    last = None
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
                last = domain.Anchor(
                    sequence=int(entry["sequence"]),
                    hash=str(entry["hash"]),
                    anchored_at=str(entry["anchored_at"]),
                )
            except (ValueError, KeyError, TypeError):
                raise AnchorFileError(f"{path}, line {number}: not an anchor") from None
    return last


def audit_chain_verify(
    *, chunk_size: int = 2000, anchor: domain.Anchor | None = None
) -> ChainReport:
    """Recompute every hash in order; report the first event whose link does not hold,
    and whether the chain still holds the last anchor (``anchor``, by default the last
    line of ``SHEBAO_AUDIT_ANCHOR_FILE`` when it is set).

    Safe on a running system: it locks nothing, and appends made while it reads are
    told apart from tampering (``domain.verify_chain``).
    """
    if anchor is None and settings.SHEBAO_AUDIT_ANCHOR_FILE:
        anchor = audit_anchor_last(settings.SHEBAO_AUDIT_ANCHOR_FILE)
    head = AuditChainHead.objects.filter(pk=1).first()
    head_before = None if head is None else (head.last_sequence, head.last_hash)
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    return domain.verify_chain(
        events,
        head_before=head_before,
        head_after=_chain_head,
        key=domain.audit_key(),
        unkeyed_until=head.unkeyed_until if head is not None else 0,
        unkeyed_seal_stored=head.unkeyed_seal if head is not None else "",
        anchor=anchor,
    )


def audit_events(
    *,
    target_type: str = "",
    target_id: str = "",
    action: str = "",
    actor: str = "",
    newest_first: bool = False,
    occurred_from: datetime.date | None = None,
    occurred_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events matching every filter given (an empty filter matches all), in chain order;
    ``occurred_from`` and ``occurred_to`` are local dates, both days included."""
    events = AuditEvent.objects.all()
    if occurred_from is not None:
        events = events.filter(occurred_at__date__gte=occurred_from)
    if occurred_to is not None:
        events = events.filter(occurred_at__date__lte=occurred_to)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_id:
        events = events.filter(target_id=str(target_id))
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor_name=actor)
    return events.order_by("-sequence" if newest_first else "sequence")


def history_for(target_type: str, target_id) -> list[AuditEvent]:
    return list(audit_events(target_type=target_type, target_id=str(target_id)))


def audit_actions_recorded() -> list[str]:
    """The action codes the trail holds, each once."""
    return list(AuditEvent.objects.order_by().values_list("action", flat=True).distinct())


def audit_target_types_recorded() -> list[str]:
    """The kinds of record (``app.model``) the trail's events are about, each once."""
    return list(
        AuditEvent.objects.exclude(target_type="")
        .order_by()
        .values_list("target_type", flat=True)
        .distinct()
    )

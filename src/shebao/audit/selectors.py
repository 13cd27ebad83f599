"""Reading the audit trail, and checking that it is whole."""

from django.db.models import QuerySet

from shebao.audit import domain
from shebao.audit.domain import ChainReport
from shebao.audit.models import AuditChainHead, AuditEvent


def _chain_head() -> domain.Head | None:
    head = AuditChainHead.objects.filter(pk=1).first()
    return None if head is None else (head.last_sequence, head.last_hash)


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first event whose link does not hold.

    Safe on a running system: it locks nothing, and appends made while it reads are
    told apart from tampering (``domain.verify_chain``).
    """
    head_before = _chain_head()
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size)
    return domain.verify_chain(events, head_before=head_before, head_after=_chain_head)


def audit_events(
    *,
    target_type: str = "",
    target_id: str = "",
    action: str = "",
    actor: str = "",
    newest_first: bool = False,
) -> QuerySet[AuditEvent]:
    """Events matching every filter given (an empty filter matches all), in chain order."""
    events = AuditEvent.objects.all()
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

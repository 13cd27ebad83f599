import dataclasses

from shebao.audit import domain
from shebao.audit.models import AuditChainHead, AuditEvent


@dataclasses.dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    problem: str = ""


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first event whose link does not hold."""
    expected_prev = domain.GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=chunk_size):
        if event.sequence != expected_sequence:
            return ChainReport(
                False, checked, expected_sequence, f"event {expected_sequence} is missing"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, checked, event.sequence, "its link to the previous event does not match"
            )
        if domain.event_hash(**domain.hashed_fields(event)) != event.hash:
            return ChainReport(
                False, checked, event.sequence, "its content was changed after it was written"
            )
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_sequence != checked or head.last_hash != expected_prev):
        return ChainReport(
            False, checked, checked + 1, "events at the end of the chain are missing"
        )
    return ChainReport(True, checked)


def history_for(target_type: str, target_id) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(target_type=target_type, target_id=str(target_id)).order_by(
            "sequence"
        )
    )

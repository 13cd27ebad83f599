"""Writing the audit trail: one append-only, hash-chained event per write or staff read."""

import json
import os

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from shebao.audit import domain
from shebao.audit.models import AuditChainHead, AuditEvent
from shebao.core import clock


def _target_key(target):
    return f"{target._meta.app_label}.{target._meta.model_name}", str(target.pk)


def audit_record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    target=None,
    target_type: str = "",
    target_id="",
    data: dict | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    ``actor`` is the acting user, or None for the system (a scheduled task, a migration).
    Writers queue on the single chain-head row, so concurrent appends form one chain.
    """
    if target is not None:
        target_type, target_id = _target_key(target)
    # Round-trip through canonical JSON so the stored data hashes the same when re-read.
    data = domain.json_roundtrip(data or {})
    # No savepoint: a failed append fails the caller's transaction anyway, and the two
    # statements of a savepoint would be two more round trips while the chain is locked.
    with transaction.atomic(savepoint=False):
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_sequence": 0, "last_hash": domain.GENESIS_HASH}
        )
        occurred_at = clock.now()
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            occurred_at=occurred_at,
            # By key: the user model lives above this package.
            actor_id=actor.pk if actor is not None and actor.pk else None,
            actor_name=getattr(actor, "username", "") or "system",
            actor_role=getattr(actor, "role", "") or "system",
            action=action,
            target_type=target_type,
            target_id=str(target_id),
            data=data,
            prev_hash=head.last_hash,
        )
        event.hash = domain.event_hash(key=domain.audit_key(), **domain.hashed_fields(event))
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(
            last_sequence=event.sequence, last_hash=event.hash
        )
    return event


# What a staff member looked at -> the action recorded for it.
PERSONAL_DATA_VIEWS = {
    "citizen_id": "person.id_revealed",
    "account": "person.account_viewed",
}


def audit_personal_data_view(
    *, actor: AbstractBaseUser | None, person, what: str, data: dict | None = None
) -> AuditEvent | None:
    """Record a staff member seeing a person's full ID number (``what="citizen_id"``) or
    their individual account (``what="account"``).

    Call it on every such read; it records only reads by agency staff (a person looking at
    their own record, or a unit at its employee's masked data, is not recorded), so callers
    need not decide. Returns the event, or None when nothing needed recording.
    """
    if what not in PERSONAL_DATA_VIEWS:
        raise ValueError(f"unknown personal data view {what!r}")
    if actor is None or not getattr(actor, "is_agency_staff", False):
        return None
    with transaction.atomic():
        return audit_record(
            actor=actor, action=PERSONAL_DATA_VIEWS[what], target=person, data=data or {}
        )


def audit_anchor_line() -> dict:
    """The chain head as an anchor: its sequence, its hash and when it was read."""
    head = AuditChainHead.objects.filter(pk=1).first()
    return {
        "sequence": head.last_sequence if head is not None else 0,
        "hash": head.last_hash if head is not None else domain.GENESIS_HASH,
        "anchored_at": clock.now().isoformat(timespec="seconds"),
    }


def audit_anchor_append(path) -> dict:
    """Append the chain head to ``path``, a file opened for appending only, and flush it to
    disk; the operator ships the file off the machine (or a write-once store holds it)."""
    line = audit_anchor_line()
    with open(path, "a", encoding="utf-8") as anchors:
        anchors.write(json.dumps(line, sort_keys=True) + "\n")
        anchors.flush()
        os.fsync(anchors.fileno())
    return line

"""The hash chain: each event's hash covers its content and the previous event's hash,
so changing, removing or reordering any stored event breaks every link after it.

The hash covers every column but the primary key and the hash itself: the sequence, the
time, the acting user (the account's id, and the name and role it had), the action, the
target and the data.
"""

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Callable, Iterable

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64


def canonical_json(value) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def event_hash(
    *,
    sequence,
    occurred_at,
    actor_id,
    actor_name,
    actor_role,
    action,
    target_type,
    target_id,
    data,
    prev_hash,
) -> str:
    payload = canonical_json(
        [
            sequence,
            occurred_at,
            actor_id,
            actor_name,
            actor_role,
            action,
            target_type,
            target_id,
            data,
            prev_hash,
        ]
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def json_roundtrip(data):
    return json.loads(canonical_json(data))


def hashed_fields(event) -> dict:
    """The fields the hash covers, read the same way from a new or a stored event."""
    occurred = event.occurred_at.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return {
        "sequence": event.sequence,
        "occurred_at": occurred,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }


@dataclasses.dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    problem: str = ""
    last_hash: str = GENESIS_HASH


Head = tuple[int, str]  # the chain head row: (last_sequence, last_hash)


def verify_chain(
    events: Iterable, *, head_before: Head | None, head_after: Callable[[], Head | None]
) -> ChainReport:
    """Check ``events`` (in sequence order) link by link, then against the chain head that
    every append moves; report the first break.

    A changed event fails its own hash; a removed or reordered one breaks the link of the
    next; events removed from the end no longer reach the head; an event inserted without
    moving the head lies beyond it. The head is read just before and just after the events,
    so appends committed meanwhile by a running system are not mistaken for tampering:
    ``head_after`` is called once the events are consumed.
    """
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    for event in events:
        if event.sequence != expected_sequence:
            return ChainReport(
                False, checked, expected_sequence, f"event {expected_sequence} is missing"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(
                False, checked, event.sequence, "its link to the previous event does not match"
            )
        if event_hash(**hashed_fields(event)) != event.hash:
            return ChainReport(
                False, checked, event.sequence, "its content was changed after it was written"
            )
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    after = head_after()
    if after is None:
        if checked:
            return ChainReport(
                False, checked, checked + 1, "the chain head is missing: the end cannot be checked"
            )
        return ChainReport(True, 0)
    # Everything the head counted before the events were read was committed by then.
    if head_before is not None and head_before[0] > checked:
        return ChainReport(
            False, checked, checked + 1, "events at the end of the chain are missing"
        )
    after_sequence, after_hash = after
    if after_sequence < checked:
        return ChainReport(
            False,
            checked,
            after_sequence + 1,
            "it was added without going through the chain head",
        )
    if after_sequence == checked and after_hash != expected_prev:
        return ChainReport(
            False, checked, max(checked, 1), "it is not the last event the chain head recorded"
        )
    return ChainReport(True, checked, last_hash=expected_prev)

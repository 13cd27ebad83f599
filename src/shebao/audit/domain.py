"""The hash chain: each event's hash covers its content and the previous event's hash,
so changing, removing or reordering any stored event breaks every link after it.

The hash covers every column but the primary key and the hash itself: the sequence, the
time, the acting user (the account's id, and the name and role it had), the action, the
target and the data. It is an HMAC-SHA-256 keyed with ``SHEBAO_AUDIT_KEY``, which is kept
outside the database: someone who can write the database file can change an event, but
cannot compute the hashes that would make the chain agree again. Anchors (the head's
sequence and hash, copied off the machine by ``shebao audit-anchor``) catch what the key
alone cannot: a cut-off tail, or history rewritten by someone who also has the key.

Chains begun before the key was introduced keep their first events as plain SHA-256; the
chain head records how many, sealed with the key (``unkeyed_seal``).
"""

import dataclasses
import datetime
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64
_CONFIGURED = object()


def audit_key() -> bytes:
    """The chain's key from the settings (the one place this module reads them)."""
    from django.conf import settings

    return settings.SHEBAO_AUDIT_KEY.encode()


def _digest(key: bytes | None, payload: str) -> str:
    if key is None:  # events written before the chain was keyed
        return hashlib.sha256(payload.encode()).hexdigest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def unkeyed_seal(key: bytes | None, unkeyed_until: int) -> str:
    """The keyed proof of how many events predate the key, so that number cannot be raised
    by someone without the key to pass off a recomputed plain chain."""
    return _digest(key, canonical_json(["unkeyed_until", unkeyed_until]))


def canonical_json(value) -> str:
    return json.dumps(
        value, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )


def event_hash(
    *,
    key=_CONFIGURED,
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
    return _digest(audit_key() if key is _CONFIGURED else key, payload)


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


@dataclasses.dataclass(frozen=True)
class Anchor:
    """The chain head as ``shebao audit-anchor`` copied it out: every event up to
    ``sequence`` existed then, and event ``sequence`` had ``hash``."""

    sequence: int
    hash: str
    anchored_at: str


@dataclasses.dataclass
class ChainReport:
    ok: bool
    checked: int
    first_broken_sequence: int | None = None
    problem: str = ""
    last_hash: str = GENESIS_HASH
    anchor: Anchor | None = None


Head = tuple[int, str]  # the chain head row: (last_sequence, last_hash)


def verify_chain(
    events: Iterable,
    *,
    head_before: Head | None,
    head_after: Callable[[], Head | None],
    key=_CONFIGURED,
    unkeyed_until: int = 0,
    unkeyed_seal_stored: str = "",
    anchor: Anchor | None = None,
) -> ChainReport:
    """Check ``events`` (in sequence order) link by link, then against the chain head that
    every append moves and against the last anchor; report the first break.

    A changed event fails its own hash; a removed or reordered one breaks the link of the
    next; events removed from the end no longer reach the head; an event inserted without
    moving the head lies beyond it. The head is read just before and just after the events,
    so appends committed meanwhile by a running system are not mistaken for tampering:
    ``head_after`` is called once the events are consumed. An anchor beyond the last event
    means the end was cut off; an anchored event whose hash differs means history up to it
    was rewritten (by someone who had the key as well).
    """
    if key is _CONFIGURED:
        key = audit_key()
    if unkeyed_until and not hmac.compare_digest(
        unkeyed_seal_stored, unkeyed_seal(key, unkeyed_until)
    ):
        return ChainReport(
            False,
            0,
            1,
            "the record of the events written before the chain was keyed was altered, or "
            "SHEBAO_AUDIT_KEY is not the key it was sealed with",
            anchor=anchor,
        )
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
        event_key = None if event.sequence <= unkeyed_until else key
        if not hmac.compare_digest(event_hash(key=event_key, **hashed_fields(event)), event.hash):
            problem = "its content was changed after it was written"
            if event.sequence == unkeyed_until + 1:
                # Every event fails from here when the key itself is wrong.
                problem += ", or SHEBAO_AUDIT_KEY is not the key the chain was written with"
            return ChainReport(False, checked, event.sequence, problem)
        if anchor is not None and event.sequence == anchor.sequence and event.hash != anchor.hash:
            return ChainReport(
                False,
                checked,
                event.sequence,
                f"the anchored event {anchor.sequence} (anchored {anchor.anchored_at}) has "
                "another hash now: history up to it was rewritten",
                anchor=anchor,
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
    else:
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
    if anchor is not None and anchor.sequence > checked:
        return ChainReport(
            False,
            checked,
            checked + 1,
            f"the chain ends at event {checked}, but the anchored event {anchor.sequence} "
            f"existed on {anchor.anchored_at}: events at its end were removed",
            anchor=anchor,
        )
    return ChainReport(True, checked, last_hash=expected_prev, anchor=anchor)

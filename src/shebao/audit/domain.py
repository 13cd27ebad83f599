"""The hash chain: each event's hash covers its content and the previous event's hash,
so changing, removing or reordering any stored event breaks every link after it."""

import datetime
import hashlib
import json

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
        "actor_name": event.actor_name,
        "actor_role": event.actor_role,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "data": event.data,
        "prev_hash": event.prev_hash,
    }

"""``Idempotency-Key`` for writes that move money: a repeat does nothing more.

A key belongs to one user and one operation. The first request with a key records it,
with a fingerprint of the request and the record the action produced, in the action's
own transaction. A repeat with the same request answers that record and does nothing;
the same key with a different request is refused (422 ``idempotency_key_reused``), so a
mistaken reuse never passes for a success. The same key sent by another user, or to
another operation, is unrelated.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from shebao.core import clock
from shebao.core.errors import InvalidInput
from shebao.core.models import IdempotencyKey

HEADER = "Idempotency-Key"
MAX_LENGTH = 128

T = TypeVar("T", bound=models.Model)


def _canonical(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 500, 500.0 and 500.00 are one amount
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def fingerprint(request: dict) -> str:
    """SHA-256 of the request as canonical JSON: sorted keys, no spaces, amounts and
    dates by one text each."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()


def check_key(key) -> str | None:
    """The key as given, None when absent; 422 when it is empty or too long."""
    if key is None:
        return None
    if not isinstance(key, str) or not (0 < len(key) <= MAX_LENGTH):
        raise InvalidInput(
            fields={HEADER: _("must be 1 to %(n)d characters") % {"n": MAX_LENGTH}},
        )
    return key


def _reused() -> InvalidInput:
    return InvalidInput(
        _(
            "This Idempotency-Key was already used for a different request. "
            "Send a new key with a new request."
        ),
        code="idempotency_key_reused",
        fields={HEADER: _("already used for a different request")},
    )


def _repeat(earlier: IdempotencyKey, digest: str, load):
    if earlier.fingerprint != digest:
        raise _reused()
    return load(earlier.result_id)


def run_once(
    *,
    user: AbstractBaseUser | None,
    operation: str,
    key: str | None,
    request: dict,
    action: Callable[[], T],
    load: Callable[[str], T],
) -> T:
    """Run ``action`` once per ``(user, operation, key)``.

    ``request`` is what the caller asked for (body and path parameters); ``action``
    returns a model instance, whose primary key is kept; ``load`` fetches it again for a
    repeat. Without a key the action simply runs.
    """
    key = check_key(key)
    if key is None:
        return action()
    # By key, or none for the system: the user model lives above core.
    user_id = user.pk if user is not None and user.pk else None
    owner = {"user_id": user_id} if user_id is not None else {"user__isnull": True}
    digest = fingerprint(request)
    with transaction.atomic():
        earlier = IdempotencyKey.objects.filter(**owner, operation=operation, key=key).first()
        if earlier is not None:
            return _repeat(earlier, digest, load)
        try:
            # Claim the key before acting: a concurrent request with the same key
            # waits here on the unique index until this transaction ends.
            with transaction.atomic():
                record = IdempotencyKey.objects.create(
                    user_id=user_id,
                    operation=operation,
                    key=key,
                    fingerprint=digest,
                    created_at=clock.now(),
                )
        except IntegrityError:
            earlier = IdempotencyKey.objects.get(**owner, operation=operation, key=key)
            return _repeat(earlier, digest, load)
        result = action()
        record.result_type = result._meta.label_lower
        record.result_id = str(result.pk)
        record.save(update_fields=["result_type", "result_id"])
    return result

"""Tables shared by every domain package."""

from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """One ``Idempotency-Key`` a user sent to one operation that moves money.

    Written in the same transaction as the action it guards, so the key and the action
    commit together or not at all; the unique constraint makes two concurrent requests
    with the same key resolve to one action. ``fingerprint`` is the SHA-256 of the
    request (its body and path parameters, as canonical JSON): the same key with another
    request is refused rather than answered with the first result.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    operation = models.CharField(max_length=64)
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64)
    # The record the first request created (or acted on): a repeat answers with it.
    result_type = models.CharField(max_length=64, blank=True)
    result_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "operation", "key"], name="idempotency_key_once_per_user_operation"
            ),
        ]

    def __str__(self):
        return f"{self.operation} {self.key}"

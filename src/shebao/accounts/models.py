import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain


class User(AbstractUser):
    """A staff member or a member of the public; ``role`` says which and what they may do."""

    role = models.CharField(
        _("role"), max_length=16, choices=sorted(domain.ROLE_NAMES.items()), default=domain.PERSON
    )
    # Set by the demo builder: such an account shares the one published demo password, so
    # it never logs in under production settings and ``serve`` refuses to start beside it.
    is_demo = models.BooleanField(_("demo login"), default=False)

    @property
    def is_agency_staff(self) -> bool:
        return self.role in domain.STAFF_ROLES


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is stored: a database leak yields no usable token."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginFailure(models.Model):
    """One failed login, kept to throttle guessing by user name and by address."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)
    failed_at = models.DateTimeField(db_index=True)


class LoginThrottle(models.Model):
    """Failed logins of one user name from one address, and how long that pair must wait.

    Keyed by the pair, so one person's guesses never hold back the same user elsewhere or
    other users at the same address. ``failures`` counts every attempt whose password
    was checked since the last success; the attempt is counted before the check.
    """

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="login_throttle_pair")
        ]

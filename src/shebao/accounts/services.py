"""Logging in: API tokens and throttled password checks."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.models import ApiToken, LoginFailure, User
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.errors import TooManyRequests, Unauthenticated


def _recent_failures(*, username: str, address: str) -> tuple[int, int]:
    since = clock.now() - datetime.timedelta(minutes=settings.SHEBAO_LOGIN_LOCK_MINUTES)
    recent = LoginFailure.objects.filter(failed_at__gte=since)
    return (recent.filter(username=username).count(), recent.filter(address=address).count())


def login_check(*, username: str, password: str, address: str) -> User:
    """The user whose password this is, or an error; throttled by user name and address.

    After ``SHEBAO_LOGIN_MAX_FAILURES`` failures for one user name (or four times that
    from one address) within ``SHEBAO_LOGIN_LOCK_MINUTES``, every attempt is refused until
    the window has passed, even with the right password.
    """
    by_user, by_address = _recent_failures(username=username, address=address)
    limit = settings.SHEBAO_LOGIN_MAX_FAILURES
    if by_user >= limit or by_address >= 4 * limit:
        raise TooManyRequests(
            _("Too many failed logins. Try again in %(minutes)d minutes.")
            % {"minutes": settings.SHEBAO_LOGIN_LOCK_MINUTES},
            code="login_throttled",
        )
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        LoginFailure.objects.create(
            username=username[:150], address=address[:64], failed_at=clock.now()
        )
        raise Unauthenticated(_("Wrong user name or password."), code="invalid_credentials")
    return user


@transaction.atomic
def token_issue(*, username: str, password: str, address: str) -> str:
    """Check the password and issue a bearer token; only its hash is stored."""
    user = login_check(username=username, password=password, address=address)
    key = secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken.objects.create(
        user=user,
        key_hash=ApiToken.hash_key(key),
        created_at=now,
        expires_at=now + datetime.timedelta(days=settings.SHEBAO_API_TOKEN_DAYS),
    )
    audit_record(
        actor=user,
        action="auth.token_issued",
        target=token,
        data={"address": address, "expires_at": token.expires_at},
    )
    return key


def token_user(key: str) -> User | None:
    """The active user a live token belongs to, or None."""
    if not key:
        return None
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        # Coarse on purpose: one write per token per five minutes, not one per request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, user: User, key: str) -> None:
    token = (
        ApiToken.objects.select_for_update()
        .filter(key_hash=ApiToken.hash_key(key), user=user, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=user, action="auth.token_revoked", target=token)

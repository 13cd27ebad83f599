"""People and logging in: user accounts, API tokens and throttled password checks.

Every change to a user goes through these functions, whoever asks for it (the admin site,
the ``createuser`` command, the API), so each one is checked the same way and leaves an
audit event. ``actor`` is the acting user, or None for the system (a command run by the
operator on the server).
"""

import datetime
import math
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain
from shebao.accounts.models import ApiToken, LoginFailure, LoginThrottle, User
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.errors import (
    Conflict,
    InvalidInput,
    PermissionDenied,
    TooManyRequests,
    Unauthenticated,
)

# ---------------------------------------------------------------------------------------
# Checks shared by the user services


def _require_manager(actor: Actor, *, target: User | None = None) -> None:
    """Only an administrator (or the system) manages accounts; anyone may manage their own
    password. The admin site checks this too; the service refuses on its own as well."""
    if actor is None:
        return
    if target is not None and actor.pk == target.pk:
        return
    if not domain.can(getattr(actor, "role", None), "user.manage"):
        raise PermissionDenied(_("Only an administrator may change user accounts."))


def _clean_role(role: str) -> str:
    if role not in domain.ALL_ROLES:
        raise InvalidInput(
            _("Unknown role."),
            code="invalid_role",
            fields={
                "role": _("must be one of %(roles)s")
                % {"roles": ", ".join(sorted(domain.ALL_ROLES))}
            },
        )
    return role


def _clean_username(username: str) -> str:
    username = User.normalize_username((username or "").strip())
    field = User._meta.get_field("username")
    if not username:
        raise InvalidInput(fields={"username": _("is required")})
    try:
        field.run_validators(username)
    except ValidationError as exc:
        raise InvalidInput(fields={"username": " ".join(exc.messages)}) from None
    return username


def _clean_email(email: str) -> str:
    email = User.objects.normalize_email((email or "").strip())
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(fields={"email": _("is not a valid e-mail address")}) from None
    return email


def _check_password(password: str, user: User) -> None:
    """The configured validators (strict in production, none in the demo)."""
    if not password:
        raise InvalidInput(fields={"password": _("is required")})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            _("The password is too weak."),
            code="weak_password",
            fields={"password": " ".join(exc.messages)},
        ) from None


def _lock_user(user: User) -> User:
    return User.objects.select_for_update().get(pk=user.pk)


def _ensure_an_admin_remains(user: User) -> None:
    """Refuse to demote or deactivate the last active administrator: nobody could undo it."""
    others = (
        User.objects.select_for_update()
        .filter(role=domain.ADMIN, is_active=True)
        .exclude(pk=user.pk)
        .order_by("pk")
    )
    if user.role == domain.ADMIN and user.is_active and not list(others):
        raise Conflict(
            _("This is the last active administrator; appoint another one first."),
            code="last_admin",
        )


def _revoke_live_tokens(user: User) -> int:
    now = clock.now()
    live = list(
        ApiToken.objects.select_for_update()
        .filter(user=user, revoked_at__isnull=True, expires_at__gt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if live:
        ApiToken.objects.filter(pk__in=live).update(revoked_at=now)
    return len(live)


# ---------------------------------------------------------------------------------------
# Users


def user_create(
    *,
    actor: Actor,
    username: str,
    password: str | None,
    role: str,
    email: str = "",
    is_demo: bool = False,
) -> User:
    """A new account. Staff roles may open the admin site; only ``admin`` is a superuser.

    ``password=None`` makes an account that cannot log in with a password until one is set.
    ``is_demo`` marks the demo builder's logins, which production refuses.
    """
    _require_manager(actor)
    username = _clean_username(username)
    role = _clean_role(role)
    email = _clean_email(email)
    user = User(
        username=username, email=email, role=role, is_demo=is_demo, **domain.admin_flags(role)
    )
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise _username_taken()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            # Another request took the name between the check and the insert.
            raise _username_taken() from None
        audit_record(
            actor=actor,
            action="user.created",
            target=user,
            data={
                "username": username,
                "role": role,
                "email": email,
                **({"demo": True} if is_demo else {}),
            },
        )
    return user


def _username_taken() -> Conflict:
    return Conflict(
        _("That user name is taken."),
        code="username_taken",
        fields={"username": _("is already in use")},
    )


def user_update(
    *,
    actor: Actor,
    user: User,
    role: str | None = None,
    email: str | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Change the role or the contact details; the admin flags follow the role."""
    _require_manager(actor)
    wanted: dict[str, Any] = {}
    if role is not None:
        wanted["role"] = _clean_role(role)
    if email is not None:
        wanted["email"] = _clean_email(email)
    if first_name is not None:
        wanted["first_name"] = first_name.strip()[:150]
    if last_name is not None:
        wanted["last_name"] = last_name.strip()[:150]
    with transaction.atomic():
        locked = _lock_user(user)
        if "role" in wanted and wanted["role"] != locked.role:
            _ensure_an_admin_remains(locked)
            wanted.update(domain.admin_flags(wanted["role"]))
        changes = {
            name: [getattr(locked, name), value]
            for name, value in wanted.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return locked
        for name, (_old, new) in changes.items():
            setattr(locked, name, new)
        locked.save(update_fields=list(changes))
        audit_record(actor=actor, action="user.updated", target=locked, data={"changes": changes})
    return locked


def user_deactivate(*, actor: Actor, user: User) -> User:
    """Stop the account from logging in: its sessions stop working and its tokens are revoked.

    Accounts are never deleted: the audit trail names them.
    """
    _require_manager(actor)
    if actor is not None and actor.pk == user.pk:
        raise Conflict(_("You cannot deactivate your own account."), code="self_deactivation")
    with transaction.atomic():
        locked = _lock_user(user)
        if not locked.is_active:
            raise Conflict(_("The account is already inactive."), code="already_inactive")
        _ensure_an_admin_remains(locked)
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        revoked = _revoke_live_tokens(locked)
        audit_record(
            actor=actor, action="user.deactivated", target=locked, data={"tokens_revoked": revoked}
        )
    return locked


def user_activate(*, actor: Actor, user: User) -> User:
    _require_manager(actor)
    with transaction.atomic():
        locked = _lock_user(user)
        if locked.is_active:
            raise Conflict(_("The account is already active."), code="already_active")
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        audit_record(actor=actor, action="user.activated", target=locked)
    return locked


def demo_users_deactivate(*, actor: Actor) -> list[str]:
    """Stop every demo login: deactivated, password disabled, tokens revoked; the names of
    the accounts stopped.

    They are kept, not deleted: the audit trail names them, and the law requires it to be
    kept whole. Unlike ``user_deactivate`` this may stop the last administrator (the demo's
    ``admin``): create a real one with ``shebao createuser``.
    """
    _require_manager(actor)
    with transaction.atomic():
        users = list(
            User.objects.select_for_update().filter(is_demo=True, is_active=True).order_by("pk")
        )
        for user in users:
            user.is_active = False
            user.set_unusable_password()
            user.save(update_fields=["is_active", "password"])
            revoked = _revoke_live_tokens(user)
            audit_record(
                actor=actor,
                action="user.deactivated",
                target=user,
                data={"tokens_revoked": revoked, "demo": True},
            )
    return [user.username for user in users]


def user_set_password(*, actor: Actor, user: User, password: str | None) -> User:
    """Set a new password (or, with None, disable password logins) and revoke the account's
    API tokens, as a password change also ends its other browser sessions."""
    _require_manager(actor, target=user)
    if password is not None:
        _check_password(password, user)
    with transaction.atomic():
        locked = _lock_user(user)
        if password is None:
            locked.set_unusable_password()
        else:
            locked.set_password(password)
        locked.save(update_fields=["password"])
        revoked = _revoke_live_tokens(locked)
        audit_record(
            actor=actor,
            action="user.password_set" if password is not None else "user.password_disabled",
            target=locked,
            data={
                "by_self": actor is not None and actor.pk == locked.pk,
                "tokens_revoked": revoked,
            },
        )
    return locked


# ---------------------------------------------------------------------------------------
# Logging in


def _throttled(wait: datetime.timedelta) -> TooManyRequests:
    return TooManyRequests(
        _("Too many failed logins. Try again in %(seconds)d seconds.")
        % {"seconds": max(1, math.ceil(wait.total_seconds()))},
        code="login_throttled",
    )


def _claim_login_attempt(*, username: str, address: str) -> None:
    """Count this attempt against its (user name, address) pair before any password check,
    or refuse it (429) while the pair must wait.

    The pair's row is locked (``select_for_update``) and the count written and committed
    before the password is checked, so parallel guesses queue on the row: each sees the
    count the one before it left, and none past the limit reaches the password check.
    django-axes, the usual library for this, checks its lock before authenticating and
    records the failure afterwards from a signal, so parallel guesses all pass its check
    (a known limitation its maintainers do not plan to fix); hence this small counter.
    """
    now = clock.now()
    forget = datetime.timedelta(hours=settings.SHEBAO_LOGIN_FORGET_HOURS)
    with transaction.atomic():
        throttle, _created = LoginThrottle.objects.select_for_update().get_or_create(
            username=username, address=address, defaults={"last_attempt_at": now}
        )
        if throttle.blocked_until is not None and throttle.blocked_until > now:
            # Not counted: waiting out the delay is all a refused attempt may do.
            raise _throttled(throttle.blocked_until - now)
        if now - throttle.last_attempt_at > forget:
            throttle.failures = 0
        throttle.failures += 1
        throttle.last_attempt_at = now
        wait = domain.login_wait(
            throttle.failures,
            free=settings.SHEBAO_LOGIN_MAX_FAILURES,
            first=datetime.timedelta(seconds=settings.SHEBAO_LOGIN_FIRST_WAIT_SECONDS),
            longest=datetime.timedelta(minutes=settings.SHEBAO_LOGIN_LOCK_MINUTES),
        )
        throttle.blocked_until = now + wait if wait is not None else None
        throttle.save(update_fields=["failures", "last_attempt_at", "blocked_until"])


def login_check(*, username: str, password: str, address: str) -> User:
    """The user whose password this is, or an error; throttled per (user name, address).

    Each attempt is counted before its password is checked. After
    ``SHEBAO_LOGIN_MAX_FAILURES`` failures in a row the pair waits
    ``SHEBAO_LOGIN_FIRST_WAIT_SECONDS``, then twice as long after each further failure, up
    to ``SHEBAO_LOGIN_LOCK_MINUTES``; a success clears the count. Failures from one
    address never hold back the same user at another address, nor other users.

    Under production settings demo logins are refused (see ``backends.AccountBackend``).

    Call it outside any transaction that the failure would roll back: the count is what
    the throttle keeps.
    """
    username, address = username[:150], address[:64]
    _claim_login_attempt(username=username, address=address)
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        LoginFailure.objects.create(username=username, address=address, failed_at=clock.now())
        raise Unauthenticated(_("Wrong user name or password."), code="invalid_credentials")
    LoginThrottle.objects.filter(username=username, address=address).delete()
    return user


def token_issue(*, username: str, password: str, address: str) -> str:
    """Check the password and issue a bearer token; only its hash is stored."""
    # Outside the transaction below: a refused password must leave its failure row.
    user = login_check(username=username, password=password, address=address)
    key = secrets.token_urlsafe(32)
    now = clock.now()
    with transaction.atomic():
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
    if token.user.is_demo and settings.SHEBAO_ENV == "production":
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        # Coarse on purpose: one write per token per five minutes, not one per request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, user: User, key: str) -> bool:
    """Revoke the caller's own token (logging out); False if it was not live."""
    token = (
        ApiToken.objects.select_for_update()
        .filter(key_hash=ApiToken.hash_key(key), user=user, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return False
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=user, action="auth.token_revoked", target=token)
    return True


@transaction.atomic
def token_revoke_many(*, actor: Actor, token_ids) -> int:
    """An administrator revokes tokens (a lost laptop, a leaked key); returns how many."""
    if actor is not None and not domain.can(actor.role, "token.revoke"):
        raise PermissionDenied(_("Only an administrator may revoke other people's tokens."))
    tokens = list(
        ApiToken.objects.select_related("user")
        .select_for_update(of=("self",))
        .filter(pk__in=list(token_ids), revoked_at__isnull=True)
        .order_by("pk")
    )
    now = clock.now()
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="auth.token_revoked",
            target=token,
            data={"owner": token.user.username},
        )
    return len(tokens)


def session_opened(*, user: User, address: str) -> None:
    """Record a browser login (the admin site or the portal)."""
    with transaction.atomic():
        audit_record(
            actor=user, action="auth.session_opened", target=user, data={"address": address}
        )


def session_closed(*, user: User, address: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=user, action="auth.session_closed", target=user, data={"address": address}
        )

"""Pieces every router uses: the acting user, role checks, pagination, money fields."""

from django.utils.translation import gettext_lazy as _
from ninja import Schema

from shebao.accounts.domain import can
from shebao.core.errors import InvalidInput, PermissionDenied, Unauthenticated

MAX_PAGE_SIZE = 200


def acting_user(request):
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise Unauthenticated()
    return user


def require(request, action: str):
    """The acting user, if their role may attempt ``action``; otherwise 403."""
    user = acting_user(request)
    if not can(user.role, action):
        raise PermissionDenied(
            _("Your role (%(role)s) may not do this: %(action)s.")
            % {"role": user.role, "action": action},
            code="forbidden",
        )
    return user


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class Page(Schema):
    count: int


def paginate(queryset, *, page: int, page_size: int):
    """Items and total count of one page; ``page`` counts from 1."""
    if page < 1:
        raise InvalidInput(fields={"page": _("must be 1 or more")})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            fields={"page_size": _("must be between 1 and %(max)d") % {"max": MAX_PAGE_SIZE}}
        )
    count = queryset.count()
    start = (page - 1) * page_size
    return list(queryset[start : start + page_size]), count

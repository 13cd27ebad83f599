"""Pieces every router uses: the acting user, role checks, pagination, date and money fields."""

import datetime
import re
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import BeforeValidator

from shebao.accounts.domain import can
from shebao.core.errors import InvalidInput, PermissionDenied, Unauthenticated
from shebao.core.money import NOT_A_DECIMAL_STRING

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


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(str(_("must be a real date YYYY-MM-DD")))


def _money_text(value):
    # Money is a decimal string, never a JSON number: an integer is refused like a float
    # (which would have lost its exactness already). The string itself is checked by
    # shebao.core.money.parse_amount in the service, with the ceiling of its kind.
    if not isinstance(value, str):
        raise ValueError(str(NOT_A_DECIMAL_STRING))
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
MoneyText = Annotated[str, BeforeValidator(_money_text)]

"""Pieces every router uses: the acting user, role checks, pagination, date and money fields."""

import datetime
from typing import Annotated

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from ninja.schema import DjangoGetter
from pydantic import BeforeValidator, ConfigDict, model_validator

from shebao.accounts.domain import can, refusal_message
from shebao.api.fields import IDENTIFIER
from shebao.core import dates
from shebao.core.errors import InvalidInput, PermissionDenied, Unauthenticated
from shebao.core.http import client_address  # noqa: F401  (the routers' import path)
from shebao.core.money import NOT_A_DECIMAL_STRING
from shebao.registry import selectors as registry_selectors

MAX_PAGE_SIZE = 200
# Far beyond any real list, and small enough for every database's 64-bit offsets.
MAX_PAGE = 2**31 - 1


def acting_user(request):
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        raise Unauthenticated()
    return user


def require(request, action: str):
    """The acting user, if their role may attempt ``action``; otherwise 403."""
    user = acting_user(request)
    if not can(user.role, action):
        raise PermissionDenied(refusal_message(user.role, action), code="forbidden")
    return user


# The record a path names, with the acting user (``require``): 404 when there is none, or
# the user may not see it (``registry.selectors``' object rules).


def unit_for(request, action: str, unit_id):
    user = require(request, action)
    return user, registry_selectors.unit_get(user=user, unit_id=unit_id)


def person_for(request, action: str, person_id):
    user = require(request, action)
    return user, registry_selectors.person_get(user=user, person_id=person_id)


def employment_for(request, action: str, employment_id):
    user = require(request, action)
    return user, registry_selectors.employment_get(user=user, employment_id=employment_id)


class Out(Schema):
    """A response body: every key a handler answers with is declared, so the OpenAPI
    document types it for clients.

    A key the schema does not declare is passed through rather than dropped (the answer
    keeps its shape); under the test settings it fails the request instead, so the suite
    finds any key a schema misses. Handlers that answer with optional keys (present only
    in some states) are declared with ``exclude_unset=True``: a key the handler did not
    send is not added.
    """

    model_config = ConfigDict(extra="allow")

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        # ninja reads every input through attribute access, which never sees a dict's
        # undeclared keys (they would vanish from the answer); a dict is validated as is.
        if isinstance(values, dict):
            return handler(values)
        return handler(DjangoGetter(values, cls, info.context))

    @model_validator(mode="after")
    def _every_key_declared(self):
        if self.model_extra and settings.SHEBAO_ENV == "test":
            raise ValueError(f"{type(self).__name__} does not declare {sorted(self.model_extra)}")
        return self


class Page(Schema):
    count: int


class ContributionMonthsOut(Out):
    """Contribution months by source: they add up (SIL Arts. 13, 19)."""

    local: int
    transferred: int
    deemed: int
    total: int


def paginate(queryset, *, page: int, page_size: int):
    """Items and total count of one page; ``page`` counts from 1."""
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(fields={"page": _("must be between 1 and %(max)d") % {"max": MAX_PAGE}})
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            fields={"page_size": _("must be between 1 and %(max)d") % {"max": MAX_PAGE_SIZE}}
        )
    count = queryset.count()
    start = (page - 1) * page_size
    if start >= count:
        return [], count  # past the end: no query with an offset the database cannot hold
    return list(queryset[start : start + page_size]), count


def _iso_date(value):
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        day = value
    else:
        day = dates.iso_date(value)
    if day is None:
        raise ValueError(str(_("must be a real date YYYY-MM-DD")))
    why = dates.out_of_range(day)
    if why:
        raise ValueError(str(why))
    return day


def _money_text(value):
    # Money is a decimal string, never a JSON number: an integer is refused like a float
    # (which would have lost its exactness already). The string itself is checked by
    # shebao.core.money.parse_amount in the service, with the ceiling of its kind.
    if not isinstance(value, str):
        raise ValueError(str(NOT_A_DECIMAL_STRING))
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date)]
MoneyText = Annotated[str, BeforeValidator(_money_text)]


class AcknowledgeIn(Schema):
    """The body of an action that may raise warnings (``shebao.core.warnings``)."""

    acknowledge_warnings: list[Annotated[str, IDENTIFIER]] = Field(
        default_factory=list,
        description="The ids of the warnings the caller checked (from an earlier 409 "
        "warnings_not_acknowledged): every warning must be acknowledged",
    )

"""Model fields shared by the domain packages."""

from decimal import Decimal

from django import forms
from django.core import exceptions
from django.db import models
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from shebao.core.money import from_fen, to_fen


class MoneyField(models.BigIntegerField):
    """An amount of money, stored exactly as integer fen (a signed 64-bit integer).

    The Python value is a two-place ``Decimal`` (``Decimal("19319.37")`` is stored as
    1931937) on SQLite and PostgreSQL alike; Django's ``DecimalField`` is binary floating
    point on SQLite. Floats and fractions of a cent are refused on the way in. Sums over
    the column come back as Decimals through the same conversion, since an aggregate
    takes this field as its output field.

    Raw SQL and ``F()`` arithmetic see fen: add ``to_fen(amount)``, never the Decimal.
    """

    description = "An amount of money, stored as integer fen"

    # What type checkers (django-stubs) take a model's attribute to be: a Decimal, though
    # the column is an integer.
    _pyi_private_set_type: Decimal | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_fen(value)

    def to_python(self, value):
        if value is None:
            return None
        try:
            return from_fen(to_fen(value))
        except (TypeError, ValueError):
            raise exceptions.ValidationError(
                _("“%(value)s” is not an amount of money with at most two decimal places."),
                code="invalid",
                params={"value": value},
            ) from None

    def get_prep_value(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return to_fen(value)

    def formfield(self, **kwargs):
        return forms.DecimalField(
            **{"max_digits": 19, "decimal_places": 2, "required": not self.blank, **kwargs}
        )

"""Money is Decimal with two places, rounded ROUND_HALF_UP where the rules say.

Every amount a user enters goes through ``parse_amount``: a decimal string of ASCII
digits with at most two places, the sign the field allows, and no more than the ceiling
the policy pack sets for its kind. Every amount is stored as integer fen
(``shebao.core.fields.MoneyField``), never as binary floating point.
"""

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import invalid

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# ASCII digits only: Decimal() and str.isdigit() also take full-width and other digits.
_AMOUNT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
# Longer text is no amount anyone means (the ceilings have at most 12 digits).
_MAX_TEXT = 32

NOT_A_DECIMAL_STRING = _('must be a decimal string such as "8000.00"')


class AmountError(ValueError):
    """An amount refused, with the reason in the user's language (``reason``)."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(str(reason))


def to_money(value) -> Decimal:
    """Read a stored decimal string or Decimal as money; floats are refused, never rounded.

    For values the system wrote itself (JSON parts, policy figures); input from users
    goes through ``parse_amount``.
    """
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a string or Decimal")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {value!r}")
    return amount


# The ceilings are policy data, and the policy package sits above core: it hands its
# lookup in when its app is ready (``shebao.policy.apps``), so core imports nothing above.
_ceiling_source: Callable[[str, object], Decimal] | None = None


def set_ceiling_source(source: Callable[[str, object], Decimal]) -> None:
    """Where ``amount_ceiling`` finds the largest amount of a kind (kind, region)."""
    global _ceiling_source
    _ceiling_source = source


def amount_ceiling(kind: str, region=None) -> Decimal:
    """The largest amount of ``kind`` the policy pack accepts."""
    if _ceiling_source is None:
        raise RuntimeError("no ceilings for amounts of money: the policy app is not ready")
    return _ceiling_source(kind, region)


def parse_amount(
    value,
    *,
    kind: str,
    negative_allowed: bool = False,
    zero_allowed: bool = False,
    region=None,
) -> Decimal:
    """An amount of money entered by a user, as a two-place Decimal.

    ``value`` is a decimal string (``"8000"``, ``"8000.5"``, ``"-12.30"``), or a Decimal
    or int from Python code. Refused with ``AmountError``: floats and booleans (a JSON
    number), exponents, full-width digits, surrounding spaces, NaN and Infinity, more
    than two decimal places, a sign the field does not allow, and an amount over the
    ceiling of ``kind`` in the policy pack.
    """
    if isinstance(value, bool | float):
        raise AmountError(NOT_A_DECIMAL_STRING)
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError(NOT_A_DECIMAL_STRING)
        amount = value
        if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
            raise AmountError(_("may have at most two decimal places"))
    elif isinstance(value, str):
        if not _AMOUNT.fullmatch(value):
            raise AmountError(NOT_A_DECIMAL_STRING)
        if len(value) > _MAX_TEXT:
            raise AmountError(too_large(kind, region))
        if "." in value and len(value.rsplit(".", 1)[1]) > 2:
            raise AmountError(_("may have at most two decimal places"))
        amount = Decimal(value)
    else:
        raise AmountError(NOT_A_DECIMAL_STRING)
    if amount < 0 and not negative_allowed:
        raise AmountError(
            _("must not be negative") if zero_allowed else _("must be more than zero")
        )
    if amount == 0 and not zero_allowed:
        raise AmountError(_("must be more than zero"))
    if abs(amount) > amount_ceiling(kind, region):
        raise AmountError(too_large(kind, region))
    return amount.quantize(CENT)


def too_large(kind: str, region=None):
    return _("is too large: the most accepted is %(max)s") % {
        "max": format_money(amount_ceiling(kind, region))
    }


def clean_amount(value, field: str, *, kind: str, **options) -> Decimal:
    """``parse_amount``, refused as 422 naming ``field``."""
    try:
        return parse_amount(value, kind=kind, **options)
    except AmountError as exc:
        raise invalid(field, exc.reason) from None


def round_money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """The API's form: a decimal string with exactly two places."""
    return f"{round_money(amount):.2f}"


# Storage as integer fen --------------------------------------------------------------


def to_fen(amount) -> int:
    """A two-place amount as integer fen; floats and fractions of a cent are refused."""
    if isinstance(amount, bool | float):
        raise TypeError("money is never a float; pass a string or Decimal")
    amount = Decimal(amount) if isinstance(amount, int) else to_money(amount)
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"{amount} has a fraction of a cent")
    return int(fen)


def from_fen(fen) -> Decimal:
    """Integer fen (an int, or an integral Decimal from a SUM) as a two-place amount."""
    return Decimal(int(fen)).scaleb(-2)

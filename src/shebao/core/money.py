"""Money is Decimal with two places, rounded ROUND_HALF_UP where the rules say."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal:
    """Parse a decimal string or Decimal as money; floats are refused, never rounded."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a string or Decimal")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount of money: {value!r}") from exc
    if not amount.is_finite():
        raise ValueError(f"not an amount of money: {value!r}")
    return amount


def round_money(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal) -> str:
    """The API's form: a decimal string with exactly two places."""
    return f"{round_money(amount):.2f}"

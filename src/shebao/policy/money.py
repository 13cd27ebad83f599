"""Amounts of money: the ``money`` section (``money.yaml``).

A ceiling for each kind of amount a user may enter (a monthly wage, a payment, a fine, a
benefit debt), each with the reason for its size; and what becomes of a unit's
overpayment. ``shebao.core.money.parse_amount`` reads the ceilings from here: the policy
app hands ``ceiling`` to core when it is ready.
"""

import dataclasses
from decimal import Decimal
from pathlib import Path

from shebao.policy import packs
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Pack, Text

SECTION = "money"
FILE = "money.yaml"

# The kinds of amount a user enters; each needs a ceiling in the default pack.
KINDS = ("monthly_wage", "payment", "fine", "benefit_debt")

# What an overpayment becomes: a credit that settles the unit's next months oldest
# first, or a credit held until it is refunded.
APPLY_TO_NEXT_PERIODS = "apply_to_next_periods"
REFUND = "refund"
OVERPAYMENT_RULES = (APPLY_TO_NEXT_PERIODS, REFUND)

# Integer fen in a signed 64-bit column: no ceiling may come near it, so that sums of
# many amounts at the ceiling still fit.
LARGEST_CEILING = Decimal("100000000000.00")


@dataclasses.dataclass(frozen=True)
class Ceiling:
    kind: str
    amount: Decimal
    reason: Text


@dataclasses.dataclass(frozen=True)
class MoneyPolicy:
    pack_code: str
    ceilings: dict[str, Ceiling]
    overpayment: str
    overpayment_reason: Text


def money_policy(region=None) -> MoneyPolicy:
    return packs.section(SECTION, region)


def ceiling(kind: str, region=None) -> Decimal:
    """The largest amount of ``kind`` accepted (a KeyError for a kind the pack lacks)."""
    return money_policy(region).ceilings[kind].amount


def overpayment_rule(region=None) -> str:
    return money_policy(region).overpayment


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> MoneyPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(reader.mapping(reader.load(), "(file)"), "", {"ceilings", "overpayment"})
    raw = reader.mapping(reader.field(data, "ceilings", ""), "ceilings")
    ceilings = {}
    for kind, item in raw.items():
        key = f"ceilings.{kind}"
        if kind not in KINDS:
            reader.fail(key, f"unknown kind of amount; the kinds are {', '.join(KINDS)}")
        item = reader.only(reader.mapping(item, key), key, {"amount", "reason"})
        amount = reader.money(item, "amount", key)
        if not 0 < amount <= LARGEST_CEILING:
            reader.fail(f"{key}.amount", f"must be more than 0 and at most {LARGEST_CEILING}")
        ceilings[kind] = Ceiling(kind=kind, amount=amount, reason=reader.text(item, "reason", key))
    missing = [kind for kind in KINDS if kind not in ceilings]
    if missing:
        reader.fail("ceilings", f"lacks a ceiling for {', '.join(missing)}")
    overpayment = reader.only(
        reader.mapping(reader.field(data, "overpayment", ""), "overpayment"),
        "overpayment",
        {"rule", "reason"},
    )
    return MoneyPolicy(
        pack_code=pack.code,
        ceilings=ceilings,
        overpayment=reader.choice(
            overpayment, "rule", "overpayment", OVERPAYMENT_RULES, default=APPLY_TO_NEXT_PERIODS
        ),
        overpayment_reason=reader.text(overpayment, "reason", "overpayment"),
    )

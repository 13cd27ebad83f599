"""Payment orders planned from a statement: one per payee, the second approval, shared
bank accounts."""

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from shebao.clearance.domain.statement import (
    COLLECT,
    FROM_FINES,
    FROM_INDIVIDUAL,
    FROM_INTEREST,
    FROM_OFFSET,
    FROM_POOLED,
    FROM_RECEIVABLE,
    FROM_SUCCESSOR,
    FROM_UNIT_CREDIT,
    PAY,
    Line,
    _m,
)
from shebao.core import warnings as core_warnings
from shebao.core.money import ZERO, round_money
from shebao.ledger.domain import split_by_shares


@dataclasses.dataclass(frozen=True)
class PayeeIn:
    slot: int
    name: str
    share_percent: Decimal | None = None


@dataclasses.dataclass(frozen=True)
class OrderPlan:
    slot: int
    direction: str  # pay or collect
    amount: Decimal
    parts: dict  # source -> amount (strings), summing to amount


# A unit is both payer (arrears) and payee (refund): two slots, each with at most one live
# order, for the same unit.
UNIT_COLLECTION_SLOT = 0
UNIT_REFUND_SLOT = 1


def part_sum(lines: Sequence[Line], *sources: str) -> Decimal:
    return round_money(sum((li.amount for li in lines if li.source in sources), ZERO))


def plan_orders(
    *, subject: str, payee_kind: str, lines: Sequence[Line], payees: Sequence[PayeeIn]
) -> list[OrderPlan]:
    """The orders that settle a statement: one per payee, none for a zero amount.

    A person's balance (after interest and offsets) goes to the payee, split among heirs
    by their shares so that the payments add up to the cent; a transfer also carries the
    pooled-fund part. A unit owes its arrears, late fees and fines (one collection order)
    and is refunded its overpayments (one payment order).
    """
    if subject == "unit":
        owed = part_sum(lines, FROM_RECEIVABLE, FROM_SUCCESSOR, FROM_FINES)
        refund = -part_sum(lines, FROM_UNIT_CREDIT)
        plans = []
        if owed > 0:
            plans.append(
                OrderPlan(
                    slot=UNIT_COLLECTION_SLOT,
                    direction=COLLECT,
                    amount=owed,
                    parts={
                        FROM_RECEIVABLE: _m(part_sum(lines, FROM_RECEIVABLE, FROM_SUCCESSOR)),
                        FROM_FINES: _m(part_sum(lines, FROM_FINES)),
                    },
                )
            )
        if refund > 0:
            plans.append(
                OrderPlan(
                    slot=UNIT_REFUND_SLOT,
                    direction=PAY,
                    amount=refund,
                    parts={FROM_UNIT_CREDIT: _m(refund)},
                )
            )
        return plans

    individual = part_sum(lines, FROM_INDIVIDUAL, FROM_INTEREST, FROM_OFFSET)
    pooled = part_sum(lines, FROM_POOLED)
    if individual < 0:
        individual = ZERO  # offsets never exceed the balance; a guard for bad data
    payable = individual + pooled
    if payable <= 0 or not payees:
        return []
    if payee_kind == "heirs":
        # The inherited balance and the survivors' benefits from the pooled fund, each
        # split by the declared shares to the cent.
        # Every heir has a share (checked when the heirs are recorded).
        shares = [p.share_percent or ZERO for p in payees]
        amounts = split_by_shares(individual, shares)
        pooled_amounts = split_by_shares(pooled, shares) if pooled > 0 else [ZERO] * len(payees)
        plans = []
        for p, a, b in zip(payees, amounts, pooled_amounts, strict=True):
            if a + b <= 0:
                continue
            parts = {FROM_INDIVIDUAL: _m(a)}
            if b:
                parts[FROM_POOLED] = _m(b)
            plans.append(OrderPlan(slot=p.slot, direction=PAY, amount=a + b, parts=parts))
        return plans
    parts = {FROM_INDIVIDUAL: _m(individual)}
    if pooled:
        parts[FROM_POOLED] = _m(pooled)
    return [OrderPlan(slot=payees[0].slot, direction=PAY, amount=payable, parts=parts)]


def needs_second_approval(
    amount: Decimal, threshold: Decimal, *, case_total: Decimal | None = None
) -> bool:
    """A payment needs a second finance approver when it, or the total the case pays out
    (of which it is a part), is above the threshold: splitting a balance among payees
    does not slip under it."""
    return max(amount, case_total if case_total is not None else amount) > threshold


@dataclasses.dataclass(frozen=True)
class PayeeAccount:
    """A payee's bank account as the shared-account check sees it."""

    slot: int
    name: str
    bank_account: str


def shared_accounts(payees: Sequence[PayeeAccount]) -> list[list[PayeeAccount]]:
    """Groups of two or more payees of one case to be paid into the same bank account,
    in slot order."""
    groups: dict[str, list[PayeeAccount]] = {}
    for payee in sorted(payees, key=lambda p: p.slot):
        if payee.bank_account:
            groups.setdefault(payee.bank_account, []).append(payee)
    return [group for group in groups.values() if len(group) > 1]


def warning_id(code: str, *parts) -> str:
    """A short stable name of one warning: the same facts give the same id, and any change
    (another account, another case) a different one, so an acknowledgement covers exactly
    what the auditor saw."""
    return core_warnings.warning_id(code, *parts)


def same_name(given: str, registered: str) -> bool:
    """Whether a payee name is the registered name, spacing and letter case aside."""
    return " ".join(given.split()).casefold() == " ".join(registered.split()).casefold()

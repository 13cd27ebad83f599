"""Reads for a unit and its papers: its statement, an assessed premium, arrears notices
and fine proposals, and the declarations and payments the API lists."""

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum

from shebao.core.money import ZERO
from shebao.ledger import domain
from shebao.ledger.models import (
    ArrearsFineProposal,
    ArrearsNotice,
    Declaration,
    Payment,
    PaymentAllocation,
    PaymentNotice,
)
from shebao.ledger.selectors.debts import money_sum, unit_arrears
from shebao.policy import contributions
from shebao.policy import packs as policy_packs


def unit_statement(unit, *, as_of: datetime.date) -> dict:
    """A unit's declarations, what was paid against each month, and what it owes."""
    paid: defaultdict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for period, principal, fee in (
        PaymentAllocation.objects.filter(payment__unit=unit)
        .values_list("period")
        .annotate(Sum("principal"), Sum("late_fee"))
        .order_by()
    ):
        paid[period] = [principal, fee]  # exact: integer fen sums
    months: list[dict[str, Any]] = [
        {
            "period": d.period,
            "kind": d.kind,
            "due_on": d.due_on,
            "lines": d.line_count,
            "total_due": d.total_due,
            "paid_principal": paid[d.period][0],
            "paid_late_fee": paid[d.period][1],
            "outstanding": d.total_due - paid[d.period][0],
        }
        for d in Declaration.objects.filter(unit=unit, status=Declaration.Status.LIVE).order_by(
            "period"
        )
    ]
    return {
        "unit_id": unit.pk,
        "months": months,
        "declared_total": sum((m["total_due"] for m in months), ZERO),
        "paid_total": money_sum(Payment.objects.filter(unit=unit)),
        "arrears": unit_arrears(unit, as_of=as_of),
    }


def assessed_premium(
    *,
    region: str,
    industry_class: int | None,
    wage: Decimal,
    months: list[str],
    work_injury_float_percent: int | None = None,
) -> dict:
    """The premium the agency assesses for an employee the unit did not register in time
    (SIL Art. 58 para 1): each month's declared wage, clamped to that month's limits, at
    that month's rates, exactly as a declaration would have computed it."""
    region_data = policy_packs.region(region)
    policy = contributions.contribution_policy(region)
    to_account = frozenset(
        code for code, kind in policy.insurance_types.items() if kind.personal_part_to_account
    )
    by_month: list[dict[str, Any]] = []
    totals: defaultdict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for month in months:
        year, number = domain.parse_period(month)
        floor, cap = region_data.base_limits(year, number)
        line = domain.declaration_line(
            person_id=0,
            wage=wage,
            floor=floor,
            cap=cap,
            to_account=to_account,
            rates=contributions.rates_on(
                domain.period_start(month),
                region,
                work_injury_class=industry_class,
                work_injury_float_percent=work_injury_float_percent,
            ),
        )
        for part in line.parts:
            totals[part.insurance_type][0] += part.unit_amount
            totals[part.insurance_type][1] += part.personal_amount
        by_month.append(
            {
                "month": month,
                "base": line.base,
                "unit": line.unit_total,
                "personal": line.personal_total,
            }
        )
    unit_total = sum((m["unit"] for m in by_month), ZERO)
    personal_total = sum((m["personal"] for m in by_month), ZERO)
    return {
        "months": by_month,
        "by_type": {k: tuple(v) for k, v in totals.items()},
        "unit_total": unit_total,
        "personal_total": personal_total,
        "total": unit_total + personal_total,
    }


def payment_notices(unit):
    """The unit's payment notices, the latest first."""
    return (
        PaymentNotice.objects.filter(unit=unit)
        .select_related("certificate")
        .order_by("-issued_on", "-id")
    )


def payment_notice_get(unit, notice_id: int):
    """One of the unit's payment notices, or None."""
    return (
        PaymentNotice.objects.filter(unit=unit, pk=notice_id)
        .select_related("certificate", "unit")
        .first()
    )


def arrears_notices(unit):
    return (
        ArrearsNotice.objects.filter(unit=unit)
        .select_related("certificate", "fine_proposal")
        .order_by("-issued_on", "-id")
    )


def arrears_notice_get(unit, notice_id: int):
    """The unit's notice, or None (a notice of another unit is not found)."""
    return (
        ArrearsNotice.objects.filter(unit=unit, pk=notice_id)
        .select_related("certificate", "unit")
        .first()
    )


def arrears_fine_proposals(status: str | None = None):
    proposals = ArrearsFineProposal.objects.select_related("unit", "notice").order_by("-id")
    return proposals.filter(status=status) if status else proposals


def unit_declarations(unit, *, period: str | None = None):
    """A unit's declarations, the latest month first."""
    queryset = Declaration.objects.filter(unit=unit).order_by("-period", "-id")
    return queryset.filter(period=period) if period else queryset


def declaration_by_id(declaration_id: int) -> Declaration | None:
    return Declaration.objects.filter(pk=declaration_id).first()


def live_declaration(unit, period: str) -> Declaration | None:
    """The declaration of ``period`` in force (not replaced)."""
    return Declaration.objects.filter(
        unit=unit, period=period, status=Declaration.Status.LIVE
    ).first()


def declaration_lines(declaration: Declaration) -> list:
    return list(declaration.lines.select_related("person").order_by("line_no"))


def unit_payments(unit):
    """A unit's payments, the latest first."""
    return Payment.objects.filter(unit=unit).order_by("-paid_on", "-id")


def payment_allocations(payment: Payment) -> list:
    return list(payment.allocations.all())

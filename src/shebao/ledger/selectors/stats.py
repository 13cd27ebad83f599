"""Figures for the supervisors' dashboard: contributions declared against paid by month,
and the units in arrears."""

import datetime
from decimal import Decimal

from django.db.models import Sum

from shebao.core.money import ZERO
from shebao.ledger.models import DebtAdjustment, Declaration, PaymentAllocation
from shebao.ledger.selectors.debts import unit_arrears
from shebao.registry.models import Unit


def last_months(today: datetime.date, count: int = 12) -> list[str]:
    """The ``count`` months up to and including today's, oldest first (``YYYY-MM``)."""
    year, month = today.year, today.month
    periods = []
    for _step in range(count):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return periods[::-1]


def declared_and_paid_by_month(today: datetime.date, months: int = 12) -> list[dict]:
    """For each of the last ``months`` months: premiums declared (the declarations in
    force, assessed months included) and the principal paid against them, and the
    difference still unpaid. Two queries."""
    periods = last_months(today, months)
    declared = {
        row["period"]: row["total"]
        for row in Declaration.objects.filter(status=Declaration.Status.LIVE, period__in=periods)
        .values("period")
        .annotate(total=Sum("total_due"))
        .order_by()
    }
    paid = {
        row["period"]: row["total"]
        for row in PaymentAllocation.objects.filter(period__in=periods)
        .values("period")
        .annotate(total=Sum("principal"))
        .order_by()
    }
    rows = []
    for period in periods:
        declared_amount = Decimal(declared.get(period) or ZERO)
        paid_amount = Decimal(paid.get(period) or ZERO)
        rows.append(
            {
                "period": period,
                "declared": declared_amount,
                "paid": paid_amount,
                "unpaid": max(declared_amount - paid_amount, ZERO),
            }
        )
    return rows


def arrears_by_unit(today: datetime.date) -> list[dict]:
    """Units owing overdue premiums or late fees on ``today`` (``unit_arrears``), the
    largest debt first: ``{"unit_id", "name", "uscc", "months", "principal",
    "late_fee", "total"}``.

    The units looked at are those with a month falling due before today (declared, or
    taken on in a merger); each is then computed exactly, late fees included."""
    unit_ids = set(
        Declaration.objects.filter(status=Declaration.Status.LIVE, due_on__lt=today)
        .values_list("unit_id", flat=True)
        .distinct()
    ) | set(
        DebtAdjustment.objects.filter(kind=DebtAdjustment.Kind.ASSUMED_IN)
        .values_list("unit_id", flat=True)
        .distinct()
    )
    rows = []
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("pk"):
        arrears = unit_arrears(unit, as_of=today)
        if arrears["total"] <= 0:
            continue
        rows.append(
            {
                "unit_id": unit.pk,
                "name": unit.name,
                "uscc": unit.uscc,
                "months": len(arrears["items"]),
                "principal": arrears["principal"],
                "late_fee": arrears["late_fee"],
                "total": arrears["total"],
            }
        )
    rows.sort(key=lambda row: (-row["total"], row["name"]))
    return rows

"""Reads of the desk's contributions pages: declarations by unit and month, a
declaration's lines by insurance type, the units in arrears with the late fee to date,
a unit's recent payments and interest crediting runs."""

import datetime

from django.db.models import Q, QuerySet

from shebao.ledger.models import Declaration, InterestCredit, Payment
from shebao.ledger.selectors.debts import unit_arrears
from shebao.policy import contributions
from shebao.registry.models import Unit


def declarations_filtered(*, unit: str = "", period: str = "") -> QuerySet[Declaration]:
    """Declarations, the latest month first; ``unit`` matches a unit's name or credit code
    (part of either), ``period`` a month (YYYY-MM)."""
    queryset = Declaration.objects.select_related("unit").order_by("-period", "unit__name", "-id")
    if unit:
        queryset = queryset.filter(Q(unit__name__icontains=unit) | Q(unit__uscc__icontains=unit))
    if period:
        queryset = queryset.filter(period=period)
    return queryset


def declaration_get(declaration_id: int) -> Declaration | None:
    return (
        Declaration.objects.select_related("unit", "created_by").filter(pk=declaration_id).first()
    )


def insurance_type_names(region: str) -> dict[str, object]:
    """Each insurance type's names (a ``Text`` that follows the active language) by code."""
    policy = contributions.contribution_policy(region or None)
    return {code: kind.names for code, kind in policy.insurance_types.items()}


def unit_by_uscc(uscc: str) -> Unit | None:
    return Unit.objects.filter(uscc=uscc.strip().upper()).first() if uscc.strip() else None


def unit_by_id(unit_id: int) -> Unit | None:
    return Unit.objects.filter(pk=unit_id).first()


def units_in_arrears(as_of: datetime.date) -> list[dict]:
    """Every unit owing overdue premiums or late fees on ``as_of``: the unit and its
    arrears (``unit_arrears``), the largest total first. Only units with a month due
    before ``as_of`` are computed."""
    candidates = Unit.objects.filter(
        declarations__status=Declaration.Status.LIVE, declarations__due_on__lt=as_of
    ).distinct()
    found = []
    for unit in candidates.order_by("pk"):
        arrears = unit_arrears(unit, as_of=as_of)
        if arrears["total"] > 0:
            found.append({"unit": unit, **arrears})
    found.sort(key=lambda row: (-row["total"], row["unit"].name))
    return found


def recent_payments(limit: int = 20) -> list[Payment]:
    """The latest payments recorded, with their unit."""
    return list(Payment.objects.select_related("unit").order_by("-created_at", "-pk")[:limit])


def interest_years() -> list[dict]:
    """Each year interest was credited for: accounts, total, and whether provisionally."""
    rows: dict[int, dict] = {}
    for year, account_id, amount, provisional in InterestCredit.objects.values_list(
        "year", "account_id", "amount", "provisional"
    ).order_by("year"):
        row = rows.setdefault(
            year, {"year": year, "accounts": set(), "total": 0, "provisional": False}
        )
        row["accounts"].add(account_id)
        row["total"] += amount
        row["provisional"] = row["provisional"] or provisional
    return [
        {**row, "accounts": len(row["accounts"])}
        for row in sorted(rows.values(), key=lambda r: -r["year"])
    ]

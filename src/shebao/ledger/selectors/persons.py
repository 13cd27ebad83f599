"""Reads for a person: the months declared for them, whether each was paid, and their
individual account."""

from decimal import Decimal

from shebao.accounts import domain as roles
from shebao.core import clock
from shebao.core.money import ZERO
from shebao.ledger import chart
from shebao.ledger.models import Account, Declaration, DeclarationLine, InterestCredit, Posting
from shebao.ledger.selectors.debts import unit_debts, unit_paid_periods


def _individual_account(person):
    return Account.objects.filter(code=chart.individual_code(person.pk)).first()


PAID = "paid"
ARREARS = "arrears"
DECLARED = "declared"


def person_months(person, *, unit_id: int | None = None, today=None) -> list[dict]:
    """Every month declared for the person (by ``unit_id`` only, when given), oldest
    first, with whether its premium was paid: ``paid`` when the unit's month is paid in
    full (its principal), ``arrears`` when it is due and not paid, ``declared`` while it
    is not yet due (the same line as the unit's arrears: due on ``due_on``, overdue the
    day after). Individual accounts are credited from paid months only (O20 Art. 13)."""
    today = today or clock.today()
    rows = DeclarationLine.objects.filter(
        person=person, declaration__status=Declaration.Status.LIVE
    ).select_related("declaration__unit")
    if unit_id is not None:
        rows = rows.filter(declaration__unit_id=unit_id)
    lines = list(rows.order_by("period", "declaration__unit_id"))
    paid_by_unit, debts_by_unit = {}, {}
    for unit in {line.declaration.unit for line in lines}:
        debts = unit_debts(unit)
        debts_by_unit[unit.pk] = {d.period: d for d in debts}
        paid_by_unit[unit.pk] = unit_paid_periods(unit, debts)
    months = []
    for line in lines:
        declaration = line.declaration
        debt = debts_by_unit[declaration.unit_id].get(line.period)
        paid = line.period in paid_by_unit[declaration.unit_id]
        if paid:
            status = PAID
        elif declaration.due_on < today:
            status = ARREARS
        else:
            status = DECLARED
        months.append(
            {
                "period": line.period,
                "unit_id": declaration.unit_id,
                "unit": declaration.unit.name,
                "due_on": declaration.due_on,
                "base": line.base,
                "personal": line.personal_total,
                "account_credit": line.account_credit,
                "status": status,
                # Not paid: written off by a court's ruling (it stays unpaid), or owed now
                # by the successor that assumed it in a merger.
                "written_off": not paid and debt is not None and debt.written_off > 0,
                "owed_by_unit_id": (
                    max(debt.assumed_by, key=lambda pk: debt.assumed_by[pk])
                    if not paid and debt is not None and debt.assumed_by
                    else None
                ),
                "line": line,
            }
        )
    return months


def paid_contribution_months(person) -> int:
    """The person's local contribution months: months whose premiums were paid, each
    month once even with two employers (SIL Art. 16 counts months paid). Months brought
    in from elsewhere or deemed are counted on top of this by their own records."""
    return len({m["period"] for m in person_months(person) if m["status"] == PAID})


# The name the clearance rules call: contribution months are months paid.
person_contribution_months = paid_contribution_months


def person_contributions(person, *, user) -> list[dict]:
    """The months of ``person`` the user may see: all of them for staff and the person
    themself, only the months its own declarations name for a unit representative."""
    unit_id = None
    if user.role == roles.UNIT_REP:
        representation = getattr(user, "unit_representation", None)
        unit_id = representation.unit_id if representation is not None else -1
    return person_months(person, unit_id=unit_id)


def person_account(person) -> dict:
    """The individual account: balance, cumulative contribution months and its entries."""
    account = person_account_entries(person)
    return {
        "person_id": account["person_id"],
        "balance": account["balance"],
        "contribution_months": person_contribution_months(person),
        "entries": account["entries"],
    }


def person_account_entries(person) -> dict:
    """The individual account's balance and entries, without the contribution months
    (a caller that counts months from every source counts them once, itself)."""
    account = _individual_account(person)
    entries = []
    if account is not None:
        running = ZERO
        for posting in (
            Posting.objects.filter(account=account)
            .select_related("entry")
            .order_by("entry__effective_on", "entry_id")
        ):
            amount = -posting.amount  # credit-normal: a credit raises the balance
            running += amount
            entries.append(
                {
                    "date": posting.entry.effective_on,
                    "period": posting.period,
                    "kind": posting.entry.kind,
                    "amount": amount,
                    "balance": running,
                    "memo": posting.entry.memo,
                }
            )
    return {
        "person_id": person.pk,
        "balance": -account.balance if account else ZERO,
        "entries": entries,
    }


def person_statement(person) -> dict:
    """The rights statement of SIL Art. 74: contributions by month and insurance type,
    cumulative months, and the individual account with its interest by year."""
    months = []
    totals: dict[str, list[Decimal]] = {}
    for month in person_months(person):
        line = month["line"]
        parts = {
            kind: {"unit": Decimal(u), "personal": Decimal(p)}
            for kind, (u, p) in line.parts.items()
        }
        for kind, part in parts.items():
            pair = totals.setdefault(kind, [ZERO, ZERO])
            pair[0] += part["unit"]
            pair[1] += part["personal"]
        months.append(
            {
                "period": line.period,
                "unit": line.declaration.unit.name,
                "unit_id": line.declaration.unit_id,
                "base": line.base,
                "parts": parts,
                "account_credit": line.account_credit,
                "status": month["status"],
            }
        )
    account = _individual_account(person)
    interest = []
    if account is not None:
        # Each year's interest with the rate of its latest crediting: whether it is still
        # provisional (its own rate not published yet), and the months for a part year.
        by_year: dict[int, dict] = {}
        for row in InterestCredit.objects.filter(account=account).order_by("year", "id"):
            item = by_year.setdefault(row.year, {"year": row.year, "amount": ZERO})
            item["amount"] += row.amount
            item.update(
                rate=str(row.rate),
                rate_year=row.rate_year or row.year,
                provisional=row.provisional,
                months=row.months,
            )
        interest = list(by_year.values())
    return {
        "person_id": person.pk,
        "months": months,
        "totals_by_type": {kind: {"unit": u, "personal": p} for kind, (u, p) in totals.items()},
        "contribution_months": len({m["period"] for m in months if m["status"] == PAID}),
        "balance": -account.balance if account else ZERO,
        "interest": interest,
    }


def account_balance_by_year(person, *, today=None) -> list[dict]:
    """The individual account's balance at the end of each year (the current year: as of
    today), from the year of its first entry: what the desk's chart shows."""
    entries = person_account(person)["entries"]
    if not entries:
        return []
    today = today or clock.today()
    by_year: dict[int, Decimal] = {}
    for entry in entries:
        by_year[entry["date"].year] = entry["balance"]
    years = []
    balance = ZERO
    for year in range(min(by_year), max(today.year, max(by_year)) + 1):
        balance = by_year.get(year, balance)
        years.append({"year": year, "balance": balance})
    return years

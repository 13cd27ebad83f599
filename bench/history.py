"""Ten years of individual account history (2016-2025), written set-based into the
ledger's own tables, and the interest already credited for the years before the one
being measured.

Each month not covered by the import gets one journal entry per unit holding one credit
posting per employee's individual account (the imported months are declared, not paid,
so they credit no account) (8% of a wage class: 400.00 + 8.00 x (person
id mod 50)) and the unit's receivable as the balancing debit. The interest of the earlier
years is computed once per wage class with the ledger's own arithmetic and written the
same way, so the measured run finds those years settled and credits one year, as it does
each January.
"""

import datetime
from decimal import Decimal

from django.db import connection, transaction

from shebao.core import clock
from shebao.core.money import ZERO, to_fen
from shebao.ledger import chart, selectors
from shebao.ledger.models import Account, JournalEntry
from shebao.ledger.services.journal import account_years_add
from shebao.policy import interest

FIRST_YEAR = 2016
LAST_YEAR = 2025
WAGE_CLASSES = 50


def monthly_credit(wage_class: int) -> Decimal:
    return Decimal(400 + 8 * wage_class)


def history_periods(declared: list[str]) -> list[tuple[str, datetime.date]]:
    """Every month of 2016-2025 the import did not declare, with its entries' date."""
    months = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            period = f"{year:04d}-{month:02d}"
            if period not in declared:
                next_first = datetime.date(year + (month == 12), month % 12 + 1, 1)
                months.append((period, next_first - datetime.timedelta(days=1)))
    return months


def _max_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    return cursor.fetchone()[0]


def write_contribution_history(declared: list[str]) -> dict:
    """The months of 2016-2025 the import did not cover, for every employee; returns the
    number of entries and postings written."""
    months = history_periods(declared)
    _open_individual_accounts()
    # Stored as the ORM stores a time stamp (naive UTC text on SQLite).
    now = connection.ops.adapt_datetimefield_value(clock.now())
    kind = JournalEntry.Kind.DECLARATION
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_months (period varchar(7) NOT NULL, effective_on date)"
        )
        cursor.executemany("INSERT INTO bench_months VALUES (%s, %s)", months)
        first_entry = _max_id(cursor, "ledger_journalentry")
        cursor.execute(
            "INSERT INTO ledger_journalentry "
            "(kind, effective_on, period, unit_id, memo, created_at) "
            "SELECT %s, m.effective_on, m.period, u.id, 'declaration ' || m.period, %s "
            "FROM registry_unit u CROSS JOIN bench_months m ORDER BY m.period, u.id",
            [kind, now],
        )
        entries = cursor.rowcount
        first_posting = _max_id(cursor, "ledger_posting")
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, amount, period) "
            f"SELECT e.id, a.id, -(400 + 8 * (a.person_id %% {WAGE_CLASSES})) * 100, e.period "
            "FROM ledger_journalentry e "
            "JOIN registry_employment em ON em.unit_id = e.unit_id "
            "JOIN ledger_account a ON a.person_id = em.person_id AND a.kind = %s "
            "WHERE e.id > %s",
            [Account.Kind.INDIVIDUAL, first_entry],
        )
        postings = cursor.rowcount
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, amount, period) "
            "SELECT e.id, r.id, -SUM(p.amount), e.period "
            "FROM ledger_journalentry e "
            "JOIN ledger_posting p ON p.entry_id = e.id "
            "JOIN ledger_account r ON r.unit_id = e.unit_id AND r.kind = %s "
            "WHERE e.id > %s AND p.id > %s GROUP BY e.id, r.id, e.period ORDER BY e.id",
            [Account.Kind.UNIT_RECEIVABLE, first_entry, first_posting],
        )
        postings += cursor.rowcount
        _refresh_balances(cursor)
        account_years_add("p.entry_id > %(first)s", {"first": first_entry})
        cursor.execute("DROP TABLE bench_months")
    return {"entries": entries, "postings": postings}


def _open_individual_accounts() -> None:
    """Every employee's individual account. The import no longer opens them: a declared
    month credits the accounts only once it is paid, and the bench pays nothing."""
    from shebao.registry.models import Employment

    person_ids = sorted(set(Employment.objects.values_list("person_id", flat=True)))
    for start in range(0, len(person_ids), 5000):
        chart.accounts_by_code(
            chart.individual_code(pid) for pid in person_ids[start : start + 5000]
        )


def _refresh_balances(cursor) -> None:
    cursor.execute(
        "UPDATE ledger_account SET balance = COALESCE("
        "(SELECT SUM(p.amount) FROM ledger_posting p WHERE p.account_id = ledger_account.id), 0)"
    )


def _interest_by_class(policy, declared: list[str], last_year: int) -> dict:
    """{(wage class, year): (interest, opening, credits)} for the years before the measured
    one, by the ledger's own yearly arithmetic (credits are positive on this side)."""
    history = {period for period, _day in history_periods(declared)}
    table = {}
    for wage_class in range(WAGE_CLASSES):
        balance = ZERO
        for year in range(FIRST_YEAR, last_year + 1):
            by_month = {
                month: monthly_credit(wage_class)
                for month in range(1, 13)
                if f"{year:04d}-{month:02d}" in history
            }
            target, _applied = selectors.year_interest(policy, balance, by_month, year)
            credits = sum(by_month.values(), ZERO)
            table[(wage_class, year)] = (target, balance, credits)
            balance += credits + target
    return table


def write_earlier_interest(declared: list[str], measured_year: int) -> dict:
    """The interest of 2016 to the year before ``measured_year``, as the yearly runs would
    have credited it: one entry a year, one posting and one InterestCredit row an account."""
    policy = interest.interest_policy()
    years = range(FIRST_YEAR, measured_year)
    if any(int(p[:4]) in years for p in declared):
        raise ValueError("the imported months must fall in the measured year")
    table = _interest_by_class(policy, declared, measured_year - 1)
    now = clock.now()
    expense = chart.accounts_by_code([chart.INTEREST_CODE])[chart.INTEREST_CODE]
    postings = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_interest (wage_class integer, year integer, "
            "amount bigint, opening bigint, credits bigint)"
        )
        cursor.executemany(
            "INSERT INTO bench_interest VALUES (%s, %s, %s, %s, %s)",
            # Integer fen, as the ledger stores every amount.
            [(c, y, to_fen(a), to_fen(o), to_fen(cr)) for (c, y), (a, o, cr) in table.items()],
        )
        for year in years:
            entry = JournalEntry.objects.create(
                kind=JournalEntry.Kind.INTEREST,
                effective_on=datetime.date(year, 12, 31),
                period=f"{year}-12",
                memo=f"interest {year}",
                created_at=now,
            )
            cursor.execute(
                "INSERT INTO ledger_posting (entry_id, account_id, amount, period) "
                "SELECT %s, a.id, -t.amount, %s FROM ledger_account a "
                f"JOIN bench_interest t ON t.wage_class = a.person_id %% {WAGE_CLASSES} "
                "AND t.year = %s WHERE a.kind = %s AND t.amount > 0 ORDER BY a.id",
                [entry.pk, f"{year}-12", year, Account.Kind.INDIVIDUAL],
            )
            postings += cursor.rowcount
            cursor.execute(
                "INSERT INTO ledger_posting (entry_id, account_id, amount, period) "
                "SELECT %s, %s, -SUM(amount), %s FROM ledger_posting WHERE entry_id = %s",
                [entry.pk, expense.pk, f"{year}-12", entry.pk],
            )
            postings += cursor.rowcount
            cursor.execute(
                "INSERT INTO ledger_interestcredit "
                "(account_id, year, amount, rate, rate_year, provisional, method, opening, "
                "credits, entry_id, created_at) "
                "SELECT a.id, t.year, t.amount, %s, t.year, false, %s, t.opening, t.credits, "
                "%s, %s "
                "FROM ledger_account a "
                f"JOIN bench_interest t ON t.wage_class = a.person_id %% {WAGE_CLASSES} "
                "AND t.year = %s WHERE a.kind = %s AND t.amount > 0 ORDER BY a.id",
                [
                    str(policy.rates[year].rate),
                    policy.method,
                    entry.pk,
                    connection.ops.adapt_datetimefield_value(now),
                    year,
                    Account.Kind.INDIVIDUAL,
                ],
            )
            account_years_add("p.entry_id = %(entry)s", {"entry": entry.pk})
        _refresh_balances(cursor)
        _settle_years(cursor, measured_year)
        cursor.execute("DROP TABLE bench_interest")
    return {"years": len(years), "postings": postings}


def _settle_years(cursor, measured_year: int) -> None:
    """The years before ``measured_year`` as their runs leave the summaries: settled, each
    with its opening (the earlier years' credits and interest)."""
    cursor.execute(
        "UPDATE ledger_accountyear SET settled = true, opening = COALESCE(("
        "SELECT SUM(e.credits + e.interest) FROM ledger_accountyear e "
        "WHERE e.account_id = ledger_accountyear.account_id "
        "AND e.year < ledger_accountyear.year), 0) WHERE year < %s",
        [measured_year],
    )


def expected_interest(account: Account, year: int) -> Decimal:
    """What the measured run must credit one account for ``year``: the opening balance from
    its wage class's settled years, the year's contributions read back from its postings."""
    policy = interest.interest_policy()
    target, opening, credits = _interest_by_class(policy, [], year - 1)[
        (account.person_id % WAGE_CLASSES, year - 1)
    ]
    by_month: dict[int, Decimal] = {}
    for posting in account.postings.filter(period__startswith=f"{year}-").exclude(
        entry__kind=JournalEntry.Kind.INTEREST
    ):
        month = int(posting.period[5:7])
        by_month[month] = by_month.get(month, ZERO) - posting.amount
    due, _applied = selectors.year_interest(policy, opening + credits + target, by_month, year)
    return due

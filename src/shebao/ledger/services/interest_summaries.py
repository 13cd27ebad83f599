"""The yearly interest run in SQL: the accounts whose earlier years are settled are
credited from their yearly summaries (``AccountYear``) with one statement per rate,
without reading their history. What this module leaves out goes through the rules'
own path (``selectors.interest_path``).

Amounts are integer fen, and the interest is exact integer arithmetic: the rate (and the
annual method's factor) become one fraction, so the year's interest is
``round_half_up((opening x A + credits x B) / D)`` with integers A, B and D (``credits``
weighted by 13 - month for the month-product method), the same figure ``domain`` gives
with Decimals. A negative result is credited as nothing (as ``selectors.year_interest``
does), so only a positive quotient is rounded.
"""

import dataclasses
import math
from collections.abc import Sequence
from fractions import Fraction

from django.db import connection, models

from shebao.ledger.models import Account
from shebao.policy import interest
from shebao.policy.errors import NoPolicyValue

RUN_TABLE = "ledger_interest_run"


@dataclasses.dataclass(frozen=True)
class RateGroup:
    """The regions credited alike for the year: method, rate and the fraction's terms."""

    method: str
    rate: object  # Decimal, as InterestCredit.rate stores it
    rate_year: int
    provisional: bool
    a: int  # opening x a
    b: int  # credits (or weighted credits) x b
    d: int  # over d


def rate_group(policy, year: int) -> RateGroup | None:
    """The year's terms for a region's policy; None when the SQL path does not apply (no
    rate for the year: the rules' path raises the error where money needs one)."""
    try:
        applied = policy.applied_rate(year)
    except NoPolicyValue:
        return None
    rate = Fraction(applied.rate.rate)
    if policy.method == interest.ANNUAL:
        # opening x r + credits x r x factor / 2
        on_opening, on_credits = rate, rate * Fraction(policy.annual_factor) / 2
    elif policy.method == interest.MONTH_PRODUCT:
        # opening x r + sum(credit x (13 - m)) x r / 12
        on_opening, on_credits = rate, rate / 12
    else:
        return None
    d = math.lcm(on_opening.denominator, on_credits.denominator)
    if d > 10**10:
        # Terms this large could overflow 64-bit products: left to the rules' path.
        return None
    return RateGroup(
        method=policy.method,
        rate=applied.rate.rate,
        rate_year=applied.rate_year,
        provisional=applied.provisional,
        a=int(on_opening * d),
        b=int(on_credits * d),
        d=d,
    )


def _execute(cursor, sql: str, params=None) -> None:
    cursor.execute(sql, params or {})


# Each person's region: that of the unit of the open employment, the latest if several,
# else of the latest. Numbered in one pass over the employments: a subquery per account
# would sort each person's employments once per account.
PERSON_REGION_SQL = """
    SELECT person_id, region FROM (
        SELECT em.person_id, u.region, ROW_NUMBER() OVER (
            PARTITION BY em.person_id
            ORDER BY CASE WHEN em.status = 'open' THEN 1 ELSE 0 END DESC,
                em.started_on DESC, em.id DESC
        ) AS n
        FROM registry_employment em JOIN registry_unit u ON u.id = em.unit_id
    ) numbered WHERE n = 1
"""


def run_table_fill(
    cursor, *, year: int, recheck_years: list[int], corrected: Sequence[tuple[int, int]] = ()
) -> None:
    """The run's table: every open individual account with a flow up to ``year`` whose
    earlier years are all settled (none changed since it was credited, none credited at
    a provisional rate since published: ``recheck_years``) and whose previous year is
    summed (or that has no earlier year), with its opening, the year's sums, the interest
    booked for the year and the region whose rules apply (that of the unit of the
    person's open employment, the latest if several, else of the latest; "" for none).
    An account whose latest crediting of an earlier year was at a rate the packs no longer
    give that year (``corrected_rates``) is left out too."""
    _execute(cursor, f"DROP TABLE IF EXISTS {RUN_TABLE}")
    _execute(
        cursor,
        f"CREATE TEMPORARY TABLE {RUN_TABLE} (account_id bigint PRIMARY KEY, "
        "region varchar(32) NOT NULL, opening bigint NOT NULL, credits bigint NOT NULL, "
        "weighted bigint NOT NULL, booked bigint NOT NULL, target bigint NOT NULL DEFAULT 0, "
        "grp integer NOT NULL DEFAULT 0)",
    )
    recheck = ""
    if recheck_years:
        years = ", ".join(str(int(y)) for y in recheck_years)
        recheck = f" OR (b.provisional AND b.year IN ({years}))"
    _execute(
        cursor,
        f"""
        INSERT INTO {RUN_TABLE} (account_id, region, opening, credits, weighted, booked)
        SELECT a.id, COALESCE(r.region, ''),
            COALESCE(prev.opening + prev.credits + prev.interest, 0),
            COALESCE(cur.credits, 0), COALESCE(cur.weighted, 0), COALESCE(cur.interest, 0)
        FROM ledger_account a
        LEFT JOIN registry_person pe ON pe.id = a.person_id
        LEFT JOIN ({PERSON_REGION_SQL}) r ON r.person_id = a.person_id
        LEFT JOIN ledger_accountyear prev ON prev.account_id = a.id AND prev.year = %(prev)s
        LEFT JOIN ledger_accountyear cur ON cur.account_id = a.id AND cur.year = %(year)s
        WHERE a.kind = %(individual)s AND a.closed_on IS NULL
            AND (pe.status IS NULL OR pe.status <> 'cleared')
            AND (prev.id IS NOT NULL OR cur.flows > 0)
            AND NOT EXISTS (
                SELECT 1 FROM ledger_accountyear b
                WHERE b.account_id = a.id AND b.year < %(year)s
                    AND (NOT b.settled{recheck} OR prev.id IS NULL)
            )
        """,
        {"year": year, "prev": year - 1, "individual": Account.Kind.INDIVIDUAL},
    )
    if corrected:
        pairs = " OR ".join(
            f"(ic.year = {int(y)} AND {_MILLIONTHS} = {int(r)})" for y, r in corrected
        )
        _execute(
            cursor,
            f"""
            DELETE FROM {RUN_TABLE} WHERE account_id IN (
                SELECT ic.account_id FROM ledger_interestcredit ic
                WHERE ({pairs}) AND NOT EXISTS (
                    SELECT 1 FROM ledger_interestcredit later
                    WHERE later.account_id = ic.account_id AND later.year = ic.year
                        AND later.id > ic.id
                )
            )
            """,
        )


# A stored rate in millionths, as an integer (SQLite holds the column as a float).
_MILLIONTHS = "CAST(ROUND(ic.rate * 1000000) AS INTEGER)"


def corrected_rates(cursor, *, year: int) -> list[tuple[int, int]]:
    """``(year, rate in millionths)`` of earlier years credited at their published rate
    where no region's rules give that rate for the year any more (a rate corrected in the
    pack): the accounts so credited go through the rules' path, which books the
    difference."""
    _execute(
        cursor,
        f"SELECT DISTINCT ic.year, {_MILLIONTHS} FROM ledger_interestcredit ic "
        "WHERE NOT ic.provisional AND ic.months IS NULL AND ic.year < %(year)s",
        {"year": year},
    )
    credited = cursor.fetchall()
    if not credited:
        return []
    _execute(cursor, "SELECT DISTINCT region FROM registry_unit")
    policies = [interest.interest_policy()] + [
        interest.interest_policy(region) for (region,) in cursor.fetchall() if region
    ]
    found = []
    for earlier, rate in credited:
        current = set()
        for policy in policies:
            try:
                applied = policy.applied_rate(earlier)
            except NoPolicyValue:
                continue
            if not applied.provisional:
                current.add(int(applied.rate.rate * 1_000_000))
        if int(rate) not in current:
            found.append((int(earlier), int(rate)))
    return found


def run_table_regions(cursor) -> list[str]:
    _execute(cursor, f"SELECT DISTINCT region FROM {RUN_TABLE} ORDER BY region")
    return [region for (region,) in cursor.fetchall()]


def run_table_compute(cursor, groups: list[tuple[RateGroup, list[str]]]) -> None:
    """Number the rate groups, drop the accounts of regions outside them (and the odd
    account with interest booked for a year in which it held nothing), and compute each
    account's interest for the year."""
    for number, (group, regions) in enumerate(groups, start=1):
        for start in range(0, len(regions), 500):
            part = regions[start : start + 500]
            marks = ", ".join(f"%(r{i})s" for i in range(len(part)))
            _execute(
                cursor,
                f"UPDATE {RUN_TABLE} SET grp = %(grp)s WHERE region IN ({marks})",
                {"grp": number, **{f"r{i}": r for i, r in enumerate(part)}},
            )
        weighted = "weighted" if group.method == interest.MONTH_PRODUCT else "credits"
        # The terms are integers computed here, not input: written into the statement so
        # that both databases do integer arithmetic on them.
        n = f"(opening * {int(group.a)} + {weighted} * {int(group.b)})"
        d = int(group.d)
        _execute(
            cursor,
            f"UPDATE {RUN_TABLE} SET target = CASE "
            "WHEN opening = 0 AND credits = 0 THEN 0 "
            f"WHEN {n} > 0 THEN (2 * {n} + {d}) / {2 * d} ELSE 0 END "
            "WHERE grp = %(grp)s",
            {"grp": number},
        )
    _execute(
        cursor,
        f"DELETE FROM {RUN_TABLE} WHERE grp = 0 OR (opening = 0 AND credits = 0 AND booked <> 0)",
    )


def run_table_credit(cursor, *, year: int, groups, entry_id: int, now) -> None:
    """An InterestCredit row for each account of the table whose interest changed: one
    INSERT ... SELECT per rate group."""
    created_at = models.DateTimeField().get_db_prep_save(now, connection)
    # As InterestCredit.rate is stored (a string of its places on SQLite).
    rate_field = models.DecimalField(max_digits=8, decimal_places=6)
    for number, (group, _regions) in enumerate(groups, start=1):
        _execute(
            cursor,
            "INSERT INTO ledger_interestcredit (account_id, year, amount, rate, rate_year, "
            "provisional, months, method, opening, credits, entry_id, created_at) "
            "SELECT account_id, %(year)s, target - booked, %(rate)s, %(rate_year)s, "
            "%(provisional)s, NULL, %(method)s, opening, credits, %(entry)s, %(created_at)s "
            f"FROM {RUN_TABLE} WHERE grp = %(grp)s AND target <> booked ORDER BY account_id",
            {
                "year": year,
                "rate": rate_field.get_db_prep_save(group.rate, connection),
                "rate_year": group.rate_year,
                "provisional": group.provisional,
                "method": group.method,
                "entry": entry_id,
                "created_at": created_at,
                "grp": number,
            },
        )


def run_table_due(cursor) -> int:
    """How many accounts of the table have interest to book."""
    _execute(cursor, f"SELECT COUNT(*) FROM {RUN_TABLE} WHERE target <> booked")
    return int(cursor.fetchone()[0])


def run_table_settle(cursor, *, year: int, groups) -> None:
    """The table's accounts' year is settled: its opening recorded and its interest
    booked (the postings' upsert added it). A summary whose sums moved since the table
    was filled (a posting committed meanwhile) stays unsettled."""
    for number, (group, _regions) in enumerate(groups, start=1):
        _execute(
            cursor,
            "INSERT INTO ledger_accountyear (account_id, year, credits, weighted, flows, "
            "interest, opening, settled, provisional) "
            "SELECT account_id, %(year)s, credits, weighted, 0, 0, opening, true, "
            f"%(provisional)s FROM {RUN_TABLE} WHERE grp = %(grp)s "
            "ON CONFLICT (account_id, year) DO UPDATE SET opening = excluded.opening, "
            "provisional = excluded.provisional, settled = "
            "(ledger_accountyear.credits = excluded.credits "
            "AND ledger_accountyear.weighted = excluded.weighted)",
            {"year": year, "provisional": group.provisional, "grp": number},
        )


def run_table_drop(cursor) -> None:
    _execute(cursor, f"DROP TABLE IF EXISTS {RUN_TABLE}")


def slow_accounts(cursor, *, year: int) -> list[tuple[int, int | None, bool]]:
    """``(account, person, closed)`` of the accounts with a flow up to ``year`` that the
    table leaves to the rules' path: open ones not in it, and closed ones credited at a
    provisional rate (their true-ups)."""
    _execute(
        cursor,
        f"""
        SELECT a.id, a.person_id,
            CASE WHEN a.closed_on IS NOT NULL OR pe.status = 'cleared' THEN 1 ELSE 0 END
        FROM ledger_account a
        LEFT JOIN registry_person pe ON pe.id = a.person_id
        WHERE a.kind = %(individual)s
            AND EXISTS (
                SELECT 1 FROM ledger_accountyear y
                WHERE y.account_id = a.id AND y.year <= %(year)s AND y.flows > 0
            )
            AND NOT EXISTS (SELECT 1 FROM {RUN_TABLE} r WHERE r.account_id = a.id)
            AND (
                (a.closed_on IS NULL AND (pe.status IS NULL OR pe.status <> 'cleared'))
                OR (a.closed_on IS NOT NULL AND EXISTS (
                    SELECT 1 FROM ledger_interestcredit ic
                    WHERE ic.account_id = a.id AND ic.provisional AND ic.year <= %(year)s
                ))
            )
        ORDER BY a.id
        """,
        {"year": year, "individual": Account.Kind.INDIVIDUAL},
    )
    return [(pk, person, bool(closed)) for pk, person, closed in cursor.fetchall()]


def closed_with_flows(cursor, *, year: int) -> int:
    """Closed accounts (closed, or the person's relationship ended) with a flow up to
    ``year``: the run posts nothing to them."""
    _execute(
        cursor,
        """
        SELECT COUNT(*) FROM ledger_account a
        LEFT JOIN registry_person pe ON pe.id = a.person_id
        WHERE a.kind = %(individual)s
            AND (a.closed_on IS NOT NULL OR pe.status = 'cleared')
            AND EXISTS (
                SELECT 1 FROM ledger_accountyear y
                WHERE y.account_id = a.id AND y.year <= %(year)s AND y.flows > 0
            )
        """,
        {"year": year, "individual": Account.Kind.INDIVIDUAL},
    )
    return int(cursor.fetchone()[0])


def recheck_years(cursor, *, year: int) -> list[int]:
    """Earlier years settled at a provisional rate whose own rate is now published (or
    that no longer has one): their accounts go through the rules' path."""
    _execute(
        cursor,
        "SELECT DISTINCT year FROM ledger_accountyear WHERE provisional AND year < %(year)s",
        {"year": year},
    )
    national = interest.interest_policy()
    found = []
    for (earlier,) in cursor.fetchall():
        try:
            still = national.applied_rate(earlier).provisional
        except NoPolicyValue:
            still = False
        if not still:
            found.append(earlier)
    return found


def entry_postings_write(cursor, *, entry_id: int, interest_account_id: int, year: int) -> int:
    """The entry's postings from its InterestCredit rows: the interest expense account
    debited with the total, each account credited for each year (the caller applies them
    to the balances and the summaries). Returns the total in fen."""
    _execute(
        cursor,
        "SELECT COALESCE(SUM(amount), 0) FROM ledger_interestcredit WHERE entry_id = %(entry)s",
        {"entry": entry_id},
    )
    total = int(cursor.fetchone()[0])
    if total:
        _execute(
            cursor,
            "INSERT INTO ledger_posting (entry_id, account_id, amount, period) "
            "VALUES (%(entry)s, %(account)s, %(total)s, %(period)s)",
            {
                "entry": entry_id,
                "account": interest_account_id,
                "total": total,
                "period": f"{year}-12",
            },
        )
    _execute(
        cursor,
        "INSERT INTO ledger_posting (entry_id, account_id, amount, period) "
        "SELECT entry_id, account_id, -amount, CAST(year AS VARCHAR(4)) || '-12' "
        "FROM ledger_interestcredit WHERE entry_id = %(entry)s AND amount <> 0 "
        "ORDER BY account_id, year, id",
        {"entry": entry_id},
    )
    return total

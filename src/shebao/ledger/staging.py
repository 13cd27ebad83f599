"""Declaration lines checked and computed in the database.

A submission's lines are streamed into temporary tables of the connection (COPY on
PostgreSQL, ``executemany`` on SQLite), checked against the registry with joins, and their
contribution bases, premiums and account credits are computed in SQL and written with one
``INSERT ... SELECT``. Amounts are integer fen and rates integer numerators over
``RATE_SCALE``, so the arithmetic is exact on both databases; each part is rounded half
up to the fen, as ``domain.premium_parts`` rounds it.

The tables live for one ``Staging`` (a ``with`` block inside the caller's transaction):

- ``stage_group``: one row per unit-month (``grp``): the unit, the month's first and last
  days, its base floor and cap, the policy whose rates apply, and once posted the
  declaration's id;
- ``stage_line``: one row per line given: its number, its unit-month, how it names its
  person (ID number, or passport and nationality, or the person's id when the caller
  checked it already) and the wage;
- ``stage_rate``: each policy's rates by insurance type;
- ``stage_exempt``: insurance types a bilateral agreement exempts a line's person from;
- ``stage_employed``: the unit's employees of each unit-month;
- ``stage_checked``: every line with the person it names, whether that person was the
  unit's employee in the month, the first line naming them in the unit-month, whether
  their account is closed, and its month's policy; a line is ``good`` when it is to be
  posted;
- ``stage_posted``: the declaration each posted unit-month became.
"""

import contextlib
import datetime
import itertools
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.db import DatabaseError, connection

from shebao.core.money import round_money, to_fen
from shebao.registry import domain as registry_domain
from shebao.registry.models import Employment, Person

# Rates are exact at eight decimal places or fewer (the packs hold four to six).
RATE_SCALE = 10**8
_HALF = RATE_SCALE // 2
# Rows per executemany on SQLite.
_CHUNK = 10_000


def rate_numerator(rate: Decimal) -> int:
    """``rate`` as an integer over ``RATE_SCALE``; a rate finer than that is a pack error."""
    scaled = Decimal(rate) * RATE_SCALE
    if scaled != scaled.to_integral_value():
        raise ValueError(f"rate {rate} has more than 8 decimal places")
    return int(scaled)


class Staging:
    """The temporary tables of one submission. Use inside a transaction:
    ``with Staging() as stage: ...``; the tables are dropped when the block ends."""

    TABLES = (
        "stage_posted",
        "stage_employed",
        "stage_checked",
        "stage_exempt",
        "stage_rate",
        "stage_line",
        "stage_group",
    )

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self._policies: dict[tuple, int] = {}
        self._groups: list[tuple] = []
        self._rates: list[tuple] = []
        # Unit-months that cannot be posted, and why: raised if one of them would be.
        self.refused: dict[int, Exception] = {}
        # Each policy's rates: ``(policy, kind, unit, personal, fixed fen, to_account)``.
        self._rates_of: dict[int, list[tuple]] = {}

    # Setting up -------------------------------------------------------------------------

    def __enter__(self) -> "Staging":
        date = "date" if self.postgres else "text"
        self._drop()
        with connection.cursor() as cursor:
            for statement in (
                f"CREATE TEMP TABLE stage_group (grp integer PRIMARY KEY, unit_id bigint, "
                f"period varchar(7), month_start {date}, month_end {date}, floor bigint, "
                f"cap bigint, policy integer, declaration_id bigint)",
                "CREATE TEMP TABLE stage_line (seq integer, line integer, grp integer, "
                "citizen_id text, nationality text, passport_no text, wage bigint, "
                "person_id bigint)",
                "CREATE TEMP TABLE stage_rate (policy integer, kind varchar(24), "
                "unit_num bigint, personal_num bigint, fixed bigint, to_account integer)",
                "CREATE TEMP TABLE stage_exempt (seq integer, kind varchar(24))",
                "CREATE TEMP TABLE stage_posted (grp integer PRIMARY KEY, id bigint)",
            ):
                cursor.execute(statement)
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self._drop()
            return
        # Leaving on an error: the caller's transaction is rolled back, and the tables
        # created in it with it; a PostgreSQL transaction in error refuses the DROP.
        with contextlib.suppress(DatabaseError):
            self._drop()

    def _drop(self) -> None:
        with connection.cursor() as cursor:
            for table in self.TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def _insert(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
        """Stream ``rows`` into ``table`` a batch at a time: COPY on PostgreSQL,
        ``executemany`` on SQLite. ``rows`` may run queries of its own between batches
        (never during a COPY). Returns the number of rows."""
        count = 0
        if self.postgres:
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        else:
            marks = ", ".join("?" * len(columns))
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        batch: list[tuple] = []
        for row in itertools.chain(rows, [None]):
            if row is not None:
                batch.append(row)
                if len(batch) < _CHUNK:
                    continue
            if not batch:
                break
            with connection.cursor() as cursor:
                raw = cursor.cursor  # the driver's own cursor: COPY and '?' marks as they are
                if self.postgres:
                    with raw.copy(statement) as copy:
                        for item in batch:
                            copy.write_row(item)
                else:
                    raw.executemany(statement, batch)
            count += len(batch)
            batch = []
        return count

    def _date(self, day: datetime.date):
        return day if self.postgres else day.isoformat()

    def add_group(
        self,
        grp: int,
        *,
        unit_id: int,
        period: str,
        month_start: datetime.date,
        month_end: datetime.date,
        floor: Decimal,
        cap: Decimal,
        rates: dict,
        to_account: frozenset,
    ) -> None:
        """A unit-month with its base limits and rates (``{kind: (unit, personal)}`` pairs
        that may carry ``personal_fixed_monthly``)."""
        key = (
            tuple(
                (kind, pair[0], pair[1], getattr(pair, "personal_fixed_monthly", 0))
                for kind, pair in rates.items()
            ),
            to_account,
        )
        policy = self._policies.get(key)
        if policy is None:
            policy = self._policies[key] = len(self._policies) + 1
            self._rates_of[policy] = [
                (
                    policy,
                    kind,
                    rate_numerator(unit),
                    rate_numerator(personal),
                    to_fen(round_money(Decimal(fixed))),
                    int(kind in to_account),
                )
                for kind, unit, personal, fixed in key[0]
            ]
            self._rates.extend(self._rates_of[policy])
        self._groups.append(
            (
                grp,
                unit_id,
                period,
                self._date(month_start),
                self._date(month_end),
                to_fen(floor),
                to_fen(cap),
                policy,
            )
        )

    def groups_write(self) -> None:
        """Write the unit-months and rates ``add_group`` gathered (kept in memory until
        now so that adding them never interrupts the lines' COPY)."""
        self._insert(
            "stage_group",
            ("grp", "unit_id", "period", "month_start", "month_end", "floor", "cap", "policy"),
            self._groups,
        )
        self._insert(
            "stage_rate",
            ("policy", "kind", "unit_num", "personal_num", "fixed", "to_account"),
            self._rates,
        )
        self._groups, self._rates = [], []

    def load_lines(self, rows: Iterable[tuple]) -> int:
        """``(seq, line, grp, citizen_id, nationality, passport_no, wage fen, person_id)``
        tuples: ``seq`` numbers the rows of the submission (a line number may repeat
        across unit-months), the person's id is given only when the caller checked the
        line already."""
        return self._insert(
            "stage_line",
            ("seq", "line", "grp", "citizen_id", "nationality", "passport_no", "wage", "person_id"),
            rows,
        )

    def load_exemptions(self, rows: Iterable[tuple[int, str]]) -> None:
        """``(seq, kind)``: the line's person is exempt from ``kind``."""
        self._insert("stage_exempt", ("seq", "kind"), rows)

    # Checking ---------------------------------------------------------------------------

    def check(self, *, checked_already: bool = False) -> None:
        """Build ``stage_checked``: each line's person (by ID number, or by passport and
        nationality), whether they had a confirmed employment at the unit during some day
        of the month, the first such line of theirs in the unit-month, and whether their
        account is closed. Lines ``checked_already`` name their person by id and are all
        good."""
        person = Person._meta.db_table
        employment = Employment._meta.db_table
        states = sorted(registry_domain.EMPLOYMENT_CONFIRMED_STATES)
        marks = ", ".join(["%s"] * len(states))
        true, false = ("true", "false") if self.postgres else ("1", "0")
        with connection.cursor() as cursor:
            if self.postgres:
                # Autovacuum never sees temporary tables: without statistics the planner
                # takes them for a few rows and joins them by nested loops.
                cursor.execute("ANALYZE stage_line, stage_group, stage_rate")
            if checked_already:
                cursor.execute(
                    "CREATE TEMP TABLE stage_checked AS SELECT l.seq, l.line, l.grp, "
                    f"l.person_id, l.wage, {true} AS employed, l.line AS first_line, "
                    f"{false} AS cleared, {true} AS good, {false} AS by_passport, "
                    "l.citizen_id, g.policy FROM stage_line l JOIN stage_group g ON g.grp = l.grp"
                )
                self._index_checked(cursor)
                return
            # The unit's employees of each month: a confirmed employment covering some day
            # of it. Found for the unit-months at once (each unit's employments through
            # their index), then looked up by line.
            cursor.execute(
                f"""
                CREATE TEMP TABLE stage_employed AS
                SELECT DISTINCT g.grp, e.person_id
                FROM stage_group g JOIN {employment} e ON e.unit_id = g.unit_id
                WHERE e.status IN ({marks}) AND e.started_on <= g.month_end
                    AND (e.ended_on IS NULL OR e.ended_on >= g.month_start)
                """,
                states,
            )
            cursor.execute(
                "CREATE UNIQUE INDEX stage_employed_key ON stage_employed (grp, person_id)"
            )
            if self.postgres:
                cursor.execute("ANALYZE stage_employed")
            cursor.execute(
                f"""
                CREATE TEMP TABLE stage_checked AS
                WITH named AS (
                    SELECT l.seq, l.line, l.grp, l.wage, COALESCE(pc.id, pp.id) AS person_id,
                        COALESCE(pc.status, pp.status) AS status,
                        CASE WHEN l.passport_no IS NOT NULL THEN {true} ELSE {false} END
                            AS by_passport, l.citizen_id
                    FROM stage_line l
                    LEFT JOIN {person} pc ON pc.citizen_id = l.citizen_id
                    LEFT JOIN {person} pp
                        ON pp.passport_no = l.passport_no AND pp.nationality = l.nationality
                ),
                placed AS (
                    SELECT n.*, g.policy, CASE WHEN EXISTS (
                        SELECT 1 FROM stage_employed s
                        WHERE s.grp = n.grp AND s.person_id = n.person_id
                    ) THEN {true} ELSE {false} END AS employed
                    FROM named n JOIN stage_group g ON g.grp = n.grp
                ),
                ranked AS (
                    SELECT p.*, MIN(CASE WHEN p.employed THEN p.line END)
                        OVER (PARTITION BY p.grp, p.person_id) AS first_line
                    FROM placed p
                )
                SELECT seq, line, grp, person_id, wage, employed, first_line,
                    CASE WHEN status = %s THEN {true} ELSE {false} END AS cleared,
                    CASE WHEN employed AND line = first_line AND COALESCE(status, '') <> %s
                        THEN {true} ELSE {false} END AS good,
                    by_passport, citizen_id, policy
                FROM ranked
                """,
                [Person.Status.CLEARED, Person.Status.CLEARED],
            )
            self._index_checked(cursor)

    @staticmethod
    def _index_checked(cursor) -> None:
        # The look-ups of a unit-month's lines by person (employees left out), of a
        # policy's lines (computing them) and of a line's exemptions.
        cursor.execute("CREATE INDEX stage_checked_grp ON stage_checked (grp, person_id)")
        cursor.execute("CREATE INDEX stage_checked_policy ON stage_checked (policy)")
        cursor.execute("CREATE INDEX stage_exempt_seq ON stage_exempt (seq)")
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE stage_checked")

    def refusals(self) -> Iterator[tuple]:
        """The lines not to post, by line: ``(line, grp, by_passport, citizen_id,
        person_id, employed, first_line, cleared)``."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT line, grp, by_passport, citizen_id, person_id, employed, first_line, "
                "cleared FROM stage_checked WHERE NOT good ORDER BY line"
            )
            while rows := cursor.fetchmany(5000):
                yield from rows

    def good_counts(self) -> dict[int, int]:
        """Lines to post by unit-month."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT grp, COUNT(*) FROM stage_checked WHERE good GROUP BY grp")
            return dict(cursor.fetchall())

    def good_person_ids(self, *, closed_only: bool = False) -> list[int]:
        person = Person._meta.db_table
        with connection.cursor() as cursor:
            if closed_only:
                cursor.execute(
                    f"SELECT DISTINCT c.person_id FROM stage_checked c JOIN {person} p "
                    "ON p.id = c.person_id WHERE c.good AND p.status = %s",
                    [Person.Status.CLEARED],
                )
            else:
                cursor.execute("SELECT DISTINCT person_id FROM stage_checked WHERE good")
            return [row[0] for row in cursor.fetchall()]

    def coverage_candidates(self) -> list[tuple]:
        """Lines to post whose person is a foreign national with a certificate of coverage
        recorded on an employment at the unit valid during the month: ``(seq,
        nationality, month_start, unit_id)``."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                SELECT DISTINCT c.seq, p.nationality, g.month_start, g.unit_id
                FROM stage_checked c
                JOIN stage_group g ON g.grp = c.grp
                JOIN {Employment._meta.db_table} e
                    ON e.unit_id = g.unit_id AND e.person_id = c.person_id
                JOIN {Person._meta.db_table} p ON p.id = c.person_id
                WHERE c.good AND e.coverage_certificate_no <> ''
                    AND e.coverage_valid_from <= g.month_end
                    AND e.coverage_valid_to >= g.month_start
                    AND p.nationality <> ''
                ORDER BY c.seq
                """
            )
            rows = cursor.fetchall()
        return [
            (seq, nationality, _as_date(start), unit_id)
            for seq, nationality, start, unit_id in rows
        ]

    def omitted_employees(self) -> list[tuple]:
        """The unit's employees of each unit-month with lines to post that no such line
        names: ``(grp, person_id, name, citizen_id, passport_no)`` by unit-month and
        person."""
        with connection.cursor() as cursor:
            # Each line to post names an employee of its month, a different one each: a
            # month leaves someone out exactly when it has more employees than such lines.
            cursor.execute(
                "SELECT e.grp FROM (SELECT grp, COUNT(*) AS n FROM stage_employed GROUP BY grp) e "
                "JOIN (SELECT grp, COUNT(*) AS n FROM stage_checked WHERE good GROUP BY grp) c "
                "ON c.grp = e.grp WHERE e.n > c.n"
            )
            short = [int(grp) for (grp,) in cursor.fetchall()]
            if not short:
                return []
            cursor.execute(
                f"""
                SELECT s.grp, s.person_id, p.name, p.citizen_id, p.passport_no
                FROM stage_employed s
                JOIN {Person._meta.db_table} p ON p.id = s.person_id
                WHERE s.grp IN ({", ".join(str(grp) for grp in short)})
                    AND NOT EXISTS (
                        SELECT 1 FROM stage_checked c
                        WHERE c.grp = s.grp AND c.person_id = s.person_id AND c.good
                    )
                ORDER BY s.grp, s.person_id
                """
            )
            return cursor.fetchall()

    # Computing and writing --------------------------------------------------------------
    #
    # Nearly every line is charged every insurance type of its month's policy: for those,
    # each policy's rates are written into the SQL as constants, one column per type, so
    # a line is computed in its own row (no join to the rates, no grouping). The few lines
    # a bilateral agreement exempts from some type go through one general query that joins
    # the rates and leaves the exempt types out.

    # The line's base: the wage clamped to the month's limits.
    _BASE = "CASE WHEN c.wage < g.floor THEN g.floor WHEN c.wage > g.cap THEN g.cap ELSE c.wage END"
    _EXEMPT = "EXISTS (SELECT 1 FROM stage_exempt x WHERE x.seq = c.seq)"

    def _money_text(self, value: str) -> str:
        """SQL for a non-negative fen amount as the API writes it: ``"1600.00"`` (in a
        statement run without parameters: its ``%`` are not placeholders)."""
        if self.postgres:
            return f"(({value}) / 100)::text || '.' || lpad((({value}) % 100)::text, 2, '0')"
        return f"printf('%d.%02d', ({value}) / 100, ({value}) % 100)"

    def _policy_parts(self, policy: int) -> list[tuple[str, str, str, bool]]:
        """``(kind, unit part, personal part, to the account)`` as SQL over ``c`` and ``g``
        for each insurance type of ``policy``, rounded half up to the fen."""
        return [
            (
                kind,
                f"(({self._BASE}) * {unit} + {_HALF}) / {RATE_SCALE}",
                f"((({self._BASE}) * {personal} + {_HALF}) / {RATE_SCALE} + {fixed})",
                bool(to_account),
            )
            for _p, kind, unit, personal, fixed, to_account in self._rates_of[policy]
        ]

    # The general query's parts: one row per line and type charged (``x.seq`` is set where
    # the line's person is exempt from the type).
    _UNIT = f"(({_BASE}) * r.unit_num + {_HALF}) / {RATE_SCALE}"
    _PERSONAL = f"((({_BASE}) * r.personal_num + {_HALF}) / {RATE_SCALE} + r.fixed)"
    _GENERAL_FROM = """
        FROM stage_checked c
        JOIN stage_group g ON g.grp = c.grp
        JOIN stage_rate r ON r.policy = g.policy
        LEFT JOIN stage_exempt x ON x.seq = c.seq AND x.kind = r.kind
    """

    def totals(self) -> dict[int, dict[str, tuple[int, int, int]]]:
        """``grp -> kind -> (unit part, personal part, of it to the accounts)`` in fen,
        over the lines to post."""
        found: dict[int, dict[str, list[int]]] = {}

        def add(grp, kind, unit, personal, to_account):
            sums = found.setdefault(grp, {}).setdefault(kind, [0, 0, 0])
            sums[0] += int(unit)
            sums[1] += int(personal)
            sums[2] += int(to_account)

        with connection.cursor() as cursor:
            for policy in sorted(self._rates_of):
                parts = self._policy_parts(policy)
                columns = ", ".join(
                    f"SUM({unit}), SUM({personal})" for _k, unit, personal, _a in parts
                )
                cursor.execute(
                    f"SELECT c.grp, {columns} FROM stage_checked c "
                    "JOIN stage_group g ON g.grp = c.grp "
                    f"WHERE c.policy = {int(policy)} AND c.good AND NOT {self._EXEMPT} "
                    "GROUP BY c.grp"
                )
                for grp, *sums in cursor.fetchall():
                    for i, (kind, _u, _p, to_account) in enumerate(parts):
                        unit, personal = sums[2 * i], sums[2 * i + 1]
                        add(grp, kind, unit, personal, personal if to_account else 0)
            cursor.execute(
                f"SELECT c.grp, r.kind, SUM({self._UNIT}), SUM({self._PERSONAL}), "
                f"SUM(CASE WHEN r.to_account = 1 THEN {self._PERSONAL} ELSE 0 END) "
                f"{self._GENERAL_FROM} WHERE c.good AND {self._EXEMPT} AND x.seq IS NULL "
                "GROUP BY c.grp, r.kind"
            )
            for row in cursor.fetchall():
                add(*row)
        return {
            grp: {kind: (u, p, a) for kind, (u, p, a) in by_kind.items()}
            for grp, by_kind in found.items()
        }

    def set_declarations(self, pairs: list[tuple[int, int]]) -> None:
        """``(grp, declaration id)`` for each unit-month posted."""
        self._insert("stage_posted", ("grp", "id"), pairs)

    def write_lines(self, table: str) -> int:
        """Write every good line of the posted unit-months into ``table`` (the
        declaration lines): one ``INSERT ... SELECT`` per policy, and one for the lines
        with exemptions. Returns the rows written."""
        columns = (
            f"INSERT INTO {table} (declaration_id, line_no, person_id, period, wage, base, "
            "unit_total, personal_total, account_credit, parts)"
        )
        written = 0
        with connection.cursor() as cursor:
            for policy in sorted(self._rates_of):
                parts = self._policy_parts(policy)
                unit_total = " + ".join(unit for _k, unit, _p, _a in parts) or "0"
                personal_total = " + ".join(personal for _k, _u, personal, _a in parts) or "0"
                credit = " + ".join(personal for _k, _u, personal, to in parts if to) or "0"
                pairs = [
                    (_sql_text(kind), self._money_text(unit), self._money_text(personal))
                    for kind, unit, personal, _a in parts
                ]
                if self.postgres:
                    json = "jsonb_build_object({})".format(
                        ", ".join(f"{k}, jsonb_build_array({u}, {p})" for k, u, p in pairs)
                    )
                else:
                    json = "json_object({})".format(
                        ", ".join(f"{k}, json_array({u}, {p})" for k, u, p in pairs)
                    )
                cursor.execute(
                    f"""
                    {columns}
                    SELECT d.id, c.line, c.person_id, g.period, c.wage, {self._BASE},
                        {unit_total}, {personal_total}, {credit}, {json}
                    FROM stage_checked c
                    JOIN stage_group g ON g.grp = c.grp
                    JOIN stage_posted d ON d.grp = c.grp
                    WHERE c.policy = {int(policy)} AND c.good AND NOT {self._EXEMPT}
                    ORDER BY d.id, c.line
                    """
                )
                written += cursor.rowcount
            written += self._write_exempt_lines(cursor, columns)
        return written

    def _write_exempt_lines(self, cursor, columns: str) -> int:
        charged = "x.seq IS NULL"
        unit, personal = self._UNIT, self._PERSONAL
        if self.postgres:
            parts = (
                "COALESCE(jsonb_object_agg(r.kind, jsonb_build_array("
                f"{self._money_text(unit)}, {self._money_text(personal)}))"
                f" FILTER (WHERE {charged}), '{{}}'::jsonb)"
            )
        else:
            parts = (
                "COALESCE(json_group_object(r.kind, json_array("
                f"{self._money_text(unit)}, {self._money_text(personal)}))"
                f" FILTER (WHERE {charged}), '{{}}')"
            )
        cursor.execute(
            f"""
            {columns}
            SELECT d.id, c.line, c.person_id, g.period, c.wage, {self._BASE},
                SUM(CASE WHEN {charged} THEN {unit} ELSE 0 END),
                SUM(CASE WHEN {charged} THEN {personal} ELSE 0 END),
                SUM(CASE WHEN {charged} AND r.to_account = 1 THEN {personal} ELSE 0 END),
                {parts}
            {self._GENERAL_FROM}
            JOIN stage_posted d ON d.grp = c.grp
            WHERE c.good AND {self._EXEMPT}
            GROUP BY d.id, c.seq, c.line, c.person_id, g.period, c.wage, g.floor, g.cap
            ORDER BY d.id, c.line
            """
        )
        return cursor.rowcount


def _sql_text(value: str) -> str:
    """A string constant of SQL (an insurance type's code from the policy pack)."""
    return "'" + value.replace("'", "''") + "'"


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)

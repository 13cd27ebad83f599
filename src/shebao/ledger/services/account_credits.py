"""Individual account credits from the months a unit has paid, or a bankruptcy
distribution recovered."""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, models

from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.money import ZERO, format_money, from_fen
from shebao.ledger import chart, domain, selectors
from shebao.ledger.models import (
    Account,
    DebtAdjustment,
    Declaration,
    DeclarationLine,
    JournalEntry,
    Posting,
)
from shebao.ledger.services._common import _closed_person_ids
from shebao.ledger.services.journal import EntryDraft, journal_write, journal_write_select
from shebao.registry.models import Person, Unit


def account_credits_sync(
    *, actor: Actor, unit, effective_on, _seen: frozenset = frozenset()
) -> list[str]:
    """Credit the individual accounts of each of the unit's months whose premiums are
    now paid in full and not yet credited: one entry per month, from the unit's credits
    due to each person's account (O20 Art. 13: accounts are posted from premiums actually
    paid). A person whose account is closed gets nothing: their part goes to a suspense
    account held for them. Returns the months credited. The caller holds the unit's lock.

    A month counts as paid when its whole principal is paid (late fees aside): a partial
    payment of a month cannot be told apart by person, so no one's part of it is credited.
    A month a merger's successor assumed is paid once the successor pays it: the units
    merged into this one are brought up to date too, from their own credits due.
    """
    todo = _credit_paid_months(actor, unit, effective_on)
    seen = _seen | {unit.pk}
    merged_ids = set(
        DebtAdjustment.objects.filter(
            unit=unit, kind=DebtAdjustment.Kind.ASSUMED_IN, principal__gt=0
        ).values_list("other_unit_id", flat=True)
    )
    for merged in Unit.objects.filter(pk__in=merged_ids - seen).order_by("pk"):
        account_credits_sync(actor=actor, unit=merged, effective_on=effective_on, _seen=seen)
    return todo


def _credited_periods(unit, periods) -> set[str]:
    return set(
        JournalEntry.objects.filter(
            kind=JournalEntry.Kind.ACCOUNT_CREDIT,
            unit=unit,
            period__in=list(periods),
            reversed_by__isnull=True,
        ).values_list("period", flat=True)
    )


def _credit_paid_months(actor: Actor, unit, effective_on) -> list[str]:
    paid = selectors.unit_paid_periods(unit)
    if not paid:
        return []
    due_code = chart.unit_credits_due_code(unit.pk)
    credited = _credited_periods(unit, paid)
    # Months declared before credits waited for payment carry their credits already: only
    # a declaration that booked its accounts' parts as due is credited here.
    waiting = set(
        Posting.objects.filter(
            account__code=due_code,
            entry__declaration__status=Declaration.Status.LIVE,
            entry__declaration__unit=unit,
            entry__declaration__period__in=paid - credited,
        )
        .exclude(amount=0)
        .values_list("entry__declaration__period", flat=True)
    )
    todo = sorted(waiting)
    if not todo:
        return []
    _post_paid_months(actor, unit, todo, effective_on)
    return todo


# The declared lines of a unit's live declarations of some months that credit an account,
# with the code of the account each credits: the person's individual account, or the
# suspense account held for a person whose account is closed (chart's codes).
_PAID_LINES = """
    FROM ledger_declarationline l
    JOIN ledger_declaration d ON d.id = l.declaration_id
    JOIN registry_person pe ON pe.id = l.person_id
    {joins}
    WHERE d.unit_id = %(unit)s AND d.status = %(live)s AND l.period IN ({periods})
        AND l.account_credit > 0
"""
_ACCOUNT_CODE = (
    "CASE WHEN pe.status = %(cleared)s THEN 'SUSPENSE:P' || CAST(l.person_id AS VARCHAR(20)) "
    "ELSE 'P' || CAST(l.person_id AS VARCHAR(20)) || ':pension' END"
)


def _post_paid_months(actor: Actor, unit, periods: list[str], effective_on) -> None:
    """The paid months' account-credit entries, written in the database from the declared
    lines (a month can hold thousands): as ``_post_account_credits`` writes them, one
    entry per month, a debit of the unit's credits due and a credit of the person's
    account per line, in the lines' order."""
    marks = ", ".join(f"%(p{i})s" for i in range(len(periods)))
    lines_sql = _PAID_LINES.format(periods=marks, joins="")
    params = {
        "unit": unit.pk,
        "live": Declaration.Status.LIVE,
        "cleared": Person.Status.CLEARED,
        "individual": Account.Kind.INDIVIDUAL,
        "suspense": Account.Kind.CLOSED_SUSPENSE,
        "now": models.DateTimeField().get_db_prep_save(clock.now(), connection),
        **{f"p{i}": period for i, period in enumerate(periods)},
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT l.period, COUNT(*), SUM(l.account_credit) " + lines_sql + " GROUP BY l.period",
            params,
        )
        found = {period: (count, total) for period, count, total in cursor.fetchall()}
        if not found:
            return
        cursor.execute("SELECT COUNT(DISTINCT l.person_id) " + lines_sql, params)
        persons = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT DISTINCT l.person_id " + lines_sql + " AND pe.status = %(cleared)s", params
        )
        closed = sorted(person_id for (person_id,) in cursor.fetchall())
        # The accounts the lines credit, opened where missing (as chart.accounts_by_code).
        cursor.execute(
            "INSERT INTO ledger_account (code, kind, insurance_type, person_id, balance, "
            f"created_at) SELECT DISTINCT {_ACCOUNT_CODE}, "
            "CASE WHEN pe.status = %(cleared)s THEN %(suspense)s ELSE %(individual)s END, "
            "CASE WHEN pe.status = %(cleared)s THEN '' ELSE 'pension' END, "
            "l.person_id, 0, %(now)s " + lines_sql + " ON CONFLICT (code) DO NOTHING",
            params,
        )
    due = chart.accounts_by_code([chart.unit_credits_due_code(unit.pk)])
    now = clock.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    months = sorted(found)
    journal_write_select(
        [
            JournalEntry(
                kind=JournalEntry.Kind.ACCOUNT_CREDIT,
                effective_on=effective_on,
                period=period,
                unit_id=unit.pk,
                memo=f"{period} paid: personal parts credited"[:200],
                created_at=now,
                created_by_id=actor_id,
            )
            for period in months
        ],
        "SELECT e.id, CASE WHEN s.side = 1 THEN %(due)s ELSE a.id END, "
        "CASE WHEN s.side = 1 THEN l.account_credit ELSE -l.account_credit END, l.period "
        + _PAID_LINES.format(
            periods=marks,
            # Two postings a line: the debit of the credits due (side 1), then the credit.
            joins="JOIN ledger_journalentry e ON e.id IN {entries} AND e.period = l.period "
            f"JOIN ledger_account a ON a.code = {_ACCOUNT_CODE} "
            "CROSS JOIN (SELECT 1 AS side UNION ALL SELECT 2) s",
        )
        + " ORDER BY l.period, l.line_no, s.side",
        {**params, "due": due[chart.unit_credits_due_code(unit.pk)].pk},
    )
    _record_credits_posted(
        actor,
        unit,
        periods=months,
        persons=persons,
        total=from_fen(sum(int(t) for _c, t in found.values())),
        to_suspense=closed,
    )


def _post_account_credits(actor: Actor, unit, lines, effective_on, *, memo, data=None) -> None:
    """One account-credit entry per month of ``lines`` (``(period, person id, amount)``):
    from the unit's credits due to each person's individual account, or to a suspense
    account held for a person whose account is closed."""
    if not lines:
        return
    due_code = chart.unit_credits_due_code(unit.pk)
    closed = _closed_person_ids({person_id for _p, person_id, _a in lines})

    def code_of(person_id):
        if person_id in closed:
            return chart.closed_suspense_code(person_id)
        return chart.individual_code(person_id)

    by_code = chart.accounts_by_code({due_code} | {code_of(p) for _x, p, _a in lines})
    now = clock.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    periods = sorted({period for period, _p, _a in lines})
    drafts = {
        period: EntryDraft(
            JournalEntry(
                kind=JournalEntry.Kind.ACCOUNT_CREDIT,
                effective_on=effective_on,
                period=period,
                unit_id=unit.pk,
                memo=memo(period)[:200],
                created_at=now,
                created_by_id=actor_id,
            )
        )
        for period in periods
    }
    for period, person_id, amount in lines:
        drafts[period].add(by_code[due_code].pk, amount, period)
        drafts[period].add(by_code[code_of(person_id)].pk, -amount, period)
    journal_write(drafts[period] for period in periods)
    _record_credits_posted(
        actor,
        unit,
        periods=periods,
        persons=len({person_id for _p, person_id, _a in lines}),
        total=sum((a for _p, _i, a in lines), Decimal(0)),
        to_suspense=sorted(closed),
        data=data,
    )


def _record_credits_posted(
    actor: Actor, unit, *, periods, persons: int, total: Decimal, to_suspense, data=None
) -> None:
    """The audit event of an account-credit posting, however it was written."""
    audit_record(
        actor=actor,
        action="ledger.account_credits_posted",
        target_type="registry.unit",
        target_id=unit.pk,
        data={
            "periods": periods,
            "persons": persons,
            "total": format_money(total),
            "to_suspense": to_suspense,
            **(data or {}),
        },
    )


def _credit_recovered(actor: Actor, unit, to_accounts: dict[str, Decimal], effective_on, reference):
    """Credit the individual accounts with what a bankruptcy distribution recovered as
    premiums owed to them (Enterprise Bankruptcy Law Art. 113, first rank), month by
    month: a month recovered whole credits each person's part; a month recovered in part
    shares what came in among its persons in proportion to their parts, to the cent.
    A month already credited (paid in full) is left as it is."""
    periods = {period for period, amount in to_accounts.items() if amount > 0}
    if not periods:
        return
    held = selectors.credits_due_by_period(unit, periods)
    periods -= _credited_periods(unit, periods)
    by_period = defaultdict(list)
    for period, person_id, amount in (
        DeclarationLine.objects.filter(
            declaration__unit=unit,
            declaration__status=Declaration.Status.LIVE,
            period__in=sorted(periods),
            account_credit__gt=0,
        )
        .order_by("period", "line_no")
        .values_list("period", "person_id", "account_credit")
    ):
        by_period[period].append((person_id, amount))
    lines = []
    for period in sorted(by_period):
        parts = by_period[period]
        recovered = min(to_accounts[period], held.get(period, ZERO))
        if recovered <= 0:
            continue
        if recovered >= sum((a for _p, a in parts), Decimal(0)):
            shares = [a for _p, a in parts]
        else:
            shares = domain.split_pro_rata(recovered, [a for _p, a in parts])
        lines += [(period, p, share) for (p, _a), share in zip(parts, shares, strict=True) if share]
    _post_account_credits(
        actor,
        unit,
        lines,
        effective_on,
        memo=lambda period: (
            f"{period}: premiums owed to individual accounts recovered ({reference})"
        ),
        data={"recovered_by": reference},
    )

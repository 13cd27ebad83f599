"""Journal entries and their postings, and the accounts' cached balances: the one
place that writes them."""

import dataclasses
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.core.locking import lock_or_404
from shebao.core.money import to_fen
from shebao.ledger.models import Account, JournalEntry, Posting

# The postings of individual accounts summed into their years (``AccountYear``), added to
# what the summaries hold: credits (minus the sum: contributions are negative postings),
# credits weighted by 13 - month, how many such postings, and interest. ``{where}``
# chooses the postings (alias ``p``). Any posting leaves the year to be recomputed by the
# next interest run (``settled`` false). PostgreSQL's SUM of a bigint is a numeric: the
# insert casts it back. SQLite needs a WHERE in an INSERT ... SELECT before ON CONFLICT.
_ACCOUNT_YEARS_ADD = """
INSERT INTO ledger_accountyear
    (account_id, year, credits, weighted, flows, interest, opening, settled, provisional)
SELECT p.account_id, CAST(SUBSTR(p.period, 1, 4) AS INTEGER),
    -SUM(CASE WHEN e.kind = %(interest)s THEN 0 ELSE p.amount END),
    -SUM(CASE WHEN e.kind = %(interest)s THEN 0
         ELSE p.amount * (13 - CAST(SUBSTR(p.period, 6, 2) AS INTEGER)) END),
    SUM(CASE WHEN e.kind = %(interest)s THEN 0 ELSE 1 END),
    -SUM(CASE WHEN e.kind = %(interest)s THEN p.amount ELSE 0 END),
    0, false, false
FROM ledger_posting p
JOIN ledger_account a ON a.id = p.account_id
JOIN ledger_journalentry e ON e.id = p.entry_id
WHERE a.kind = %(individual)s AND p.period >= '1990-01' AND {where}
GROUP BY p.account_id, CAST(SUBSTR(p.period, 1, 4) AS INTEGER)
ON CONFLICT (account_id, year) DO UPDATE SET
    credits = ledger_accountyear.credits + excluded.credits,
    weighted = ledger_accountyear.weighted + excluded.weighted,
    flows = ledger_accountyear.flows + excluded.flows,
    interest = ledger_accountyear.interest + excluded.interest,
    settled = false
"""


def account_years_add(where: str, params: dict) -> None:
    """Add the postings chosen by ``where`` (SQL on ``p``, the postings; named
    ``params``) to their individual accounts' yearly summaries: one set-based upsert.
    Every writer of postings calls it for what it wrote (``journal_write`` does)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _ACCOUNT_YEARS_ADD.format(where=where),
            {
                **params,
                "interest": JournalEntry.Kind.INTEREST,
                "individual": Account.Kind.INDIVIDUAL,
            },
        )


def balances_add(where: str, params: dict) -> None:
    """Add the postings chosen by ``where`` (SQL on ``ledger_posting``; named ``params``)
    to their accounts' balances: one set-based UPDATE, each account changed once."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_account SET balance = ledger_account.balance + v.change "
            "FROM (SELECT account_id, SUM(amount) AS change FROM ledger_posting "
            f"WHERE {where} GROUP BY account_id) AS v "
            "WHERE ledger_account.id = v.account_id",
            params,
        )


def _account_years_add_entries(entries) -> None:
    """The summaries of the postings of ``entries``, just written in this transaction."""
    ids = [entry.pk for entry in entries]
    if connection.vendor == "postgresql":
        account_years_add("p.entry_id = ANY(%(ids)s)", {"ids": ids})
    else:
        # One writer at a time on SQLite: the new entries hold every id in their range.
        account_years_add(
            "p.entry_id BETWEEN %(first)s AND %(last)s", {"first": min(ids), "last": max(ids)}
        )


class UnbalancedEntry(ValueError):
    pass


def _apply_to_balances(totals: dict[int, Decimal]) -> None:
    """Add each account's net change to its cached balance: one set-based UPDATE joined to
    a VALUES list per few thousand accounts (the same SQL on SQLite and PostgreSQL, whose
    VALUES columns are both named column1, column2). Balances are integer fen, so the
    changes are passed as fen and the addition is exact on both databases."""
    table = connection.ops.quote_name(Account._meta.db_table)
    ids = sorted(pk for pk, amount in totals.items() if amount)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            batch = ids[start : start + 5000]
            values = ", ".join(["(%s, %s)"] * len(batch))
            params = [p for pk in batch for p in (pk, to_fen(totals[pk]))]
            if connection.vendor == "postgresql":
                values = ", ".join(["(%s::bigint, %s::bigint)"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET balance = {table}.balance + v.column2 "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                params,
            )


@dataclasses.dataclass
class EntryDraft:
    """A journal entry not written yet (``entry``, unsaved) and its posting lines:
    ``(account id, amount, period)``, debit positive."""

    entry: JournalEntry
    lines: list[tuple[int, Decimal, str]] = dataclasses.field(default_factory=list)

    def add(self, account_id: int, amount, period: str = "") -> None:
        self.lines.append((account_id, amount, period))


def journal_write(drafts, *, lock_accounts: bool = False) -> list[JournalEntry]:
    """Write journal entries with their postings and apply the balance changes: the one
    place that writes them. Every entry must sum to zero; one that does not is refused
    with ``UnbalancedEntry`` before anything is written. Lines of zero are left out.

    The entries are one bulk insert, their postings another (in the drafts' order), each
    account's balance changes once, and the individual accounts' yearly summaries are
    brought up to date by one upsert. With ``lock_accounts`` the accounts are locked
    in primary-key order first (the caller holds no lock that orders them already).
    Returns the entries, saved, in the drafts' order."""
    drafts = list(drafts)
    for draft in drafts:
        draft.lines = [
            (account_id, Decimal(amount), period)
            for account_id, amount, period in draft.lines
            if amount
        ]
        if sum((amount for _a, amount, _p in draft.lines), Decimal(0)) != 0:
            raise UnbalancedEntry("the postings of an entry must sum to zero")
    if not drafts:
        return []
    totals: defaultdict[int, Decimal] = defaultdict(Decimal)
    for draft in drafts:
        for account_id, amount, _p in draft.lines:
            totals[account_id] += amount
    with transaction.atomic(savepoint=False):
        if lock_accounts:
            list(
                Account.objects.select_for_update()
                .filter(pk__in=sorted(totals))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        entries = JournalEntry.objects.bulk_create(
            [draft.entry for draft in drafts], batch_size=2000
        )
        Posting.objects.bulk_create(
            [
                Posting(entry_id=entry.pk, account_id=account_id, amount=amount, period=period)
                for entry, draft in zip(entries, drafts, strict=True)
                for account_id, amount, period in draft.lines
            ],
            batch_size=5000,
        )
        _apply_to_balances(totals)
        if _any_individual(totals):
            _account_years_add_entries(entries)
    return entries


def _any_individual(account_ids) -> bool:
    """Whether an individual account is among these (a declaration posts to none: its
    entries need no summary upkeep). A long list is not checked: the upsert finds them."""
    ids = sorted(account_ids)
    if len(ids) > 2000:
        return True
    return Account.objects.filter(pk__in=ids, kind=Account.Kind.INDIVIDUAL).exists()


def journal_write_select(entries: list[JournalEntry], select_sql: str, params: dict) -> None:
    """Write journal entries whose postings come from one ``SELECT`` in the database, for
    postings that follow from rows already there (thousands of a month's lines) and need
    not pass through Python. ``entries`` are unsaved and are saved here (one bulk insert);
    ``select_sql`` yields ``(entry_id, account_id, amount, period)`` rows, debit positive,
    and may name the new entries' ids as ``{entries}`` (a parenthesised list, e.g.
    ``e.id IN {entries}``); ``params`` are its named parameters. The accounts must exist.

    As in ``journal_write`` (whose rules it keeps: the select leaves out postings of zero),
    each account's balance changes once (one set-based UPDATE), the individual accounts'
    summaries are brought up to date, and an entry whose postings do not sum to zero is refused with
    ``UnbalancedEntry`` (raised inside the caller's transaction, which it rolls back)."""
    if not entries:
        return
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        saved = JournalEntry.objects.bulk_create(entries, batch_size=2000)
        ids = "(" + ", ".join(str(int(entry.pk)) for entry in saved) + ")"
        cursor.execute(
            "INSERT INTO ledger_posting (entry_id, account_id, amount, period) "
            + select_sql.format(entries=ids),
            params,
        )
        cursor.execute(
            f"SELECT entry_id FROM ledger_posting WHERE entry_id IN {ids} "
            "GROUP BY entry_id HAVING SUM(amount) <> 0"
        )
        if cursor.fetchall():
            raise UnbalancedEntry("the postings of an entry must sum to zero")
        balances_add(f"entry_id IN {ids}", {})
        _account_years_add_entries(saved)


def entry_post(
    *,
    actor,
    kind: str,
    effective_on,
    lines,
    unit=None,
    period: str = "",
    memo: str = "",
    reverses: JournalEntry | None = None,
    audit: bool = True,
) -> JournalEntry:
    """Post one balanced journal entry.

    ``lines`` are ``(account, amount, period)`` triples (debit positive); they must sum to
    zero. The accounts are locked in primary-key order before their balances change.
    """
    draft = EntryDraft(
        JournalEntry(
            kind=kind,
            effective_on=effective_on,
            period=period,
            unit=unit,
            memo=memo[:200],
            reverses=reverses,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.pk else None,
        ),
        [(account.pk, amount, line_period) for account, amount, line_period in lines],
    )
    with transaction.atomic():
        (entry,) = journal_write([draft], lock_accounts=True)
        if audit:
            audit_record(
                actor=actor,
                action=f"ledger.{kind}_posted",
                target=entry,
                data={
                    "period": period,
                    "lines": len(draft.lines),
                    "debits": str(sum((a for _x, a, _p in draft.lines if a > 0), Decimal(0))),
                },
            )
    return entry


def entry_reverse(
    *, actor: Actor, entry_id: int, effective_on=None, memo: str = ""
) -> JournalEntry:
    """Post the mirror image of an entry; the original stays as it was."""
    with transaction.atomic():
        entry = lock_or_404(JournalEntry, entry_id)
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise Conflict(code="already_reversed")
        if entry.reverses_id is not None:
            raise Conflict(code="cannot_reverse_a_reversal")
        lines = [(p.account, -p.amount, p.period) for p in entry.postings.select_related("account")]
        return entry_post(
            actor=actor,
            kind=JournalEntry.Kind.REVERSAL,
            effective_on=effective_on or clock.today(),
            lines=lines,
            unit=entry.unit,
            period=entry.period,
            memo=memo or f"reversal of entry {entry.pk}",
            reverses=entry,
        )

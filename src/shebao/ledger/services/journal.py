"""Journal entries and their postings, and the accounts' cached balances: the one
place that writes them."""

from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction

from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.core.money import to_fen
from shebao.ledger.models import (
    Account,
    JournalEntry,
    Posting,
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
    lines = [
        (account, Decimal(amount), line_period) for account, amount, line_period in lines if amount
    ]
    if sum((amount for _a, amount, _p in lines), Decimal(0)) != 0:
        raise UnbalancedEntry("the postings of an entry must sum to zero")
    with transaction.atomic():
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for account, amount, _p in lines:
            totals[account.pk] += amount
        list(
            Account.objects.select_for_update()
            .filter(pk__in=sorted(totals))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        entry = JournalEntry.objects.create(
            kind=kind,
            effective_on=effective_on,
            period=period,
            unit=unit,
            memo=memo[:200],
            reverses=reverses,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.pk else None,
        )
        Posting.objects.bulk_create(
            [
                Posting(entry=entry, account=account, amount=amount, period=line_period)
                for account, amount, line_period in lines
            ],
            batch_size=2000,
        )
        _apply_to_balances(totals)
        if audit:
            audit_record(
                actor=actor,
                action=f"ledger.{kind}_posted",
                target=entry,
                data={
                    "period": period,
                    "lines": len(lines),
                    "debits": str(sum((a for _x, a, _p in lines if a > 0), Decimal(0))),
                },
            )
    return entry


def entry_reverse(*, actor, entry_id: int, effective_on=None, memo: str = "") -> JournalEntry:
    """Post the mirror image of an entry; the original stays as it was."""
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
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

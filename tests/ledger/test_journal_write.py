"""The one journal writer: every entry of a batch balances, or nothing is written."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shebao.core.errors import NotFound
from shebao.ledger import chart, declarations, services
from shebao.ledger.models import Account, Declaration, JournalEntry, Posting
from shebao.ledger.selectors import ledger_check
from shebao.ledger.services import declarations as declaration_services
from shebao.ledger.services.journal import EntryDraft, journal_write
from tests.factories import citizen_id

TODAY = datetime.date(2025, 11, 14)
LEDGER_TABLES = [model._meta.db_table for model in (Account, Declaration, JournalEntry, Posting)]


def checked(unit, period, wage):
    result = declarations.check_lines(unit, period, [(1, citizen_id(11), wage)], today=TODAY)
    assert result.errors == []
    return result


def ledger_writes(queries) -> list[str]:
    """The statements among ``queries`` that change a ledger table."""
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}
        and any(table in q["sql"] for table in LEDGER_TABLES)
    ]


def counts():
    return (
        JournalEntry.objects.count(),
        Posting.objects.count(),
        Declaration.objects.count(),
        dict(Account.objects.values_list("pk", "balance")),
    )


def test_a_bulk_declaration_with_an_unbalanced_entry_is_refused_and_writes_nothing(
    staff, unit_with_staff, monkeypatch
):
    unit, _people = unit_with_staff
    first = services.declarations_post(
        actor=staff, declarations=[checked(unit, "2025-03", "8000.00")]
    )[0]
    before = counts()
    real = declaration_services._declaration_draft

    def one_fen_more_to_the_pool(*args, **kwargs):
        # The pooled funds get a fen the receivable does not owe: the entry is one fen off.
        draft, row = real(*args, **kwargs)
        account_id, amount, period = draft.lines[1]
        draft.lines[1] = (account_id, amount - D("0.01"), period)
        return draft, row

    monkeypatch.setattr(declaration_services, "_declaration_draft", one_fen_more_to_the_pool)
    # A replacement (with its reversal) and a new month, in one batch.
    batch = [checked(unit, "2025-03", "9000.00"), checked(unit, "2025-04", "8000.00")]
    with CaptureQueriesContext(connection) as queries, pytest.raises(services.UnbalancedEntry):
        services.declarations_post(actor=staff, declarations=batch)
    assert ledger_writes(queries.captured_queries) == []
    assert counts() == before
    first.refresh_from_db()
    assert first.status == Declaration.Status.LIVE
    assert ledger_check()[1] == []


@pytest.mark.django_db
def test_the_writer_checks_every_draft_before_writing_any():
    by_code = chart.accounts_by_code([chart.BANK_CODE, chart.LATE_FEE_CODE])
    bank, fees = by_code[chart.BANK_CODE].pk, by_code[chart.LATE_FEE_CODE].pk

    def draft(*lines):
        entry = JournalEntry(
            kind=JournalEntry.Kind.PAYMENT,
            effective_on=TODAY,
            created_at=datetime.datetime(2025, 11, 14, tzinfo=datetime.UTC),
        )
        return EntryDraft(entry, list(lines))

    before = counts()
    balanced = draft((bank, D("5.00"), ""), (fees, D("-5.00"), ""))
    unbalanced = draft((bank, D("5.00"), ""), (fees, D("-4.99"), ""))
    with CaptureQueriesContext(connection) as queries, pytest.raises(services.UnbalancedEntry):
        journal_write([balanced, unbalanced])
    assert ledger_writes(queries.captured_queries) == []
    assert counts() == before

    written = journal_write([balanced, draft((fees, D("2.00"), "2025-03"), (bank, D("-2.00"), ""))])
    assert [e.pk for e in written] == sorted(e.pk for e in written)
    assert Posting.objects.filter(entry__in=written).count() == 4
    assert Account.objects.get(pk=bank).balance == D("3.00")
    assert Account.objects.get(pk=fees).balance == D("-3.00")
    assert ledger_check()[1] == []


@pytest.mark.django_db
def test_reversing_no_such_entry_is_404_not_a_crash():
    with pytest.raises(NotFound):
        services.entry_reverse(actor=None, entry_id=987654)

"""The database's own check behind the guarded writer: on PostgreSQL a journal entry whose
postings do not sum to zero cannot be committed, even when written around the services."""

import datetime
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from shebao.core import clock
from shebao.ledger import chart
from shebao.ledger.models import JournalEntry, Posting

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL (DATABASE_URL)",
    ),
    pytest.mark.django_db,
]

CODES = [chart.BANK_CODE, chart.pooled_code("pension")]


def _write_around_the_writer(amounts):
    by_code = chart.accounts_by_code(CODES)
    entry = JournalEntry.objects.create(
        kind=JournalEntry.Kind.PAYMENT,
        effective_on=datetime.date(2025, 1, 1),
        created_at=clock.now(),
    )
    Posting.objects.bulk_create(
        Posting(entry=entry, account=by_code[code], amount=amount, period="")
        for code, amount in zip(CODES, amounts, strict=True)
    )


def _commit_check():
    """Run the deferred checks now, as COMMIT would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ledger_entry_balanced IMMEDIATE")


def test_an_unbalanced_entry_cannot_be_committed():
    with pytest.raises(IntegrityError, match="unbalanced"), transaction.atomic():
        _write_around_the_writer([D("1.00"), D("-0.99")])
        _commit_check()


def test_a_balanced_entry_commits():
    with transaction.atomic():
        _write_around_the_writer([D("1.00"), D("-1.00")])
        _commit_check()
    assert JournalEntry.objects.count() == 1

"""Regression: amounts were binary floating point on SQLite (finding 1 of the security
review). The migration to integer fen converts every stored value exactly."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shebao.ledger.models import Account

BEFORE = [("ledger", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest():
    """Every app's latest migration: unapplying the ledger's also unapplies the other apps'
    migrations that depend on it, and later tests need the whole schema back."""
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_stored_amounts_to_integer_fen_exactly():
    latest = _latest()
    _migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            for code, balance in (
                ("A:real", "19319.37"),
                ("A:residue", "-2.18278728425503e-11"),
                ("A:negative", "-16845.31"),
                ("A:whole", "100"),
            ):
                cursor.execute(
                    "INSERT INTO ledger_account (code, kind, insurance_type, balance, created_at)"
                    " VALUES (%s, 'bank', '', %s, CURRENT_TIMESTAMP)",
                    [code, balance],
                )
            if connection.vendor == "sqlite":
                cursor.execute("SELECT typeof(balance) FROM ledger_account WHERE code = 'A:real'")
                assert cursor.fetchone()[0] == "real"
    finally:
        _migrate(latest)
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, balance FROM ledger_account ORDER BY code")
        stored = dict(cursor.fetchall())
    assert stored == {
        "A:negative": -1684531,
        "A:real": 1931937,
        "A:residue": 0,
        "A:whole": 10000,
    }
    assert all(type(value) is int for value in stored.values())
    assert Account.objects.get(code="A:real").balance == Decimal("19319.37")
    # The whole schema is back for the tests that follow (their threads open new connections).
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []

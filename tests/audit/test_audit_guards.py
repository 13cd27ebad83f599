import pytest
from django.db import IntegrityError, connection, transaction

from shebao.audit import guards
from shebao.audit.models import AuditEvent


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the flush exception is SQLite's")
def test_sqlite_deletes_only_inside_a_flush(chain, tamper):
    with pytest.raises(IntegrityError), transaction.atomic():
        tamper.raw("DELETE FROM audit_auditevent")
    with guards.flush_allowed():
        tamper.raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the flush exception is SQLite's")
def test_updates_stay_refused_during_a_flush(chain, tamper):
    with pytest.raises(IntegrityError), transaction.atomic(), guards.flush_allowed():
        tamper.raw("UPDATE audit_auditevent SET action = 'x'")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's function registration")
def test_a_connection_without_shebaos_function_cannot_delete(chain, tamper):
    import sqlite3

    # A second raw connection to the same in-memory test database, as the sqlite3 prompt
    # would be: it lacks the function the delete trigger asks.
    name = connection.settings_dict["NAME"]
    if not str(name).startswith("file:"):
        pytest.skip("needs the shared-cache test database")
    other = sqlite3.connect(name, uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="shebao_audit_flush_allowed"):
            other.execute("DELETE FROM audit_auditevent WHERE 0")
    finally:
        other.close()


def test_the_guards_are_installed(db):
    expected, present = guards.installed_guards(connection)
    assert expected <= present


def test_flush_allowed_nests(db):
    with guards.flush_allowed():
        with guards.flush_allowed():
            assert guards._sqlite_flush_allowed() == 1
        assert guards._sqlite_flush_allowed() == 1
    assert guards._sqlite_flush_allowed() == 0

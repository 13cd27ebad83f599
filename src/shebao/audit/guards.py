"""The database's own refusal to change or remove audit events.

The model refuses ``save()`` on a stored event, ``delete()``, and queryset ``update()`` and
``delete()``; triggers created by migration ``0002_append_only_guards`` refuse the same at
the database level, for code (or a person at a SQL prompt) that goes around the ORM:

- PostgreSQL: one row trigger refuses every UPDATE and DELETE. TRUNCATE is not a row
  operation: deny it by running the application under a role that does not own the
  tables (see docs/operations.md).
- SQLite: one trigger refuses every UPDATE; another refuses every DELETE unless the
  connection says a flush is allowed, through the SQL function
  ``shebao_audit_flush_allowed()`` that Shebao registers on its own connections. Other
  clients (the ``sqlite3`` prompt) lack the function, so their deletes fail too.

``flush_allowed()`` exists for one purpose: the ``flush`` command (this package overrides
Django's) empties a test database with ``DELETE`` after every transactional test, as
SQLite has no TRUNCATE. Nothing else should use it.
"""

import contextlib
import threading

SQLITE_TRIGGERS = frozenset({"audit_event_refuse_update", "audit_event_refuse_delete"})
POSTGRES_TRIGGERS = frozenset({"audit_event_append_only"})
SQLITE_FLUSH_FUNCTION = "shebao_audit_flush_allowed"

_lock = threading.Lock()
_flush_depth = 0


@contextlib.contextmanager
def flush_allowed():
    """Let this process's SQLite connections delete audit events while the block runs.

    Process-wide on purpose: a live-server test's second thread shares the test database.
    """
    global _flush_depth
    with _lock:
        _flush_depth += 1
    try:
        yield
    finally:
        with _lock:
            _flush_depth -= 1


def _sqlite_flush_allowed() -> int:
    return 1 if _flush_depth > 0 else 0


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: give each new SQLite connection the function the
    delete trigger asks."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FLUSH_FUNCTION, 0, _sqlite_flush_allowed)


def installed_guards(connection) -> tuple[frozenset[str], frozenset[str]] | None:
    """(expected, present) trigger names on this database, or None for a vendor without
    guards."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["audit_auditevent"],
            )
            return SQLITE_TRIGGERS, frozenset(row[0] for row in cursor.fetchall())
        if connection.vendor == "postgresql":
            # tgenabled 'D' is a disabled trigger: present but not guarding.
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
                "AND NOT tgisinternal AND tgenabled <> 'D'"
            )
            return POSTGRES_TRIGGERS, frozenset(row[0] for row in cursor.fetchall())
    return None

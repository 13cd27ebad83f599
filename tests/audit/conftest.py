import contextlib
import importlib

import pytest
from django.db import connection

_guards_migration = importlib.import_module("shebao.audit.migrations.0002_append_only_guards")


@contextlib.contextmanager
def triggers_dropped():
    """Drop the audit table's triggers for the block, as someone with DDL rights could, then
    put them back (the test's transaction would roll the drop back anyway)."""
    vendor = connection.vendor
    down = {"sqlite": _guards_migration.SQLITE_DOWN, "postgresql": _guards_migration.POSTGRES_DOWN}
    up = {"sqlite": _guards_migration.SQLITE_UP, "postgresql": _guards_migration.POSTGRES_UP}
    with connection.cursor() as cursor:
        for statement in down[vendor]:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in up[vendor]:
                cursor.execute(statement)


def raw(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


class Tamper:
    """What someone at a SQL prompt could do, going round the ORM."""

    raw = staticmethod(raw)
    triggers_dropped = staticmethod(triggers_dropped)


@pytest.fixture
def tamper(db):
    return Tamper()


@pytest.fixture
def chain(db):
    """Ten events from two actors, as services would write them."""
    from shebao.accounts.models import User
    from shebao.audit.services import audit_record

    clerk = User.objects.create_user(username="chain-clerk", password="x", role="clerk")
    auditor = User.objects.create_user(username="chain-auditor", password="x", role="auditor")
    events = []
    for n in range(10):
        events.append(
            audit_record(
                actor=clerk if n % 2 == 0 else auditor,
                action="thing.changed",
                target_type="test.thing",
                target_id=str(n % 3),
                data={"n": n, "amount": "12.50", "note": "办理"},
            )
        )
    return events

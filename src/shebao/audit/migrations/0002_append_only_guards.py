"""Refuse UPDATE and DELETE on audit events in the database itself (see shebao.audit.guards).

On SQLite, a later migration that alters the audit_auditevent table rebuilds it, which
drops these triggers: such a migration must create them again. ``shebao verify`` reports
missing triggers ("audit guards").
"""

from django.db import migrations

SQLITE_UP = [
    """
    CREATE TRIGGER audit_event_refuse_update BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER audit_event_refuse_delete BEFORE DELETE ON audit_auditevent
    WHEN NOT shebao_audit_flush_allowed()
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused');
    END
    """,
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_refuse_update",
    "DROP TRIGGER IF EXISTS audit_event_refuse_delete",
]

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION audit_event_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_event_refuse_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


def seed_chain_head(apps, schema_editor):
    # The row every append locks; created here so the first appends never race to insert it.
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.get_or_create(pk=1, defaults={"last_sequence": 0, "last_hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
        migrations.RunPython(seed_chain_head, migrations.RunPython.noop),
    ]

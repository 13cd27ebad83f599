"""PostgreSQL checks at commit that every new journal entry's postings sum to zero.

The services post through one guarded writer that refuses an unbalanced entry before
writing; this is the database's own check behind it, for code (or a person at a SQL
prompt) that goes around the writer. A deferred constraint trigger fires once per new
entry when the transaction commits, after all its postings are in, so the cost is one
indexed sum per entry. SQLite has no deferred triggers: there ``shebao verify`` reports an
unbalanced entry.
"""

from django.db import migrations

POSTGRES_UP = [
    """
    CREATE OR REPLACE FUNCTION ledger_entry_check_balanced() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        total bigint;
    BEGIN
        SELECT COALESCE(SUM(amount), 0) INTO total
        FROM ledger_posting WHERE entry_id = NEW.id;
        IF total <> 0 THEN
            RAISE EXCEPTION 'journal entry % is unbalanced: its postings sum to % fen',
                NEW.id, total
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_check_balanced()
    """,
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_journalentry",
    "DROP FUNCTION IF EXISTS ledger_entry_check_balanced()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_interest_provisional_true_up_closed_account")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]

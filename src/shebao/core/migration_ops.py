"""A migration operation that turns a decimal money column into integer fen exactly."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations

BIGINT_MAX = 2**63 - 1
BATCH = 5000


def _fen(value, where: str) -> int:
    """A stored amount in yuan as integer fen: round(value x 100) in Decimal arithmetic.

    SQLite hands back REAL as a float: its shortest representation (``repr``) is the
    decimal text that was stored (19319.37, not 19319.369999999999), so nothing is lost
    to binary rounding; residues such as -2.18e-11 round to 0.
    """
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    if not amount.is_finite():
        raise ValueError(f"{where}: {value!r} is not an amount of money")
    fen = int((amount * 100).to_integral_value(rounding=ROUND_HALF_UP))
    if abs(fen) > BIGINT_MAX:
        raise ValueError(
            f"{where}: {value!r} is too large to be stored exactly as integer fen; "
            "correct or remove the row before migrating"
        )
    return fen


class AlterMoneyToFen(migrations.AlterField):
    """``AlterField`` to ``MoneyField`` that also converts the stored values.

    PostgreSQL converts in place (``USING round(col * 100)::bigint``, exact on numeric);
    SQLite rebuilds the table as usual, then each value is converted through Decimal.
    Backwards converts fen to yuan again.
    """

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        table, column = self._names(schema_editor, model)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bigint "
                f"USING round({column} * 100)::bigint"
            )
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)
        self._convert(schema_editor, table, column, lambda v, where: _fen(v, where))

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        table, column = self._names(schema_editor, model)
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} TYPE numeric(18, 2) "
                f"USING ({column}::numeric / 100)"
            )
            return
        super().database_backwards(app_label, schema_editor, from_state, to_state)
        self._convert(schema_editor, table, column, lambda v, _w: str(Decimal(int(v)).scaleb(-2)))

    def _names(self, schema_editor, model):
        quote = schema_editor.quote_name
        return quote(model._meta.db_table), quote(model._meta.get_field(self.name).column)

    @staticmethod
    def _convert(schema_editor, table, column, convert):
        """Convert every value, a batch of rows at a time in primary-key order."""
        with schema_editor.connection.cursor() as cursor:
            last = 0
            while True:
                cursor.execute(
                    f"SELECT id, {column} FROM {table} WHERE id > %s AND {column} IS NOT NULL "
                    f"ORDER BY id LIMIT {BATCH}",
                    [last],
                )
                rows = cursor.fetchall()
                if not rows:
                    return
                cursor.executemany(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s",
                    [(convert(value, f"{table}.{column} id {pk}"), pk) for pk, value in rows],
                )
                last = rows[-1][0]

    def describe(self):
        return f"Store {self.model_name}.{self.name} as integer fen"

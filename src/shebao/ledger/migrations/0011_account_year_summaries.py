"""The individual accounts' yearly summaries (``AccountYear``), filled from the postings
already written. Every year is left unsettled: the next interest run recomputes each
account from its history once, as it did before, and settles the years it credits."""

import django.db.models.deletion
import shebao.core.fields
from decimal import Decimal
from django.db import migrations, models


FILL = """
INSERT INTO ledger_accountyear
    (account_id, year, credits, weighted, flows, interest, opening, settled, provisional)
SELECT p.account_id, CAST(SUBSTR(p.period, 1, 4) AS INTEGER),
    -SUM(CASE WHEN e.kind = 'interest' THEN 0 ELSE p.amount END),
    -SUM(CASE WHEN e.kind = 'interest' THEN 0
         ELSE p.amount * (13 - CAST(SUBSTR(p.period, 6, 2) AS INTEGER)) END),
    SUM(CASE WHEN e.kind = 'interest' THEN 0 ELSE 1 END),
    -SUM(CASE WHEN e.kind = 'interest' THEN p.amount ELSE 0 END),
    0, false, false
FROM ledger_posting p
JOIN ledger_account a ON a.id = p.account_id
JOIN ledger_journalentry e ON e.id = p.entry_id
WHERE a.kind = 'individual' AND p.period >= '1990-01'
GROUP BY p.account_id, CAST(SUBSTR(p.period, 1, 4) AS INTEGER)
"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0010_payment_notice'),
    ]

    operations = [
        migrations.CreateModel(
            name='AccountYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('credits', shebao.core.fields.MoneyField(default=Decimal('0.00'))),
                ('weighted', shebao.core.fields.MoneyField(default=Decimal('0.00'))),
                ('flows', models.PositiveIntegerField(default=0)),
                ('interest', shebao.core.fields.MoneyField(default=Decimal('0.00'))),
                ('opening', shebao.core.fields.MoneyField(default=Decimal('0.00'))),
                ('settled', models.BooleanField(default=False)),
                ('provisional', models.BooleanField(default=False)),
                ('account', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='years', to='ledger.account')),
            ],
            options={
                'ordering': ['account_id', 'year'],
                'constraints': [models.UniqueConstraint(fields=('account', 'year'), name='account_year_once')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]

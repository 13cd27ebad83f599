"""The ledger's postings and declaration lines are read by account (person) and period:
the composite indexes serve those reads, and the single-column ones only cost writes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0011_account_year_summaries'),
        ('registry', '0008_unit_work_injury_float_percent'),
    ]

    operations = [
        migrations.AlterField(
            model_name='declarationline',
            name='person',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='declaration_lines', to='registry.person'),
        ),
        migrations.AlterField(
            model_name='posting',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='postings', to='ledger.account'),
        ),
    ]

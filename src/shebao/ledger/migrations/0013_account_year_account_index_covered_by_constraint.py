"""A summary is found by (account, year), which the unique constraint indexes: an index on
the account alone would only cost every summary upsert."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('ledger', '0012_single_column_indexes_covered_by_composites'),
    ]

    operations = [
        migrations.AlterField(
            model_name='accountyear',
            name='account',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='years', to='ledger.account'),
        ),
    ]

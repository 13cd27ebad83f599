from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_person_retirement_category"),
    ]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="work_injury_float_percent",
            field=models.PositiveSmallIntegerField(
                default=100,
                verbose_name="work-injury rate as a percentage of the class rate",
            ),
        ),
    ]

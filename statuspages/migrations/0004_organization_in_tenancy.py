"""Organization moved to tenancy (see tenancy 0001): the foreign key follows in state; the table
it points at is the same, so the database is not touched."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("statuspages", "0003_merge_language_visibility"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="statuspage",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="status_pages",
                        to="tenancy.organization",
                    ),
                ),
            ],
        ),
    ]

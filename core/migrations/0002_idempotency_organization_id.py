"""core stands below tenancy and names no organization: an idempotency record keeps its
organization's id as a plain key instead of a foreign key. The column, its values and the unique
(organization_id, key) constraint stay; only the foreign key constraint and its index go (the
unique constraint already leads with the column)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="idempotencyrecord",
                    name="organization",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        to="accounts.organization",
                    ),
                ),
            ],
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="idempotencyrecord",
                    name="idempotency_key_per_org",
                ),
                migrations.RemoveField(
                    model_name="idempotencyrecord",
                    name="organization",
                ),
                migrations.AddField(
                    model_name="idempotencyrecord",
                    name="organization_id",
                    field=models.CharField(max_length=64),
                ),
                migrations.AddConstraint(
                    model_name="idempotencyrecord",
                    constraint=models.UniqueConstraint(
                        fields=("organization_id", "key"), name="idempotency_key_per_org"
                    ),
                ),
            ],
        ),
    ]

"""Organization moved to tenancy (see tenancy 0001). Memberships and API keys point at it there,
the ``members`` relation goes (memberships say who is in an organization), and accounts lets go
of the model, in state only, once every app's foreign key has followed it. No table, column or
row changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_memberships_with_roles"),
        ("tenancy", "0001_initial"),
        # Every other foreign key to the model has left it first.
        ("audit", "0002_organization_in_tenancy"),
        ("core", "0002_idempotency_organization_id"),
        ("statuspages", "0004_organization_in_tenancy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="membership",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="tenancy.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="apikey",
                    name="organization",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to="tenancy.organization",
                    ),
                ),
                migrations.RemoveField(
                    model_name="organization",
                    name="members",
                ),
                migrations.DeleteModel(
                    name="Organization",
                ),
            ],
        ),
    ]

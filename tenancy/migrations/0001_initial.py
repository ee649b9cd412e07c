"""Organization moves from accounts to tenancy without touching a row: this app takes the model
over in Django's state only, on the table accounts created (``accounts_organization``). The apps
whose foreign keys point at it follow in state (accounts 0003, audit 0002, statuspages 0004), and
accounts 0003 lets go of its model last. The admin's history and permissions follow the content
type."""

import core.ids
from django.db import migrations, models


def content_type_to_tenancy(apps, schema_editor):
    _move_content_type(apps, schema_editor, "accounts", "tenancy")


def content_type_to_accounts(apps, schema_editor):
    _move_content_type(apps, schema_editor, "tenancy", "accounts")


def _move_content_type(apps, schema_editor, source, target):
    content_types = apps.get_model("contenttypes", "ContentType").objects.using(
        schema_editor.connection.alias
    )
    # A fresh database has none yet (post_migrate makes them); an older one has the source's.
    if not content_types.filter(app_label=target, model="organization").exists():
        content_types.filter(app_label=source, model="organization").update(app_label=target)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The table as accounts left it (require_two_factor came in 0002).
        ("accounts", "0002_memberships_with_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organization",
                    fields=[
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "id",
                            models.CharField(
                                default=core.ids.IdFactory("org", 80),
                                editable=False,
                                max_length=64,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("slug", models.SlugField(max_length=64, unique=True)),
                        ("name", models.CharField(max_length=255)),
                        (
                            "require_two_factor",
                            models.BooleanField(
                                default=False,
                                help_text="Members must sign in to the admin with a one-time code (TOTP) as well.",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "accounts_organization",
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_to_tenancy, content_type_to_accounts),
    ]

"""Organization members get roles: the plain many-to-many becomes an explicit Membership model.
Every existing member becomes an active owner (what a member could do before roles)."""

import core.ids
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def members_to_owners(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Membership = apps.get_model("accounts", "Membership")
    links = Organization.members.through.objects.using(schema_editor.connection.alias)
    Membership.objects.using(schema_editor.connection.alias).bulk_create(
        [
            Membership(
                organization_id=link.organization_id,
                user_id=link.user_id,
                role="owner",
                status="active",
            )
            for link in links.order_by("id")
        ]
    )


def owners_to_members(apps, schema_editor):
    Organization = apps.get_model("accounts", "Organization")
    Membership = apps.get_model("accounts", "Membership")
    alias = schema_editor.connection.alias
    Organization.members.through.objects.using(alias).bulk_create(
        [
            Organization.members.through(
                organization_id=membership.organization_id, user_id=membership.user_id
            )
            for membership in Membership.objects.using(alias).filter(status="active")
        ]
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("id", models.CharField(default=core.ids.IdFactory("mem", 80), editable=False, max_length=64, primary_key=True, serialize=False)),
                ("role", models.CharField(choices=[("owner", "Owner"), ("admin", "Admin"), ("editor", "Editor"), ("viewer", "Viewer")], default="owner", max_length=16)),
                ("status", models.CharField(choices=[("invited", "Invited"), ("active", "Active")], default="active", max_length=16)),
                ("invitation_hash", models.CharField(blank=True, editable=False, max_length=64)),
                ("invitation_expires_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("accepted_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("invited_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="accounts.membership")),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to="accounts.organization")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="memberships", to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(fields=("organization", "user"), name="one_membership_per_user"),
        ),
        migrations.RunPython(members_to_owners, owners_to_members),
        migrations.RemoveField(model_name="organization", name="members"),
        migrations.AddField(
            model_name="organization",
            name="members",
            field=models.ManyToManyField(blank=True, related_name="organizations", through="accounts.Membership", through_fields=("organization", "user"), to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("accounts.membership",),
        ),
        migrations.AddField(
            model_name="organization",
            name="require_two_factor",
            field=models.BooleanField(default=False, help_text="Members must sign in to the admin with a one-time code (TOTP) as well."),
        ),
        migrations.AddField(
            model_name="apikey",
            name="created_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="accounts.membership"),
        ),
        migrations.AddField(
            model_name="apikey",
            name="created_by_key",
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="accounts.apikey"),
        ),
    ]

"""A convincing demo: organization and page ``acme``, groups, components and history.

Idempotent: a second run finds what the first made and changes nothing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.services import member_add, organization_get_or_create
from demo.story import demo_story
from statuspages import services
from statuspages.models import ComponentGroup, StatusPage

STRUCTURE = [
    (
        "Core platform",
        "What every customer uses.",
        [
            ("Website", "Marketing site and documentation."),
            ("Dashboard", "The web application."),
            ("API", "REST API at api.acme.example."),
        ],
    ),
    (
        "Infrastructure",
        "Regions and delivery.",
        [
            ("EU region", "Frankfurt and Dublin data centres."),
            ("US region", "Virginia and Oregon data centres."),
            ("CDN", "Static assets and downloads."),
        ],
    ),
]
UNGROUPED = [("Email delivery", "Transactional email to your customers.")]


DEV_ADMIN_USERNAME = "admin"
DEV_ADMIN_PASSWORD = "admin"  # noqa: S105 - development only, see _development_superuser


class Command(BaseCommand):
    help = "Create the demo organization and page 'acme' (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        organization, _ = organization_get_or_create(slug="acme", name="Acme Inc")
        page = StatusPage.objects.filter(slug="acme").first()
        if page is None:
            page = services.status_page_create(
                organization=organization, name="Acme", slug="acme", time_zone="Europe/Paris"
            )
        for group_name, group_description, components in STRUCTURE:
            group = ComponentGroup.objects.filter(page=page, name=group_name).first()
            if group is None:
                group = services.component_group_create(
                    page=page, name=group_name, description=group_description
                )
            for name, description in components:
                if not page.components.filter(name=name).exists():
                    services.component_create(
                        page=page, group=group, name=name, description=description
                    )
        for name, description in UNGROUPED:
            if not page.components.filter(name=name).exists():
                services.component_create(page=page, name=name, description=description)
        demo_story(page)
        if settings.DEBUG:
            self._development_superuser(organization)
        self.stderr.write(f"Demo page 'acme' ready ({page.id}).")
        self.stdout.write(page.slug)

    def _development_superuser(self, organization) -> None:
        """``admin``/``admin`` on a development machine (DEBUG) only, so the admin is one click
        away after ``make run``; never created where DEBUG is off."""
        users = get_user_model()
        user = users.objects.filter(username=DEV_ADMIN_USERNAME).first()
        if user is None:
            user = users.objects.create_superuser(
                DEV_ADMIN_USERNAME, "admin@localhost", DEV_ADMIN_PASSWORD
            )
            self.stderr.write(
                f"Created the development superuser {DEV_ADMIN_USERNAME}/{DEV_ADMIN_PASSWORD}."
            )
        member_add(organization=organization, user=user)

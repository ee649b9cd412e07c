from django.core.management.base import BaseCommand, CommandError

from accounts.services import organization_get_or_create
from core.validators import SLUG_VALIDATOR


class Command(BaseCommand):
    help = "Create an organization (idempotent). Prints its slug as the last line."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", default=None)

    def handle(self, *args, slug, name, **options):
        try:
            SLUG_VALIDATOR(slug)
        except Exception as exc:
            raise CommandError(
                f"Invalid slug {slug!r}: lowercase letters, digits, hyphens."
            ) from exc
        organization, created = organization_get_or_create(slug=slug, name=name)
        verb = "Created" if created else "Found"
        self.stderr.write(f"{verb} organization {organization.name} ({organization.id}).")
        self.stdout.write(organization.slug)

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.services import api_key_create, parse_scopes
from tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Create an API key. SCOPES is a comma list (incidents:write,pages:write,subscribers:read,"
        "subscribers:write,members:write,keys:write), 'all', or '' for a read-only key. "
        "The token is the last line printed and is never shown again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="Organization slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scopes", required=True)
        parser.add_argument("--pages", default="", help="Comma list of page ids (default: all)")
        parser.add_argument("--expires-in-days", type=int, default=None)

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(
                f"No organization {options['organization']!r}; "
                "run `manage.py create_organization` first."
            )
        days = options["expires_in_days"]
        if days is not None and days <= 0:
            raise CommandError("--expires-in-days must be a positive number of days.")
        try:
            key, token = api_key_create(
                organization=organization,
                name=options["name"],
                scopes=parse_scopes(options["scopes"]),
                page_ids=[p.strip() for p in options["pages"].split(",") if p.strip()],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        scopes = ", ".join(key.scopes) or "read-only"
        self.stderr.write(f"Created API key {key.id} ({scopes}). Store the token now:")
        self.stdout.write(token)

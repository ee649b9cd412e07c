"""``manage.py import_page``: copy a page from Statuspage, Instatus, incident.io or any
Statuspage page's public JSON into an organization here (README, "Moving from Statuspage,
Instatus or incident.io")."""

import os

from django.core.management.base import BaseCommand, CommandError

from imports.progress import progress_for
from imports.running import ImportFailed, page_import
from imports.sources import SOURCES
from tenancy.models import Organization


class Command(BaseCommand):
    help = (
        "Import a status page (groups, components, incidents and maintenances with their "
        "updates, templates, and with --with-subscribers its subscribers). Running it again "
        "updates what it imported. Last line: imported N objects (C created, U updated)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source_kind", required=True, choices=list(SOURCES))
        parser.add_argument(
            "--url",
            required=True,
            help="The API's base URL (…/v1, …/instatus, …/incident-io), or for "
            "statuspage-public the page's URL.",
        )
        parser.add_argument(
            "--api-key",
            default=os.environ.get("IMPORT_API_KEY", ""),
            help="The source's API key (default: $IMPORT_API_KEY, kept out of process lists).",
        )
        parser.add_argument("--page-id", default="", help="The source's page (if several).")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--with-subscribers", action="store_true")
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what it would do; write nothing."
        )

    def handle(self, *args, **options):
        organization = Organization.objects.filter(slug=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organization {options['organization']!r}.")
        dry_run = options["dry_run"]
        try:
            report = page_import(
                organization=organization,
                source_kind=options["source_kind"],
                url=options["url"],
                api_key=options["api_key"],
                page_id=options["page_id"],
                with_subscribers=options["with_subscribers"],
                dry_run=dry_run,
                progress=progress_for(self.stdout._out, self.stdout.write),
                say=self.stderr.write,
            )
        except ImportFailed as exc:
            raise CommandError(str(exc)) from exc
        for problem in report.problems:
            self.stderr.write(problem)
        if dry_run:
            for line in report.outcome.plan:
                self.stdout.write(f"would {line}")
            self.stdout.write("dry run: nothing was written")
        elif report.outcome.page is not None:
            page = report.outcome.page
            self.stdout.write(f"page {page.id} ({page.slug}): {page.public_url}")
        self.stdout.write(report.summary)

from django.core.management.base import BaseCommand, CommandError

from codingwatch.web.vendors.services.roster import RosterError, import_roster


class Command(BaseCommand):
    help = (
        "Import the coder roster (vendors.csv, coders.csv, work_queues.csv and optionally "
        "queue_assignments.csv) from a folder; all or nothing, safe to repeat. See docs/roster.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--organization", default="Health system", help="the organization the roster serves")

    def handle(self, directory, organization, **options):
        try:
            summary = import_roster(directory, organization=organization)
        except RosterError as exc:
            raise CommandError(str(exc)) from None
        for kind in ("vendors", "coders", "work_queues", "queue_assignments"):
            self.stdout.write(
                f"{kind}: {summary.created.get(kind, 0)} created, {summary.updated.get(kind, 0)} already present"
            )

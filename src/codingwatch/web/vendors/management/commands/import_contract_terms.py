from django.core.management.base import BaseCommand, CommandError

from codingwatch.scorecard.terms import TermsError
from codingwatch.web.vendors.services.contract_terms import import_terms


class Command(BaseCommand):
    help = (
        "Import contract terms (accuracy and turnaround SLAs, service terms, credit schedule, each with "
        "effective dates) from a YAML file; all contracts of the file or none, safe to repeat. "
        "See docs/scorecard.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, file, **options):
        try:
            summary = import_terms(file)
        except TermsError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"contracts: {summary.contracts_created} created, {summary.contracts_updated} updated")
        self.stdout.write(", ".join(f"{kind}: {n}" for kind, n in summary.terms.items()))

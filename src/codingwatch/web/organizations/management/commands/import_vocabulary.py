from django.core.management.base import BaseCommand, CommandError

from codingwatch.vocabulary import VocabularyError
from codingwatch.web.organizations.lookup import organization_for_command
from codingwatch.web.organizations.vocabulary import import_vocabulary


class Command(BaseCommand):
    help = (
        "Import the organization's vocabulary: a CSV with the header kind,source,canonical mapping "
        "source systems' specialty, facility and payer names to the organization's canonical names. "
        "All or nothing, safe to repeat. See docs/ingest.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--organization", help="the organization's name (default: the only one)")

    def handle(self, file, organization=None, **options):
        org = organization_for_command(organization)
        try:
            counts = import_vocabulary(file, org)
        except VocabularyError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"vocabulary of {org.name}: {counts['created']} created, {counts['changed']} changed, "
            f"{counts['unchanged']} already present"
        )


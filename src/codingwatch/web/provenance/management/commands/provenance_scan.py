"""`codingwatch manage provenance_scan`: the same as `codingwatch provenance scan`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from rich.console import Console
from rich.progress import Progress

from codingwatch.web.provenance import services


class Command(BaseCommand):
    help = ("Run the provenance rules and the takeover detector over the lake's access events with the app's "
            "roster, contracts and assignments; store each new alert once (suppression rules applied). "
            "Example: codingwatch manage provenance_scan")

    def add_arguments(self, parser):
        parser.add_argument("--no-takeover", action="store_true", help="skip the takeover detector")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        # The bar goes to stderr, so that --json output on stdout stays clean.
        with Progress(console=Console(stderr=True), disable=options["json"]) as bar:
            task = bar.add_task("provenance scan", total=100)

            def report(step: str, fraction: float) -> None:
                bar.update(task, completed=int(fraction * 100), description=step)

            result = services.scan(takeover=not options["no_takeover"], started_by="manage provenance_scan",
                                   report=report)
        self.stdout.write(json.dumps(result.as_dict()) if options["json"] else result.describe())

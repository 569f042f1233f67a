"""`codingwatch manage provenance_scan`: the same as `codingwatch provenance scan`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from codingwatch.commands.common import progress
from codingwatch.web.provenance import services


class Command(BaseCommand):
    help = ("Run the provenance rules and the takeover detector over the lake's access events with the app's "
            "roster, contracts and assignments; store each new alert once (suppression rules applied). "
            "Example: codingwatch manage provenance_scan")

    def add_arguments(self, parser):
        parser.add_argument("--no-takeover", action="store_true", help="skip the takeover detector")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        result = run(takeover=not options["no_takeover"], quiet=options["json"], started_by="manage provenance_scan")
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
        else:
            self.stdout.write(describe(result))


def run(*, takeover: bool = True, quiet: bool = False, started_by: str = "") -> services.ScanResult:
    with progress(quiet=quiet) as bar:
        task = bar.add_task("provenance scan", total=100)

        def report(step: str, fraction: float) -> None:
            bar.update(task, completed=int(fraction * 100), description=step)

        return services.scan(takeover=takeover, started_by=started_by, report=report)


def describe(result: services.ScanResult) -> str:
    rules = ", ".join(f"{rule} {n}" for rule, n in result.by_rule.items()) or "none"
    return (f"{result.events:,} access events; {result.found} alerts found, {result.new} new "
            f"({result.suppressed} suppressed); new by rule: {rules}")

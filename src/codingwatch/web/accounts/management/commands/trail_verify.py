"""`codingwatch manage trail_verify`: the same as `codingwatch trail verify`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from codingwatch.web.accounts.chain import Verdict
from codingwatch.web.accounts.trail import verify_trail


class Command(BaseCommand):
    help = ("Prove the access trail's hash chain: recompute every row's SHA-256 in order and name the first "
            "row that was changed, removed or inserted. Exits 1 when the chain is broken. "
            "Example: codingwatch manage trail_verify")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the verdict as JSON")

    def handle(self, *args, **options):
        verdict = verify_trail()
        self.stdout.write(json.dumps(verdict.as_dict()) if options["json"] else describe(verdict))
        if not verdict.ok:
            raise CommandError("the access trail's chain is broken", returncode=1)


def describe(verdict: Verdict) -> str:
    if verdict.ok:
        return (f"the access trail holds: {verdict.rows:,} rows chained, every hash recomputed; "
                f"head {verdict.head}")
    return f"the access trail is broken after {verdict.rows:,} good rows: {verdict.reason}"

"""The daily run: repayment reminders (14, 7 and 1 days left) and the digest email.

    codingwatch manage notifications_daily                 # today
    codingwatch manage notifications_daily --date 2026-03-01 --no-digest

Run it once a day (cron, a systemd timer). Safe to run twice: a reminder is filed once per
audit and step; the digest goes to each user once per day.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from codingwatch.web.notifications.digest import send_digests
from codingwatch.web.notifications.events import repayment_reminders


class Command(BaseCommand):
    help = "File the repayment reminders due today and email each user their daily digest."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for (YYYY-MM-DD; default today)")
        parser.add_argument("--no-digest", action="store_true", help="file the reminders only")

    def handle(self, *args, date=None, no_digest=False, **options):
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD)") from None
        reminders = repayment_reminders(today)
        self.stdout.write(f"{reminders} repayment reminder{'s' if reminders != 1 else ''} filed for {today:%Y-%m-%d}")
        if not no_digest:
            sent = send_digests(today)
            self.stdout.write(f"{sent} digest email{'s' if sent != 1 else ''} sent")

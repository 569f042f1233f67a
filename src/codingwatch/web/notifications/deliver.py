"""Filing a notice for its recipients: a row in the app, an email through Django's email framework.

The in-app row is written in the caller's transaction (a step that rolls back leaves no notice);
the email goes once the transaction commits (transaction.on_commit), so nobody is emailed about
a step that did not happen. A failing mail server is logged, never shown to the person acting.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from codingwatch.web.notifications.models import Notification, preferences

log = logging.getLogger(__name__)


def absolute(url: str) -> str:
    return settings.SITE_URL.rstrip("/") + url if url.startswith("/") else url


def notify(users: Iterable, kind: str, *, title: str, body: str = "", url: str = "", key: str,
           vendor=None) -> list[Notification]:
    """File the notice for each user (once per user and key); email those who want it by email."""
    filed = []
    for user in {u.pk: u for u in users if u.is_active}.values():
        in_app, by_email = preferences(user)[kind]
        if Notification.objects.filter(user=user, key=key).exists():
            continue
        try:
            with transaction.atomic():
                notice = Notification.objects.create(
                    user=user, kind=kind, title=title[:300], body=body, url=url[:500], key=key[:120],
                    vendor=vendor, read_at=None if in_app else timezone.now())
        except IntegrityError:  # filed meanwhile by a concurrent run
            continue
        filed.append(notice)
        if by_email and user.email:
            transaction.on_commit(lambda n=notice: _email(n))
    return filed


def _email(notice: Notification) -> None:
    text = notice.body + (f"\n\n{absolute(notice.url)}" if notice.url else "")
    text += "\n\nChange what you are told at " + absolute("/notifications/preferences/")
    try:
        send_mail(f"[codingwatch] {notice.title}", text, settings.DEFAULT_FROM_EMAIL, [notice.user.email])
    except OSError as exc:  # SMTP refused or unreachable: the in-app notice stands
        log.warning("could not email notification %s to %s: %s", notice.pk, notice.user.get_username(), exc)
        return
    Notification.objects.filter(pk=notice.pk).update(emailed_at=timezone.now())

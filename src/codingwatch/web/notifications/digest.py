"""The daily digest: one email per person with what waits for them and the day's notifications."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from codingwatch.web.accounts.models import User
from codingwatch.web.notifications.deliver import absolute
from codingwatch.web.notifications.models import DIGEST, Notification, preferences


def digest_text(user, today: dt.date) -> str | None:
    """The digest's text, or None when nothing waits and nothing happened."""
    from codingwatch.web.home.waiting import sections_for, user_scope

    since = timezone.now() - dt.timedelta(days=1)
    recent = list(Notification.objects.filter(user=user, created_at__gte=since).exclude(key__startswith="digest:"))
    with user_scope(user):
        sections = [s for s in sections_for(user, today) if s.available and s.count]
    if not recent and not sections:
        return None
    lines = [f"What waits for you, {user.get_username()}, on {today:%Y-%m-%d}:", ""]
    for s in sections:
        lines.append(f"{s.title}: {s.count}")
        lines += [f"  - {i.title}{' · ' + i.detail if i.detail else ''}\n    {absolute(i.url)}" for i in s.items[:10]]
        lines.append("")
    if recent:
        lines.append(f"Since yesterday ({len(recent)}):")
        lines += [f"  - {n.title}" + (f"\n    {absolute(n.url)}" if n.url else "") for n in recent]
        lines.append("")
    lines.append(f"Your home page: {absolute('/home/')}")
    lines.append(f"Change what you are told: {absolute('/notifications/preferences/')}")
    return "\n".join(lines)


def send_digests(today: dt.date) -> int:
    sent = 0
    for user in User.objects.filter(is_active=True).exclude(email="").order_by("pk"):
        if not preferences(user)[DIGEST][1]:
            continue
        key = f"digest:{today:%Y-%m-%d}"
        if Notification.objects.filter(user=user, key=key).exists():
            continue
        text = digest_text(user, today)
        if text is None:
            continue
        try:
            with transaction.atomic():  # the day's marker: one digest per user per day
                Notification.objects.create(user=user, kind=DIGEST, title=f"Daily digest {today:%Y-%m-%d}",
                                            key=key, read_at=timezone.now(), emailed_at=timezone.now())
        except IntegrityError:
            continue
        send_mail(f"[codingwatch] What waits for you on {today:%Y-%m-%d}", text, settings.DEFAULT_FROM_EMAIL,
                  [user.email])
        sent += 1
    return sent


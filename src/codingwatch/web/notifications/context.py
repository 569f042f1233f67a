"""The bell: the logged-in user's unread count on every page (one indexed count)."""

from __future__ import annotations


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from codingwatch.web.notifications.models import Notification

    return {"unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()}

"""REST endpoints of the notifications (mounted under /api/notifications/): the user's own only."""

from __future__ import annotations

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema

from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.notifications.models import DIGEST, Notification
from codingwatch.web.paging import Limit, Offset

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class NotificationPage(Schema):
    count: int
    unread: int
    offset: int
    notifications: list[NotificationOut]


def _out(n: Notification) -> dict:
    return {"id": n.pk, "kind": n.kind, "title": n.title, "body": n.body, "url": n.url, "created_at": n.created_at,
            "read_at": n.read_at}


@router.get("", response=NotificationPage, summary="Your notifications, newest first")
def notification_list(request, unread: bool = False, offset: Offset = 0, limit: Limit = 100):
    mine = Notification.objects.filter(user=request.user).exclude(kind=DIGEST)
    shown = mine.filter(read_at__isnull=True) if unread else mine
    body = {"count": shown.count(), "unread": mine.filter(read_at__isnull=True).count(), "offset": offset,
            "notifications": [_out(n) for n in shown[offset:offset + limit]]}
    record_access(request, action=AccessEvent.VIEW, object_type="notifications")
    return body


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one of your notifications read")
def mark_read(request, notification_id: int):
    notice = get_object_or_404(Notification, pk=notification_id, user=request.user)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return _out(notice)

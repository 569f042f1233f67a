"""The notifications list (the bell's page), marking read, and each person's preferences.

A user sees, reads and sets only their own: every query is by `request.user`; another user's
notification answers 404. Marking read and choosing what to be told are the user's own
settings, open to the read-only role too (accounts.middleware)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from codingwatch.web.accounts.trail import records_view
from codingwatch.web.notifications.models import DIGEST, KINDS, Notification, Preference, preferences


@require_GET
@records_view("notifications")
def notification_list(request):
    mine = Notification.objects.filter(user=request.user).exclude(kind=DIGEST)
    if request.GET.get("show") == "unread":
        mine = mine.filter(read_at__isnull=True)
    page = Paginator(mine, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "show": request.GET.get("show", "")})


@require_POST
def mark_read(request, pk: int):
    """Mark one read and open the page it is about (`open=1`), or go back to the list."""
    notice = get_object_or_404(Notification, pk=pk, user=request.user)
    if notice.read_at is None:
        Notification.objects.filter(pk=notice.pk).update(read_at=timezone.now())
    if request.POST.get("open") and notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts=None):
        return redirect(notice.url)
    return redirect("notifications")


@require_POST
def mark_all_read(request):
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read")
    return redirect("notifications")


@require_http_methods(["GET", "POST"])
def preference_form(request):
    kinds = [*KINDS, DIGEST]
    if request.method == "POST":
        for kind in kinds:
            in_app = kind != DIGEST and request.POST.get(f"{kind}-in_app") == "on"
            Preference.objects.update_or_create(user=request.user, kind=kind, defaults={
                "in_app": in_app, "email": request.POST.get(f"{kind}-email") == "on"})
        messages.success(request, "preferences saved")
        return redirect("notification-preferences")
    chosen = preferences(request.user)
    rows = [{"kind": k, "label": KINDS[k][0], "who": KINDS[k][1], "in_app": chosen[k][0], "email": chosen[k][1]}
            for k in KINDS]
    return render(request, "notifications/preferences.html", {
        "rows": rows, "digest": chosen[DIGEST][1], "has_email": bool(request.user.email)})

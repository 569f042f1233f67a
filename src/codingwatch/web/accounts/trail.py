"""Writing the access trail: every chart-level page view and every export."""

from __future__ import annotations

from functools import wraps

from codingwatch.web.accounts.models import AccessEvent


def record_access(request, *, action: str, object_type: str, object_id: str = "") -> AccessEvent:
    user = request.user
    return AccessEvent.objects.create(
        user=user,
        username=user.get_username(),
        role=user.role,
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:200],
        path=request.get_full_path()[:500],
    )


def records_view(object_type: str, id_kwarg: str | None = None):
    """Decorate a view: each successful (2xx) response records one view in the trail."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            if 200 <= response.status_code < 300:
                object_id = kwargs.get(id_kwarg, "") if id_kwarg else ""
                record_access(request, action=AccessEvent.VIEW, object_type=object_type, object_id=object_id)
            return response

        return wrapper

    return decorate


def verify_trail(using: str = "default"):
    """Walks the whole trail in id order (chain.verify) and checks it ends where its head says."""
    from codingwatch.web.accounts import chain
    from codingwatch.web.accounts.models import TrailHead

    rows = (AccessEvent._base_manager.using(using).order_by("id")
            .values("id", "prev_hash", "row_hash", *chain.CONTENT_FIELDS).iterator(chunk_size=2000))
    head = TrailHead.objects.using(using).filter(pk=1).values("length", "last_id", "last_hash").first()
    return chain.verify(rows, head)

"""`GET /healthz`: is this server able to answer? For load balancers and monitors.

Public (no login) and aggregate: it says only whether the app database answers and whether
the lake can be read, never a count, a name or a path (the reason of a failure goes to the
server log). 200 with `"status": "ok"` when both pass, 503 with `"status": "failing"` otherwise.
It writes no access-trail row: it shows no data.
"""

from __future__ import annotations

import logging
import os

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_safe

from codingwatch.lake import LakeError, open_lake

log = logging.getLogger("codingwatch.health")


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not reachable"; the log has the reason
        log.exception("health: the app database does not answer")
        return "unreachable"
    return "ok"


def _lake() -> str:
    """The lake folder is a readable directory, every manifest parses and every Parquet file
    a manifest names is there (a reader would otherwise fail or miss rows)."""
    lake = open_lake()
    try:
        if not lake.root.is_dir() or not os.access(lake.root, os.R_OK | os.X_OK):
            log.error("health: the lake folder %s is missing or unreadable", lake.root)
            return "unreadable"
        for record in lake.loads():
            for table in record.rows:
                path = lake.root / table / f"{record.load_id}.parquet"
                if not os.access(path, os.R_OK):
                    log.error("health: load %s names %s, which is missing or unreadable", record.load_id, path)
                    return "unreadable"
    except (OSError, ValueError, TypeError, LakeError) as exc:  # unreadable folder or a manifest that does not parse
        log.error("health: the lake cannot be read: %s", exc)
        return "unreadable"
    return "ok"


@login_not_required
@require_safe
def healthz(request):
    checks = {"database": _database(), "lake": _lake()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks},
                        status=200 if healthy else 503)


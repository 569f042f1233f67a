"""The scorecard months and the declared-vs-observed comparisons, evaluated when a load commits.

The home page (SLA months breached or undecided), the scorecard and the diligence pages read
answers that take seconds to compute from the lake (`services.scorecards`,
`diligence.services.declared_vs_observed`). They are kept per load generation beside the lake
(`lake_cache.kept_put`), so the load that makes a new generation computes them right after it
commits (`ingest.contract.AFTER_COMMIT`, registered by the app): the first visit after the load
finds them, in whichever process serves it. Nothing is ever served from before the load: the
generation names what is kept, and the database inputs (contract terms, final audits, roster,
declarations) are part of each answer's key, so a term edited or an audit made final after the
load is evaluated afresh on its first request.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path


def warm(today: dt.date | None = None) -> int:
    """Evaluate and keep, for the lake as it now is, the scorecard's default months of every
    vendor with a contract in force and every vendor's declared-vs-observed comparisons: the
    answers the home, scorecard and diligence pages ask for first. Returns how many vendors."""
    from django_scopes import scopes_disabled

    from codingwatch.web.diligence import services as diligence
    from codingwatch.web.diligence.models import Declaration
    from codingwatch.web.scorecard import services
    from codingwatch.web.vendors.models import Vendor

    with scopes_disabled():
        vendors = list(Vendor.objects.order_by("pk"))
        if not vendors:
            return 0
        first, last = services.default_period(today)
        services.scorecards(vendors, first, last)
        for declaration in Declaration.objects.select_related("vendor").order_by("pk"):
            diligence.declared_vs_observed(declaration.vendor, declaration)
    return len(vendors)


def after_load(lake) -> None:
    """The AFTER_COMMIT step: warm the pages' answers when the load is of the lake the pages read
    (a load into another folder, e.g. a test's or a benchmark's scratch lake, is left alone)."""
    from django.db import transaction

    from codingwatch.lake import open_lake

    if Path(lake.root).resolve() != Path(open_lake().root).resolve():
        return
    # in a savepoint: a database error while warming leaves the caller's transaction usable
    with transaction.atomic():
        warm()

"""Figures for the pages and the API: the lake metrics, restricted to what the user may see.

The scope of the app database decides which lake vendors a user may see: a vendor user only
their own vendor's code; other roles every vendor of their organization (a lake vendor on no
organization's roster is nobody's).
"""

from __future__ import annotations

import io

from django.utils import timezone

from codingwatch import periods
from codingwatch.lake import metrics
from codingwatch.lake.store import cached_connection
from codingwatch.spreadsheet import csv_writer
from codingwatch.web.lake_cache import remember

SORTABLE = ("key",) + metrics.FIGURE_COLUMNS

CSV_COLUMNS = ("key",) + metrics.FIGURE_COLUMNS


def encounters_table():
    return cached_connection().table("encounters")


def visible_vendors(user) -> list[str]:
    """The lake vendor codes the user may see (run inside the request's scope)."""
    from codingwatch.web.vendors.models import Vendor

    if user.is_vendor_user:
        return [user.vendor.code]
    return list(Vendor.objects.order_by("code").values_list("code", flat=True))


def _vendors(user, vendor: str | None) -> list[str]:
    vendors = visible_vendors(user)
    if vendor is not None:
        vendors = [vendor] if vendors is None or vendor in vendors else []
    return vendors


def coverage_for(user, *, vendor: str | None = None, coder: str | None = None):
    """The first and last service day of the encounters the user may see."""
    vendors = _vendors(user, vendor)
    return remember("figures.coverage", [vendors, coder],
                    lambda: metrics.coverage(encounters_table(), vendors=vendors, coder=coder))


def figures_for(user, by: str, *, vendor: str | None = None, coder: str | None = None,
                period: periods.Period = periods.ALL) -> metrics.Figures:
    """The figures by `by` over the encounters the user may see in the period, finished (months
    after today left out, partial months marked), kept for the lake's load generation."""
    vendors = _vendors(user, vendor)
    today = timezone.localdate()

    def compute():
        covered = coverage_for(user, vendor=vendor, coder=coder) if by == "month" else None
        table = metrics.in_period(encounters_table(), period.start, period.end)
        return metrics.figures(table, by, vendors=vendors, coder=coder, today=today, period=period, covered=covered)

    return remember(f"figures.{by}", [vendors, coder, period.query(), today.isoformat()], compute)


def totals_for(user, *, period: periods.Period = periods.ALL) -> dict:
    vendors = visible_vendors(user)
    return remember("figures.totals", [vendors, period.query()], lambda: metrics.totals(
        metrics.in_period(encounters_table(), period.start, period.end), vendors=vendors))


def parse_sort(raw: str | None, default: str = "key") -> tuple[str, bool]:
    """'cmi' -> ('cmi', False); '-cmi' -> ('cmi', True). Unknown columns fall back to the default."""
    raw = raw or default
    descending = raw.startswith("-")
    column = raw.lstrip("-")
    if column not in SORTABLE:
        return default.lstrip("-"), default.startswith("-")
    return column, descending


def sorted_rows(rows: list[dict], column: str, descending: bool) -> list[dict]:
    present = [r for r in rows if r[column] is not None]
    missing = [r for r in rows if r[column] is None]  # groups without a figure always last
    return sorted(present, key=lambda r: r[column], reverse=descending) + missing


def to_csv(rows: list[dict], key_label: str) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow([key_label.lower().replace(" ", "_")] + list(CSV_COLUMNS[1:]))
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()

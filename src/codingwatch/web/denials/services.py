"""Denials for the pages and the API: the denials engine's finished rows over the lake, limited
to what the user may see (a vendor user only their own vendor's claims, as on the dashboard) and
to the period asked for.

Rows come finished from `codingwatch.denials.rows` (payer names, claim status words, months
marked); this module scopes them, keeps them for the lake's load generation (`web.lake_cache`:
a new load answers afresh) and adds the rework cost, which is the count of coding-related
denials times the vendor's contract figure (`rework_cost_per_denial` of its latest contract),
else the CODINGWATCH_DENIAL_REWORK_COST setting, else none.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import ibis
from django.utils import timezone

from codingwatch import denials, periods
from codingwatch.denials import rows as finished
from codingwatch.lake.store import cached_connection
from codingwatch.spreadsheet import csv_writer
from codingwatch.web.dashboard.figures import visible_vendors
from codingwatch.web.lake_cache import materialized, remember
from codingwatch.web.vendors.services.contracts import rework_cost_per_denial

# by (URL word) -> (column, label)
DIMENSIONS = finished.BREAKDOWNS
RATE_COLUMNS = finished.RATE_COLUMNS
SORTABLE = ("key",) + RATE_COLUMNS
PARETO_COLUMNS = finished.PARETO_COLUMNS
CENT = finished.CENT


def _linked():
    """Every remitted claim with its coded encounter, once per load (a temporary table): read
    from the file the load wrote when it committed (`denials.kept`), else computed here."""
    from codingwatch.denials.kept import kept_linked_path
    from codingwatch.lake import open_lake

    def build(con):
        path = kept_linked_path(open_lake())
        return con.read_parquet(path) if path is not None else denials.from_lake(con)["linked"]

    return materialized("denials_linked", build)


def _scope(user, vendor: str | None, coder: str | None) -> list:
    vendors = visible_vendors(user)
    if vendor is not None:
        vendors = [vendor] if vendors is None or vendor in vendors else []
    return [vendors, coder]


def scoped_linked(user, *, vendor: str | None = None, coder: str | None = None,
                  period: periods.Period = periods.ALL):
    """The remitted claims linked to coded encounters that the user may see, paid in the period."""
    linked = _linked()
    vendors, coder = _scope(user, vendor, coder)
    if vendors is not None:
        linked = linked.filter(linked.vendor.isin(vendors) if vendors else ibis.literal(False))
    if coder is not None:
        linked = linked.filter(linked.coder_id == coder)
    return finished.in_period(linked, period)


def _kept(name: str, user, vendor, coder, period: periods.Period, compute, *extra):
    parts = [_scope(user, vendor, coder), period.query(), *extra]
    return remember(f"denials.{name}", parts, lambda: _from_load(name, parts, compute))


def _from_load(name: str, parts: list, compute):
    """The figure as the load wrote it when it committed (`denials.kept.keep_figures`: every
    vendor of the lake, the whole period), when this question asks the same of the same lake
    snapshot over a scope holding every one of those vendors; else compute()."""
    from codingwatch.denials.kept import kept_figures
    from codingwatch.lake import open_lake

    (vendors, coder), query, *extra = parts
    if coder is None and not query and vendors is not None:
        kept = kept_figures(open_lake())
        if kept is not None and set(kept["vendors"]) <= set(vendors) and name in kept["figures"]:
            asked, answer = kept["figures"][name]
            if asked == list(extra):
                return answer
    return compute()


def _today() -> dt.date:
    return timezone.localdate()


def coverage(user, *, vendor: str | None = None, coder: str | None = None) -> tuple[dt.date | None, dt.date | None]:
    """The first and last payment date of the claims the user may see (for the period picker)."""
    return _kept("coverage", user, vendor, coder, periods.ALL,
                 lambda: finished.coverage(scoped_linked(user, vendor=vendor, coder=coder)))


def rates(user, by: str, *, vendor: str | None = None, coder: str | None = None,
          period: periods.Period = periods.ALL) -> list[dict]:
    """Denial rate and coding-related denial rate grouped by `by` (a key of DIMENSIONS)."""
    today = _today()

    def compute():
        covered = coverage(user, vendor=vendor, coder=coder) if by == "month" else None
        return finished.rates(scoped_linked(user, vendor=vendor, coder=coder, period=period), by, today=today,
                              period=period, covered=covered)

    return _kept(f"rates.{by}", user, vendor, coder, period, compute, today.isoformat())


def pareto(user, *, vendor: str | None = None, coder: str | None = None, coding_only: bool = False,
           period: periods.Period = periods.ALL) -> list[dict]:
    """The CARCs behind the denials the user may see, most frequent first, with our descriptions."""
    def compute():
        adjustments = cached_connection().table("remit_adjustments")
        return finished.pareto(scoped_linked(user, vendor=vendor, coder=coder, period=period), adjustments,
                               coding_only=coding_only)

    return _kept("pareto", user, vendor, coder, period, compute, coding_only)


def rework(user, *, vendor: str | None = None, period: periods.Period = periods.ALL) -> list[dict]:
    """Rework cost of the coding-related denials, by vendor."""
    rows = []
    for row in rates(user, "vendor", vendor=vendor, period=period):
        cost, source = rework_cost_per_denial(row["key"])
        total = (cost * row["coding_denied"]).quantize(CENT) if cost is not None else None
        rows.append({"vendor": row["key"], "coding_denied": row["coding_denied"], "cost_per_denial": cost,
                     "rework_cost": total, "source": source})
    return rows


def recovered(user, *, vendor: str | None = None, coder: str | None = None,
              period: periods.Period = periods.ALL) -> dict:
    """Denied claims paid on resubmission (a later remittance of the same encounter)."""
    return _kept("recovered", user, vendor, coder, period,
                 lambda: finished.recovered(scoped_linked(user, vendor=vendor, coder=coder, period=period)))


def summary(user, *, vendor: str | None = None, coder: str | None = None,
            period: periods.Period = periods.ALL) -> dict:
    totals = _kept("totals", user, vendor, coder, period,
                   lambda: finished.totals(scoped_linked(user, vendor=vendor, coder=coder, period=period)))
    rework_rows = rework(user, vendor=vendor, period=period) if coder is None else []
    costs = [r["rework_cost"] for r in rework_rows if r["rework_cost"] is not None]
    return {
        **totals,
        "rework_cost": sum(costs, Decimal("0.00")) if costs else None,
        "rework": rework_rows,
        "recovered": recovered(user, vendor=vendor, coder=coder, period=period),
    }


def denied_claims_page(user, *, vendor: str | None = None, coder: str | None = None,
                       period: periods.Period = periods.ALL, offset: int = 0, limit: int = 50) -> dict:
    """One page of the denied claims the user may see, newest first: {"total", "rows"}."""
    def compute():
        adjustments = cached_connection().table("remit_adjustments")
        return finished.denied_claims(scoped_linked(user, vendor=vendor, coder=coder, period=period), adjustments,
                                      offset=offset, limit=limit)

    return _kept("denied_claims", user, vendor, coder, period, compute, offset, limit)


def denied_claims(user, *, vendor: str | None = None, coder: str | None = None, limit: int = 500,
                  offset: int = 0, period: periods.Period = periods.ALL) -> list[dict]:
    """The denied claims the user may see, newest first, with their CARCs."""
    return denied_claims_page(user, vendor=vendor, coder=coder, period=period, offset=offset, limit=limit)["rows"]


def claim(user, load_id: str, claim_row: int) -> dict | None:
    """One remitted claim with its encounter, adjustments and remarks; None when the user may
    not see it (another vendor's claim) or it does not exist."""
    def compute():
        con = cached_connection()
        return finished.claim(scoped_linked(user), con.table("remit_adjustments"), con.table("remit_remarks"),
                              con.table("encounters"), con.table("code_lines"), load_id, claim_row)

    # kept like the figures (the view still writes every read to the access trail)
    found = _kept("claim", user, None, None, periods.ALL, compute, load_id, claim_row)
    if found is None:
        return None
    # the audit findings on this encounter, linked both ways (never kept: an audit may change)
    return {**found, "findings": _findings_on(user, found["encounter_key"])}


def _findings_on(user, key) -> list[dict]:
    from codingwatch.web.review.findings import findings_on

    return findings_on(user, key) if key else []


def parse_sort(raw: str | None, default: str = "key") -> tuple[str, bool]:
    raw = raw or default
    descending = raw.startswith("-")
    column = raw.lstrip("-")
    if column not in SORTABLE:
        return default.lstrip("-"), default.startswith("-")
    return column, descending


def rates_csv(rows: list[dict], by: str) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow([by] + list(RATE_COLUMNS))
    for row in rows:
        writer.writerow([row["key"]] + ["" if row[c] is None else row[c] for c in RATE_COLUMNS])
    return out.getvalue()


def pareto_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(PARETO_COLUMNS)
    for row in rows:
        writer.writerow(["" if row[c] is None else row[c] for c in PARETO_COLUMNS])
    return out.getvalue()

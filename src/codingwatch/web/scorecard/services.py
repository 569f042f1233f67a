"""The vendor scorecard for the pages: contract terms from the database, KPIs from the lake,
accuracy from final audits, by the scorecard engine.

Everything is read inside the request's scope: a vendor user's queries return their own
vendor's contracts, audits and coders only, and the lake's rows are filtered to the vendor
asked for, which the view has found in that scope.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import ibis

from codingwatch.scorecard import kpis, sla
from codingwatch.scorecard.kpis import AuditedChart, RosterCoder
from codingwatch.scorecard.terms import month_end, month_range
from codingwatch.web import lake_cache
from codingwatch.web.vendors.models import Coder, Contract, Vendor
from codingwatch.web.vendors.services.contract_terms import terms_of


def audited_charts(vendor: Vendor) -> list[AuditedChart]:
    """The charts of the vendor's final audits (the latest revision of each), as the engine counts them.

    Each audit's strata stay strata of their own (audit/stratum), weighted by the stratum's size
    in that audit's frame when the design was stratified; a simple random sample is taken
    without a finite population correction (its frame spans more than one month)."""
    from codingwatch.audit import Method
    from codingwatch.scorecard.audited import chart_of
    from codingwatch.web.audits.models import FINAL, UPHELD, Audit
    from codingwatch.web.audits.services.scores import case_results

    out = []
    audits = Audit.objects.filter(vendor=vendor, state=FINAL, reopened_as__isnull=True)
    for audit in audits:
        method = Method(audit.principal_dx_weight, audit.payment_error_weight, (UPHELD,))
        strata = audit.frame_strata or {}
        cases = {f"case-{c.number}": c for c in audit.cases.all()}
        for result in case_results(audit):
            case = cases.get(result.encounter.encounter_id)
            stratum = case.stratum if case else "all"
            universe = None
            if audit.design == "stratified" and stratum in strata:
                universe = int(strata[stratum][0])
            out.append(chart_of(result, method, stratum=f"{audit.pk}/{stratum}", stratum_universe=universe,
                                audit=str(audit.pk), encounter_key=case.encounter_key if case else ""))
    return out


def roster(vendor: Vendor) -> list[RosterCoder]:
    return [RosterCoder(c.login_id, vendor.code, tuple(c.credentials), c.start_date, c.end_date)
            for c in Coder.objects.filter(vendor=vendor)]


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last six months of the lake's coded encounters (else of the calendar)."""
    from codingwatch.lake.store import cached_connection

    latest = None
    try:
        e = cached_connection().table("encounters")
        coded = e.filter(e.origin == "coded")
        latest = coded.aggregate(day=ibis.coalesce(coded.discharge_date, coded.service_date).max()).to_pyarrow()
        latest = latest.column("day")[0].as_py()
    except Exception:  # an empty or unreadable lake: the calendar decides
        latest = None
    last = (latest if latest else (today or dt.date.today())).replace(day=1)
    first = last
    for _ in range(5):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, month_end(last)


def parse_month(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        return None


def scorecards(vendors: list[Vendor], first: dt.date, last: dt.date) -> dict[str, list[sla.MonthEvaluation]]:
    """Each month of the period under each contract in force, for several vendors in one pass
    over the lake: vendor code -> its months."""
    from codingwatch.lake.store import cached_connection

    months = month_range(first, last)
    contracts, audited, coders = [], [], []
    for vendor in vendors:
        mine = [terms_of(c) for c in Contract.objects.filter(vendor=vendor).prefetch_related(
            "accuracy_slas", "turnaround_slas", "service_terms", "credit_schedules")]
        mine = [c for c in mine if any(c.in_force(m) for m in months)]
        if mine:
            contracts += mine
            audited += audited_charts(vendor)
            coders += roster(vendor)
    out: dict[str, list[sla.MonthEvaluation]] = {v.code: [] for v in vendors}
    if not contracts:
        return out

    def compute() -> list[sla.MonthEvaluation]:
        sources = kpis.Sources.from_lake(cached_connection(), audited=audited, roster=coders)
        return sla.evaluate_contracts(sources, contracts, first, last)

    # Kept per lake generation and per everything read from the database (the terms in force,
    # the final audits' charts, the roster): a new load, an amended term, a final audit or a
    # roster change each give a fresh answer; the home page, the scorecard and the reviews
    # then do not evaluate the same months again.
    inputs = hashlib.sha256(repr((contracts, audited, coders)).encode()).hexdigest()
    for month in lake_cache.remember("scorecards", [str(first), str(last), inputs], compute):
        out[month.vendor].append(month)
    return out


def scorecard(vendor: Vendor, first: dt.date, last: dt.date) -> list[sla.MonthEvaluation]:
    """Each month of the period under each of the vendor's contracts in force."""
    return scorecards([vendor], first, last)[vendor.code]


DRILL_DOWNS = {"coder": "Coder", "specialty": "Specialty", "facility": "Facility", "encounter_type": "Encounter type"}


def drill_down(vendor: Vendor, first: dt.date, last: dt.date, by: str) -> list[kpis.KpiRow]:
    """The vendor's monthly KPIs per coder, specialty, facility or encounter type."""
    from codingwatch.lake.store import cached_connection

    sources = kpis.Sources.from_lake(cached_connection(), audited=audited_charts(vendor), roster=roster(vendor))
    return kpis.monthly(sources, first, last, by=("vendor", by), vendors=[vendor.code])


def summary(months: list[sla.MonthEvaluation]) -> dict:
    names = {sla.MET: "met", sla.BREACHED: "breached", sla.NOT_ENOUGH: "not_enough"}
    states = dict.fromkeys(names.values(), 0)
    for m in months:
        for r in m.results:
            states[names[r.state]] += 1
    total = sum((m.credits.total for m in months), start=0)
    return {"states": states, "credits": total, "months": len(months)}

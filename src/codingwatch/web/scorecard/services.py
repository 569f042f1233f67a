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
    from codingwatch.web.audits.models import FINAL, Audit

    out = []
    for audit in Audit.objects.filter(vendor=vendor, state=FINAL, reopened_as__isnull=True):
        # a final audit is never rewritten (the database refuses it: web.immutability), so its
        # charts are kept for every process per load generation, computed by the load's warm
        # (`web.scorecard.warm`); the key names the row by its creation too
        created = audit.created_at.isoformat() if audit.created_at else ""
        out += lake_cache.kept("scorecard-audited-charts", [audit.pk, created], lambda audit=audit: _charts_of(audit))
    return out


def _charts_of(audit) -> list[AuditedChart]:
    from codingwatch.audit import Method
    from codingwatch.scorecard.audited import chart_of
    from codingwatch.web.audits.models import UPHELD
    from codingwatch.web.audits.services.scores import case_results

    out = []
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

    def latest_day():
        e = cached_connection().table("encounters")
        coded = e.filter(e.origin == "coded")
        found = coded.aggregate(day=ibis.coalesce(coded.discharge_date, coded.service_date).max()).to_pyarrow()
        return found.column("day")[0].as_py()

    try:
        latest = lake_cache.remember("scorecard-latest-day", [], latest_day)  # once per load generation
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


def _inputs(vendors: list[Vendor], months: list[dt.date]) -> dict[int, tuple | None]:
    """What each vendor's months are evaluated from in the database (by vendor pk): its contracts
    in force over the months, its final audits' charts and its roster; None without a contract
    in force. The contracts and coders of all the vendors are read in one query each."""
    contracts: dict[int, list] = {v.pk: [] for v in vendors}
    for c in Contract.objects.filter(vendor__in=vendors).prefetch_related(
            "accuracy_slas", "turnaround_slas", "service_terms", "credit_schedules"):
        terms = terms_of(c)
        if any(terms.in_force(m) for m in months):
            contracts[c.vendor_id].append(terms)
    coders: dict[int, list[RosterCoder]] = {v.pk: [] for v in vendors}
    codes = {v.pk: v.code for v in vendors}
    for c in Coder.objects.filter(vendor__in=vendors):
        coders[c.vendor_id].append(RosterCoder(c.login_id, codes[c.vendor_id], tuple(c.credentials), c.start_date,
                                               c.end_date))
    return {v.pk: (contracts[v.pk], audited_charts(v), coders[v.pk]) if contracts[v.pk] else None for v in vendors}


def _own(months: list[sla.MonthEvaluation], contracts, period: list[dt.date]) -> list[sla.MonthEvaluation]:
    """The vendor's months of an evaluation of several vendors, with its KPIs' figures asked for
    by its own contracts only (the turnaround shares, breach days and query shares that the
    other vendors' terms asked for are left out): as evaluated for the vendor alone."""
    names: set[str] = set()
    percents: dict[str, set[str]] = {}
    hours: set[str] = set()
    for contract in contracts:
        asks, by_ask, query_hours = sla.asks_of(contract, period)
        names.update(a.name for a in asks)
        for name, values in by_ask.items():
            percents.setdefault(name, set()).update(str(v) for v in values)
        hours.update(f"{float(h):g}" for h in query_hours)
    for kpi in {id(m.kpi): m.kpi for m in months if m.kpi is not None}.values():
        kpi.within = {k: v for k, v in kpi.within.items() if k in names}
        kpi.breach_days = {k: {p: n for p, n in v.items() if p in percents.get(k, ())}
                           for k, v in kpi.breach_days.items() if k in names}
        if kpi.queries.get("within"):
            kpi.queries["within"] = {h: n for h, n in kpi.queries["within"].items() if h in hours}
    return months


def scorecards(vendors: list[Vendor], first: dt.date, last: dt.date) -> dict[str, list[sla.MonthEvaluation]]:
    """Each month of the period under each contract in force, for several vendors in one pass
    over the lake: vendor code -> its months."""
    from codingwatch.lake import open_lake
    from codingwatch.lake.store import cached_connection

    months = month_range(first, last)
    out: dict[str, list[sla.MonthEvaluation]] = {v.code: [] for v in vendors}
    # Kept per vendor, per lake generation and per everything read from the database (the terms
    # in force, the final audits' charts, the roster): a new load, an amended term, a final audit
    # or a roster change each give a fresh answer. Kept beside the lake (`lake_cache.kept_put`),
    # so the months the load warmed (`scorecard.warm`) serve every process; the home page, the
    # scorecard and the reviews then do not evaluate the same months again.
    wanted = {}
    inputs_of = _inputs(vendors, months)
    for vendor in vendors:
        inputs = inputs_of[vendor.pk]
        if inputs is None:
            continue
        parts = [vendor.pk, vendor.code, str(first), str(last), hashlib.sha256(repr(inputs).encode()).hexdigest()]
        found = lake_cache.kept_get("scorecard-months", parts)
        if found is not None:
            out[vendor.code] = found
        else:
            wanted[vendor.code] = (inputs, parts)
    if not wanted:
        return out
    contracts = [c for (mine, _, _), _ in wanted.values() for c in mine]
    audited = [a for (_, charts, _), _ in wanted.values() for a in charts]
    coders = [c for (_, _, people), _ in wanted.values() for c in people]
    sources = kpis.Sources.from_lake(cached_connection(), audited=audited, roster=coders, lake=open_lake())
    by_vendor: dict[str, list[sla.MonthEvaluation]] = {}
    for month in sla.evaluate_contracts(sources, contracts, first, last):
        by_vendor.setdefault(month.vendor, []).append(month)
    for code, ((mine, _, _), parts) in wanted.items():
        found = _own(by_vendor.get(code, []), mine, months) if len(wanted) > 1 else by_vendor.get(code, [])
        lake_cache.kept_put("scorecard-months", parts, found)
        out[code] = found
    return out


def scorecard(vendor: Vendor, first: dt.date, last: dt.date) -> list[sla.MonthEvaluation]:
    """Each month of the period under each of the vendor's contracts in force."""
    return scorecards([vendor], first, last)[vendor.code]


DRILL_DOWNS = {"coder": "Coder", "specialty": "Specialty", "facility": "Facility", "encounter_type": "Encounter type"}


def drill_down(vendor: Vendor, first: dt.date, last: dt.date, by: str) -> list[kpis.KpiRow]:
    """The vendor's monthly KPIs per coder, specialty, facility or encounter type."""
    from codingwatch.lake import open_lake
    from codingwatch.lake.store import cached_connection

    sources = kpis.Sources.from_lake(cached_connection(), audited=audited_charts(vendor), roster=roster(vendor),
                                     lake=open_lake())
    return kpis.monthly(sources, first, last, by=("vendor", by), vendors=[vendor.code])


def summary(months: list[sla.MonthEvaluation]) -> dict:
    names = {sla.MET: "met", sla.BREACHED: "breached", sla.NOT_ENOUGH: "not_enough"}
    states = dict.fromkeys(names.values(), 0)
    for m in months:
        for r in m.results:
            states[names[r.state]] += 1
    total = sum((m.credits.total for m in months), start=0)
    return {"states": states, "credits": total, "months": len(months)}

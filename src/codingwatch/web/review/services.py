"""The quarterly business review of one vendor, gathered from the lake and the app database
(run inside the request's scope, or with scopes disabled from the command line).

Monthly KPIs come from the lake (volume, turnaround, denials) and the vendor's final audits
(record accuracy with Wilson limits over charts, the chart being the sampling unit); states
follow codingwatch.scorecard.qbr.accuracy_state; the turnaround term, a maximum in hours on
today's contract, is read as "90% of the month's charts within H hours" (TURNAROUND_SHARE).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from codingwatch import denials
from codingwatch.audit import scoring
from codingwatch.codesets import carc as carc_catalog
from codingwatch.cost.actuals import price_measured
from codingwatch.lake.schema import TABLES
from codingwatch.lake.store import cached_connection
from codingwatch.reports import format as fmt
from codingwatch.scorecard import qbr
from codingwatch.web.vendors.models import Coder, Contract, Vendor

TURNAROUND_SHARE = 0.90


def _utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def contract_in_force(vendor: Vendor, on: dt.date) -> Contract | None:
    contracts = Contract.objects.filter(vendor=vendor).prefetch_related("accuracy_slas", "turnaround_slas")
    return (contracts.filter(start_date__lte=on).order_by("-start_date").first()
            or contracts.order_by("start_date").first())


def _audited_cases(vendor: Vendor, start: dt.date, end: dt.date, within=None):
    """(case, CaseResult) of the vendor's final audits, for charts discharged/served in [start, end].
    `within`: those of a longer period (`_audited_of`), read once for the quarter, to pick from."""
    found = within if within is not None else _audited_of(vendor, start, end)
    return [(case, result) for period_from, period_to, day, case, result in found
            if period_from <= end and period_to >= start and start <= day <= end]


def _audited_of(vendor: Vendor, start: dt.date, end: dt.date) -> list[tuple]:
    """(audit period from, to, chart day, case, CaseResult) of the vendor's final audits, for
    charts discharged/served in [start, end]: one read of the audits for the whole quarter."""
    from codingwatch.web.audits.models import FINAL, Audit
    from codingwatch.web.audits.services.scores import case_results

    out = []
    for audit in Audit.objects.filter(vendor=vendor, state=FINAL, period_from__lte=end, period_to__gte=start):
        cases = list(audit.cases.filter(reviewed_at__isnull=False).prefetch_related("findings"))
        for case, result in zip(cases, case_results(audit), strict=False):
            day = case.discharge_date or case.service_date
            if day is not None and start <= day <= end:
                out.append((audit.period_from, audit.period_to, day, case, result))
    return out


def _lake_months(code: str, months: list[dt.date], hours_by_type: dict, names: set) -> dict:
    """Per month ("YYYY-MM"): the lake's part of the month row (volume, turnaround, denials) and
    its turnaround SLA rows; kept for the lake's load generation (the lake changes only on a load)."""
    from codingwatch.web import lake_cache

    return lake_cache.remember("review-lake-months", [code, months, sorted(hours_by_type.items()), sorted(names)],
                               lambda: _compute_lake_months(code, months, hours_by_type, names))


def _compute_lake_months(code: str, months: list[dt.date], hours_by_type: dict, names: set) -> dict:
    con = cached_connection()
    linked = denials.from_lake(con)["linked"] if "remit_claims" in names else None
    out = {}
    for month in months:
        end = _next_month(month) - dt.timedelta(days=1)
        row: dict = {"charts": 0}
        sla: list[dict] = []
        if "encounters" in names:
            enc = con.table("encounters")
            t = enc.filter((enc.origin == "coded") & (enc.vendor == code) & (enc.coded_at >= _utc(month))
                           & (enc.coded_at < _utc(_next_month(month))))
            t = t.mutate(hours=(t.coded_at.epoch_seconds() - t.received_at.epoch_seconds()) / 3600.0)
            per_type = t.group_by("encounter_type").aggregate(
                charts=t.count(), median=t.hours.median(), p90=t.hours.quantile(0.9)).to_pyarrow().to_pylist()
            row["charts"] = sum(int(r["charts"]) for r in per_type)
            med = t.hours.median().to_pyarrow().as_py() if row["charts"] else None
            row["median_turnaround_hours"] = None if med is None else round(med, 1)
            within, counted = 0, 0
            for r in per_type:
                limit = hours_by_type.get(r["encounter_type"])
                if limit is None:
                    continue
                mine = t.filter(t.encounter_type == r["encounter_type"])
                inside = int(mine.filter(mine.hours <= limit).count().to_pyarrow().as_py())
                within += inside
                counted += int(r["charts"])
                share = inside / int(r["charts"])
                sla.append({"month": f"{month:%Y-%m}", "term": f"turnaround {r['encounter_type']} within {limit:g} h",
                            "target": fmt.percent(TURNAROUND_SHARE, 0), "measured": fmt.percent(share),
                            "state": "met" if share >= TURNAROUND_SHARE else "breached",
                            "evidence": f"{fmt.count(inside)} of {fmt.count(r['charts'])} charts; median {r['median']:.1f} h, "
                                        f"90th percentile {r['p90']:.1f} h"})
            row["turnaround_within"] = round(within / counted, 4) if counted else None
        if linked is not None:
            mine = linked.filter((linked.vendor == code) & (linked.payment_date >= month)
                                 & (linked.payment_date <= end))
            agg = mine.aggregate(claims=mine.count(), denied=mine.denied.sum(),
                                 coding=mine.coding_related.sum()).to_pyarrow().to_pylist()[0]
            claims = int(agg["claims"] or 0)
            row["claims"], row["denied"], row["coding_denied"] = claims, int(agg["denied"] or 0), int(agg["coding"] or 0)
            row["denial_rate"] = round(row["denied"] / claims, 4) if claims else None
            row["coding_denial_rate"] = round(row["coding_denied"] / claims, 4) if claims else None
        out[f"{month:%Y-%m}"] = (row, sla)
    return out


def _month_rows(vendor: Vendor, months: list[dt.date], contract: Contract | None, *,
                with_lake: bool = True, audited_within=None) -> tuple[list[dict], list[dict]]:
    """Month rows and SLA rows; `with_lake=False`: only the final audits' accuracy (the
    scorecard engine measures the rest). `audited_within`: the audited cases of the months'
    whole period (`_audited_of`), else read month by month."""
    names = set(TABLES) if with_lake else set()
    rows, sla = [], []
    hours_by_type = {t.encounter_type: float(t.maximum_hours) for t in contract.turnaround_slas.all()} if contract else {}
    accuracy_slas = {a.specialty: float(a.minimum_accuracy) / 100 for a in contract.accuracy_slas.all()} if contract \
        else {}
    from_lake = _lake_months(vendor.code, months, hours_by_type, names) if names else {}
    for month in months:
        end = _next_month(month) - dt.timedelta(days=1)
        row: dict = {"month": f"{month:%Y-%m}", "charts": 0}
        if names:
            part, turnaround = from_lake[row["month"]]
            row.update(part)
            sla.extend(turnaround)
        audited = _audited_cases(vendor, month, end, audited_within)
        row["audited_charts"] = len(audited)
        if audited:
            s = scoring.score([r for _, r in audited], scoring.Method())
            low, high = s.record.limits
            row["accuracy"], row["accuracy_limits"] = round(s.record.value, 4), [round(low, 4), round(high, 4)]
            row["weight_change"] = s.payment_impact_weight
        else:
            row["accuracy"], row["accuracy_limits"] = None, None
        for specialty, target in sorted(accuracy_slas.items()):
            cases = [r for c, r in audited if c.specialty == specialty]
            if cases:
                s = scoring.score(cases, scoring.Method())
                low, high = s.record.limits
                state, more = qbr.accuracy_state(s.record.value, low, high, target)
                measured = f"{fmt.percent(s.record.value)} ({fmt.percent(low)}–{fmt.percent(high)})"
                evidence = f"{len(cases)} audited charts, record level, Wilson 95%"
            else:
                state, more, measured, evidence = "not enough evidence", None, "—", "no audited chart"
            sla.append({"month": row["month"], "term": f"accuracy {specialty}", "target": fmt.percent(target, 0),
                        "measured": measured, "state": state, "charts_needed": more, "evidence": evidence})
        rows.append(row)
    return rows, sla


def _findings_pareto(vendor: Vendor, start: dt.date, end: dt.date, audited_within=None) -> list[dict]:
    counts = Counter()
    for case, _ in _audited_cases(vendor, start, end, audited_within):
        for f in case.findings.all():
            if f.status == "upheld":
                counts[f.kind] += 1
    return [{"kind": k, "count": n} for k, n in counts.most_common()]


def _denial_pareto(vendor: Vendor, start: dt.date, end: dt.date) -> list[dict]:
    if "remit_claims" not in TABLES:
        return []
    from codingwatch.web import lake_cache

    return lake_cache.remember("review-denial-pareto", [vendor.code, start, end],
                               lambda: _compute_denial_pareto(vendor.code, start, end))


def _compute_denial_pareto(code: str, start: dt.date, end: dt.date) -> list[dict]:
    con = cached_connection()
    linked = denials.from_lake(con)["linked"]
    mine = linked.filter((linked.vendor == code) & (linked.payment_date >= start) & (linked.payment_date <= end))
    frame = denials.carc_pareto(mine, con.table("remit_adjustments")).to_pyarrow().to_pylist()
    out = []
    for r in frame:
        found = carc_catalog.lookup("CARC", r["carc"])
        out.append({"carc": r["carc"], "description": found.description if found else "not in our catalog",
                    "count": int(r["claims"]), "share": r["share"], "coding_related": r["coding_related"]})
    return out


def _not_on_roster(vendor: Vendor, start: dt.date, end: dt.date) -> list[dict]:
    if "encounters" not in TABLES:
        return []
    from codingwatch.web import lake_cache

    def compute() -> list[dict]:
        con = cached_connection()
        enc = con.table("encounters")
        t = enc.filter((enc.origin == "coded") & (enc.vendor == vendor.code) & (enc.coded_at >= _utc(start))
                       & (enc.coded_at < _utc(end + dt.timedelta(days=1))) & enc.coder_id.notnull())
        return t.group_by(login=t.coder_id).aggregate(charts=t.count()).order_by("login").to_pyarrow().to_pylist()

    rows = lake_cache.remember("review-logins", [vendor.code, start, end], compute)
    roster = set(Coder.objects.filter(vendor=vendor).values_list("login_id", flat=True))
    return [{"login": r["login"], "charts": int(r["charts"])} for r in rows if r["login"] not in roster]


def _cost(vendor: Vendor, contract: Contract | None, months: list[dict], weight_change,
          measured: dict | None = None) -> dict:
    """Promised vs measured, priced. `measured`: the scorecard engine's figures for the period
    (cost.actuals.measured_from_scorecard), else the review's own month rows."""
    charts = sum(m.get("charts") or 0 for m in months)
    audited = sum(m.get("audited_charts") or 0 for m in months)
    coding = sum(m.get("coding_denied") or 0 for m in months)
    weighted = [(m["accuracy"], m["audited_charts"]) for m in months if m.get("accuracy") is not None]
    accuracy = (sum(a * n for a, n in weighted) / sum(n for _, n in weighted)) if weighted else None
    if measured:
        charts, coding = measured["charts"], measured["coding_denials"]
        if measured["accuracy"] is not None:
            accuracy, audited = measured["accuracy"], measured["audited_charts"]
    if contract is None:
        return {"note": "no contract on file", "rows": []}
    from codingwatch.web.review.chain import rework_cost_per_denial

    rework, _ = rework_cost_per_denial(vendor.code)
    price = contract.price if contract.pricing == Contract.PER_CHART else None
    priced = price_measured(charts=charts, price_per_chart=price, accuracy=accuracy, coding_denials=coding,
                            rework_cost_per_denial=rework, audited_charts=audited,
                            weight_change=weight_change or Decimal(0), base_rate=contract.base_rate)
    promised = {a.specialty: a.minimum_accuracy for a in contract.accuracy_slas.all()}
    rows = [{"figure": "accuracy (record)", "promised": (f"{min(promised.values())}% (lowest SLA)" if promised
                                                         else None),
             "measured": fmt.percent(accuracy, missing=None),
             "basis": f"{audited} audited charts in final audits"},
            {"figure": "coding-related denials", "promised": None, "measured": fmt.count(coding),
             "basis": "835 remittances paid in the quarter"}]
    rows += [{"figure": line["line"], "promised": None, "measured": fmt.money(line["amount"]), "basis": line["basis"]}
             for line in priced["lines"]]
    return {"rows": rows, "per_correct_paid_chart": priced["per_correct_paid_chart"],
            "per_correct_paid_basis": priced["basis"], "priced": priced}


def _scorecard_months(vendor: Vendor, start: dt.date, end: dt.date):
    from codingwatch.web.scorecard.services import scorecard

    return scorecard(vendor, start, end)


def _pct(x) -> str:
    return fmt.percent(x)


def _from_scorecard(evaluated, fallback: list[dict]) -> tuple[list[dict], list[dict], dict]:
    """The review's month rows, SLA rows and credits from the scorecard engine's evaluations
    (codingwatch.scorecard.sla), keeping the fallback rows' accuracy where the engine has none."""
    by_month = {m["month"]: m for m in fallback}
    months, rows, lines = [], [], []
    for ev in evaluated:
        key = ev.month.strftime("%Y-%m")
        row = dict(by_month.get(key, {"month": key}))
        kpi = ev.kpi
        if kpi is not None:
            row["charts"] = kpi.volume
            p50 = (kpi.turnaround or {}).get("p50")
            row["median_turnaround_hours"] = None if p50 is None else round(float(p50), 1)
            within = [w for w in (kpi.within or {}).values() if w and w[1]]
            if within:
                row["turnaround_within"] = round(sum(w[0] for w in within) / sum(w[1] for w in within), 4)
            d = kpi.denials or {}
            if d:
                row.update(claims=d.get("claims"), denied=d.get("denied"), coding_denied=d.get("coding_denied"),
                           denial_rate=d.get("denial_rate"), coding_denial_rate=d.get("coding_denial_rate"))
            row["charts_per_coder_hour"] = kpi.charts_per_coder_hour
        months.append(row)
        for r in ev.results:
            sample = r.basis == "sample"
            measured = _pct(r.value) if r.kind != "dnfb" else ("—" if r.value is None else f"{r.value:.1f} days")
            if sample and r.lower is not None:
                measured += f" ({_pct(r.lower)}–{_pct(r.upper)})"
            more = r.needed.additional if r.needed else None
            rows.append({"month": key, "term": r.label,
                         "target": f"{r.target:g} days" if r.kind == "dnfb" else _pct(r.target),
                         "measured": measured, "state": r.state, "charts_needed": more,
                         "evidence": f"{fmt.count(r.evidence)} {'charts audited' if sample else 'measured'}"})
        for line in ev.credits.lines:
            lines.append({"month": key, "term": line.kind, "amount": line.amount,
                          "inputs": f"{line.formula}: " + ", ".join(f"{k} {v}" for k, v in line.inputs.items())})
    total = sum((line["amount"] for line in lines), Decimal("0.00"))
    return months, rows, {"rows": lines, "total": total, "note": "" if lines else "no term breached"}


def quarterly_review(vendor: Vendor, quarter: str, *, staff: bool = True) -> dict:
    """Every section of the review. Staff and the vendor's own users see the same document
    (transparency); `staff` only marks who asked."""
    from codingwatch.web.diligence import services as diligence
    from codingwatch.web.provenance import services as provenance

    quarter = quarter.strip().upper()
    start, end = qbr.parse_quarter(quarter)
    contract = contract_in_force(vendor, end)
    month_starts = qbr.months_of(quarter)
    evaluated = _scorecard_months(vendor, start, end)
    audited = _audited_of(vendor, start, end)
    months, sla = _month_rows(vendor, month_starts, contract, with_lake=not evaluated, audited_within=audited)
    credits = {"rows": [], "total": None, "note": "no contract in force in the quarter"}
    method = ("Accuracy is record-level from final audits, Wilson 95% limits over charts: breached only "
              "when the upper limit is below the SLA, met only when the lower limit is above it. Turnaround: "
              f"met when {fmt.percent(TURNAROUND_SHARE, 0)} of the month's charts were coded within the SLA hours.")
    measured = None
    if evaluated:
        from codingwatch.cost.actuals import measured_from_scorecard

        measured = measured_from_scorecard([ev.kpi for ev in evaluated if ev.kpi]).get(vendor.code)
        months, sla, credits = _from_scorecard(evaluated, months)
        method = ("The scorecard engine's states: a sample-based term (accuracy, a ratio estimate over charts) is "
                  "breached only when its upper confidence limit is below the SLA and met only when its lower "
                  "limit is above it, else not enough evidence with the charts that would settle it; population "
                  "terms (turnaround, coding denials, queries) are measured on every chart, claim or query.")
    weight_change = sum((m.get("weight_change") or Decimal(0) for m in months), Decimal(0))
    for m in months:
        m.pop("weight_change", None)
    try:
        summary = provenance.vendor_summary(vendor.code, start=start, end=end)
    except Exception as exc:  # noqa: BLE001 - an empty or partial lake: the section says so
        summary = []
        provenance_note = str(exc)
    else:
        provenance_note = ""
    declaration = diligence.declaration_for(vendor, start, end)
    score = diligence.vendor_score(vendor, end)
    score["expiring"] = diligence.expiring_documents(vendor, end)
    return qbr.build(
        vendor={"code": vendor.code, "name": vendor.name}, quarter=quarter,
        period=[start.isoformat(), end.isoformat()], asked_by_staff=staff,
        contract=None if contract is None else {"start_date": contract.start_date.isoformat()},
        months=months, sla=sla,
        sla_method=method, credits=credits,
        findings_pareto=_findings_pareto(vendor, start, end, audited), denial_pareto=_denial_pareto(vendor, start, end),
        provenance=summary[0] if summary else None, provenance_note=provenance_note,
        logins_not_on_roster=_not_on_roster(vendor, start, end),
        declared=None if declaration is None else diligence.declared_vs_observed(vendor, declaration),
        diligence=score, cost=_cost(vendor, contract, months, weight_change, measured),
    )


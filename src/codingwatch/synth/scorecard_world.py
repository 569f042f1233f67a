"""The world's contracts, query log, monthly audit sample and the months each vendor truly breaches.

Files (docs/synth.md, docs/scorecard.md):

- `contracts.yaml`: one contract per outside vendor in the `import_contract_terms` layout,
  with an amendment on April 1: a code-over-code accuracy SLA on the vendor's largest
  specialty set 3 points above its true accuracy (at most 99%) or 5 points below it (the
  split vendor promised more than it delivers until the amendment, then a level it meets;
  the domestic vendor the other way round), a turnaround SLA "P% within H hours" for each
  priority (standard, complex, urgent) on its largest encounter type, H from
  `TURNAROUND_HOURS` and P the share of that priority's charts its median month reaches (so
  about half its months run slow; urgent charts are coded fastest and complex ones slowest,
  synth/schedule.py), a query response term, and a credit schedule.
- `queries.csv`: CDI / physician queries on about 8% of the outside vendors' facility charts
  (the `ingest queries` layout); answers slow down for the domestic vendor in January and
  February, when its query term is truly breached.
- `audited_charts.csv`: each month, a simple random sample of 60 charts of each vendor's SLA
  specialty (its universe the month's charts of that specialty), counted chart by chart from
  the injected errors as the audit engine would count them (docs/scorecard.md, the
  audited-charts layout).
- `scorecard_truth.json`: per vendor and month, every term's true value over all the month's
  charts (not the sample) and whether it is truly breached; turnaround per priority, with the
  month's charts of that type and priority and how many were coded within H hours.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np

from codingwatch.synth.encounters import IP
from codingwatch.synth.errors import KINDS
from codingwatch.synth.writer import PRIORITY_VALUES, chart_priorities
from codingwatch.vocabulary import ENCOUNTER_TYPES, SPECIALTIES

# Error kinds after which an auditor's code has no exact match among the coder's codes
# (code-over-code misses, as audit.model counts them).
MISS_KINDS = ("dx_added", "dx_changed_specificity", "dx_changed_category", "dx_changed_laterality",
              "dx_changed_seventh_character", "principal_dx_changed", "procedure_added", "procedure_changed",
              "em_level_up", "em_level_down")
SAMPLE_PER_MONTH = 60
AMENDMENT_MONTH = 7  # April: the 7th month of the fiscal year
MARGIN_MET, MARGIN_BREACH, HIGHEST_SLA = 5, 3, 99
QUERY_SHARE = 0.08
QUERY_HOURS, QUERY_PERCENT = 72, 90
# Turnaround SLA hours per encounter type and priority (writer.PRIORITY_VALUES): urgent work
# within a day (two for a stay), complex work given twice the standard hours.
TURNAROUND_HOURS = {
    "inpatient": {"standard": 96, "complex": 192, "urgent": 48},
    "outpatient": {"standard": 48, "complex": 96, "urgent": 24},
    "ed": {"standard": 48, "complex": 96, "urgent": 24},
    "profee": {"standard": 48, "complex": 96, "urgent": 24},
}
TERMS = {
    # vendor key: (price per chart, accuracy SLA before / after the amendment relative to the truth,
    #              accuracy % per point, cap %, credit per turnaround breach day)
    "hcp": ("6.50", ("met", "breach"), "1.5", "8", "150.00"),
    "scs": ("4.25", ("breach", "met"), "2", "10", "250.00"),
}
SLOW_QUERY_MONTHS = {"hcp": (4, 5)}  # January and February (months 4 and 5 of the fiscal year)


def _months(params) -> list[dt.date]:
    start = params.fiscal_year_start()
    return [dt.date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(12)]


def _month_index(params, days: np.ndarray) -> np.ndarray:
    start = params.fiscal_year_start()
    dates = np.datetime64(start.isoformat()) + days.astype("timedelta64[D]")
    months = dates.astype("datetime64[M]").astype(np.int64) - np.datetime64(start.isoformat(), "M").astype(np.int64)
    return months


def chart_counts(world) -> dict[str, np.ndarray]:
    """Per encounter: codes audited (the truth's lines), codes matched, record and DRG correct."""
    n = len(world.encounters)
    audited = np.bincount(world.truth.enc, minlength=n)
    miss = np.isin(world.errors.kind, [KINDS.index(k) for k in MISS_KINDS])
    misses = np.bincount(world.errors.enc[miss], minlength=n)
    errors = np.bincount(world.errors.enc, minlength=n)
    return {"audited": audited, "matched": np.maximum(audited - misses, 0), "record_ok": errors == 0,
            "drg_same": world.drg_coded == world.drg_audited}


def write_scorecard_files(world, outdir: Path) -> list[str]:
    params, enc, roster = world.params, world.encounters, world.roster
    rng = np.random.default_rng(params.seed + 14)
    months = _months(params)
    month = _month_index(params, enc.day)
    login_vendor = np.array([lg.vendor for lg in roster.logins])
    vendor = login_vendor[enc.login]
    names = {v.key: v.name for v in params.vendors}
    counts = chart_counts(world)
    start_s = (params.fiscal_year_start() - dt.date(1970, 1, 1)).days * 86_400
    received = (start_s + enc.received).astype(np.int64)
    coded = (start_s + enc.coded).astype(np.int64)
    hours = (coded - received) / 3600.0

    contracts, truth, sample_rows = [], {}, []
    queries = _queries(world, vendor, month, received, coded, rng)
    for key in sorted(TERMS):
        if key not in names:
            continue
        price, (before, after), per_point, cap, per_day = TERMS[key]
        mine = vendor == key
        spec = int(np.bincount(enc.spec[mine], minlength=len(SPECIALTIES)).argmax())
        etype = int(np.bincount(enc.etype[mine], minlength=len(ENCOUNTER_TYPES)).argmax())
        in_spec = mine & (enc.spec == spec)
        overall = counts["matched"][in_spec].sum() / max(1, counts["audited"][in_spec].sum())
        level = int(round(overall * 100))
        sla = {i: (level - MARGIN_MET if side == "met" else min(HIGHEST_SLA, level + MARGIN_BREACH))
               for i, side in enumerate((before, after))}
        priority = chart_priorities(len(enc))
        tat = {}  # priority -> (hours, percent): the turnaround SLA of each priority
        for p, pname in enumerate(PRIORITY_VALUES):
            h = TURNAROUND_HOURS[ENCOUNTER_TYPES[etype]][pname]
            shares = []
            for m in range(12):
                sel = mine & (enc.etype == etype) & (priority == p) & (month == m)
                if sel.sum():
                    shares.append(float((hours[sel] <= h).mean()))
            tat[pname] = (h, int(np.floor(np.median(shares) * 100)) if shares else 90)
        truth[names[key]] = {}
        for m, first in enumerate(months):
            period = 0 if m < AMENDMENT_MONTH - 1 else 1
            sel = in_spec & (month == m)
            true_acc = counts["matched"][sel].sum() / counts["audited"][sel].sum() if sel.any() else None
            turnaround = {}
            for p, pname in enumerate(PRIORITY_VALUES):
                h, percent = tat[pname]
                tsel = mine & (enc.etype == etype) & (priority == p) & (month == m)
                within = int((hours[tsel] <= h).sum())
                share = within / int(tsel.sum()) if tsel.any() else None
                turnaround[pname] = {"encounter_type": ENCOUNTER_TYPES[etype], "priority": pname, "percent": percent,
                                     "hours": h, "charts": int(tsel.sum()), "within": within,
                                     "true_value": None if share is None else round(share, 6),
                                     "breached": None if share is None else bool(share * 100 < percent)}
            q = queries[(queries["vendor"] == key) & (queries["month"] == m)] if len(queries) else queries
            qshare = float(q["within"].mean()) if len(q) else None
            truth[names[key]][first.strftime("%Y-%m")] = {
                "accuracy": {"specialty": SPECIALTIES[spec], "rule": "code_over_code", "sla_percent": sla[period],
                             "true_value": None if true_acc is None else round(float(true_acc), 6),
                             "breached": None if true_acc is None else bool(true_acc * 100 < sla[period])},
                "turnaround": turnaround,
                "query_response": {"percent": QUERY_PERCENT, "hours": QUERY_HOURS,
                                   "true_value": None if qshare is None else round(qshare, 6),
                                   "breached": None if qshare is None else bool(qshare * 100 < QUERY_PERCENT)},
            }
            idx = np.flatnonzero(sel)
            if len(idx):
                take = np.sort(rng.choice(idx, size=min(SAMPLE_PER_MONTH, len(idx)), replace=False))
                for i in take.tolist():
                    sample_rows.append(_sample_row(world, params, i, names[key], counts, len(idx), first))
        amendment = months[AMENDMENT_MONTH - 1]
        contracts.append(_contract_yaml(names[key], params, price, SPECIALTIES[spec], sla,
                                        ENCOUNTER_TYPES[etype], tat, per_point, cap, per_day, amendment))

    (outdir / "contracts.yaml").write_text(
        "# The synthetic world's vendor contracts (codingwatch manage import_contract_terms FILE).\n"
        "# An amendment takes effect on " + months[AMENDMENT_MONTH - 1].isoformat() + ".\ncontracts:\n"
        + "".join(contracts), encoding="utf-8")
    _write_queries(outdir / "queries.csv", queries, params)
    header = ["audit", "encounter_id", "vendor", "coder_id", "specialty", "facility", "encounter_type",
              "date_of_service", "stratum", "stratum_universe", "codes_audited", "codes_matched",
              "record_correct", "drg_unchanged"]
    with open(outdir / "audited_charts.csv", "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for row in sample_rows:
            handle.write(",".join(str(row[c]) for c in header) + "\n")
    (outdir / "scorecard_truth.json").write_text(json.dumps(
        {"basis": "every chart of the month (not the sample); accuracy code-over-code from the injected errors",
         "amendment": months[AMENDMENT_MONTH - 1].isoformat(), "vendors": truth}, indent=2, sort_keys=True) + "\n",
        encoding="utf-8")
    return ["contracts.yaml", "queries.csv", "audited_charts.csv", "scorecard_truth.json"]


def _sample_row(world, params, i, vendor_name, counts, universe, first) -> dict:
    enc, roster = world.encounters, world.roster
    day = params.fiscal_year_start() + dt.timedelta(days=int(enc.day[i]))
    inpatient = enc.etype[i] == IP
    return {
        "audit": f"monthly-{first.strftime('%Y-%m')}", "encounter_id": f"E{i + 1:09d}", "vendor": vendor_name,
        "coder_id": roster.logins[enc.login[i]].login_id, "specialty": SPECIALTIES[enc.spec[i]],
        "facility": params.facilities[enc.fac[i]].code, "encounter_type": ENCOUNTER_TYPES[enc.etype[i]],
        "date_of_service": day.isoformat(), "stratum": "all", "stratum_universe": universe,
        "codes_audited": int(counts["audited"][i]), "codes_matched": int(counts["matched"][i]),
        "record_correct": int(bool(counts["record_ok"][i])),
        "drg_unchanged": int(bool(counts["drg_same"][i])) if inpatient else "",
    }


def _queries(world, vendor, month, received, coded, rng):
    """Queries raised while coding: sent between receipt and coding, answered hours later."""
    import pandas as pd

    enc = world.encounters
    facility_work = (enc.etype != ENCOUNTER_TYPES.index("profee")) & np.isin(vendor, list(TERMS))
    chosen = np.flatnonzero(facility_work & (rng.random(len(enc)) < QUERY_SHARE))
    span = np.maximum(coded[chosen] - received[chosen], 60)
    sent = received[chosen] + (rng.random(len(chosen)) * span).astype(np.int64)
    slow = np.zeros(len(chosen), dtype=bool)
    for key, months in SLOW_QUERY_MONTHS.items():
        slow |= (vendor[chosen] == key) & np.isin(month[chosen], [m - 1 for m in months])
    median = np.where(slow, 90.0, 26.0)
    wait_h = np.exp(np.log(median) + 0.6 * rng.standard_normal(len(chosen)))
    answered = sent + (wait_h * 3600).astype(np.int64)
    unanswered = rng.random(len(chosen)) < 0.02
    # a query counts in the month it was sent (UTC)
    sent_month = (sent.astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
                  - np.datetime64(world.params.fiscal_year_start().isoformat(), "M").astype(np.int64))
    return pd.DataFrame({
        "index": chosen, "vendor": vendor[chosen], "month": sent_month, "sent": sent,
        "answered": np.where(unanswered, -1, answered),
        "within": ~unanswered & (answered - sent <= QUERY_HOURS * 3600),
        "coder": [world.roster.logins[lg].login_id for lg in enc.login[chosen]],
        "kind": np.where(rng.random(len(chosen)) < 0.7, "cdi", "physician"),
    })


def _stamp(seconds: int) -> str:
    return dt.datetime.fromtimestamp(int(seconds), dt.UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _write_queries(path: Path, queries, params) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("query_id,encounter_id,coder_id,sent_at,answered_at,kind\n")
        for n, row in enumerate(queries.itertuples(index=False), start=1):
            answered = "" if row.answered < 0 else _stamp(row.answered)
            handle.write(f"Q{n:07d},E{row.index + 1:09d},{row.coder},{_stamp(row.sent)},{answered},{row.kind}\n")


def _contract_yaml(name, params, price, specialty, sla, etype, tat, per_point, cap, per_day, amendment) -> str:
    start = params.fiscal_year_start()
    last_before = amendment - dt.timedelta(days=1)
    turnaround = "".join(f"        - {{encounter_type: {etype}, priority: {p}, percent: {percent}, hours: {hours}}}\n"
                         for p, (hours, percent) in tat.items())

    def period(frm, to, minimum):
        until = f"\n      effective_to: {to.isoformat()}" if to else ""
        return f"""    - effective_from: {frm.isoformat()}{until}
      accuracy:
        - {{specialty: {specialty}, rule: code_over_code, minimum: {minimum}}}
      turnaround:
{turnaround}      dnfb_days: 5
      coding_denial_rate: 10
      query_response: {{percent: {QUERY_PERCENT}, hours: {QUERY_HOURS}}}
      min_charts: 30
      credits:
        accuracy_percent_per_point: {per_point}
        accuracy_cap_percent: {cap}
        turnaround_breach_day: {per_day}
        rework_coding_denials: true
        rework_cost_per_denial: 43.84
"""
    return (f"  - vendor: {name}\n    start_date: {start.isoformat()}\n    pricing: per_chart\n    price: {price}\n"
            f"    confidence: \"95\"\n    periods:\n"
            + period(start, last_before, sla[0]) + period(amendment, None, sla[1]))

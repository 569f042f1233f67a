"""Measured detection: precision, recall and alert volume of each provenance rule and of the
takeover detector on synthetic worlds with known incidents, over many seeds, and the delay
from a takeover to its alert.

Each seed builds a world (40 coders, 120 days from 2 February 2026, across the US daylight-
saving change) with injected offshore access, out-of-queue access, exports, shared logins,
takeovers, off-hours work, a login not on the roster and a login used after its end date,
plus benign look-alikes (VPN-looking moves under 50 km, coders with two approved locations).

An alert counts as true when an injected incident on the same login, overlapping in time
(one day of slack), implies its rule (offshore access also trips impossible travel, and so
on: synth.access_logs.IMPLIED); a takeover alert must fall within 7 days of the takeover.
Recall counts incidents of each kind found by their own rule.

Delay: the detector is re-run on the history cut at takeover + d days (d = 3, 5, 7, 10, 14,
21, 28) with the penalty calibrated on the full history; the delay is the first d at which
the takeover is found.

Named baseline for the takeover detector, measured in the same run: the single-signal rule
"alert when less than half of a day's work comes from devices seen in the login's first 28
days" (what a simple new-device alarm does).

    uv run python benchmarks/bench_provenance_detection.py [--seeds 20] [--coders 40] [--days 120]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import ibis
import numpy as np
import pandas as pd

from codingwatch.provenance import inputs, rules, takeover
from codingwatch.synth import access_logs as al

HERE = Path(__file__).resolve().parent
START = dt.date(2026, 2, 2)
DELAYS = (3, 5, 7, 10, 14, 21, 28)
TAKEOVER_SLACK_DAYS = 7


def day_of(ts) -> int:
    return int(pd.Timestamp(ts).tz_convert("UTC").value // 86_400_000_000_000)


def matches(alert: inputs.Alert, incident, *, primary_only: bool) -> bool:
    if alert.login != incident.login:
        return False
    wanted = {incident.primary_rule} if primary_only else set(incident.implied_rules.split(","))
    if alert.rule not in wanted:
        return False
    if alert.rule == "takeover" and incident.kind == "takeover":
        return abs(day_of(alert.window_start) - day_of(incident.start)) <= TAKEOVER_SLACK_DAYS
    slack = pd.Timedelta(days=1)
    return pd.Timestamp(alert.window_start) <= incident.end + slack and pd.Timestamp(alert.window_end) >= incident.start - slack


def new_device_baseline(sig: pd.DataFrame, settings: inputs.Settings) -> list[tuple[str, int]]:
    out = []
    for login, frame in sig.sort_values("day").groupby("login"):
        share = frame["known_device_share"].to_numpy()
        days = frame["day"].to_numpy()
        low = share < 0.5
        low[: settings.baseline_days] = False
        starts = np.flatnonzero(low & ~np.concatenate([[False], low[:-1]]))
        out.extend((login, int(days[i])) for i in starts)
    return out


def run_seed(seed: int, coders: int, days: int, settings: inputs.Settings) -> dict:
    w = al.example_world(coders, seed=seed, start=START, days=days)
    synth = al.generate(w["roster"], w["contracts"], w["assignments"], seed=seed, start=START, days=days)
    roster = inputs.roster_table(al.roster_as_declared(w["roster"], synth))
    events = ibis.duckdb.connect().create_table("access_events", synth.event_table())
    started = time.perf_counter()
    found = inputs.to_alerts(rules.run_rules(events, roster=roster, contracts=inputs.contracts_table(w["contracts"]),
                                             assignments=inputs.assignments_table(w["assignments"]),
                                             settings=settings).to_pyarrow())
    rules_s = time.perf_counter() - started
    started = time.perf_counter()
    sig = takeover.build_signals(events, settings)
    result = takeover.detect_takeovers(events, roster=roster, settings=settings, charts=False, sig=sig)
    takeover_s = time.perf_counter() - started
    found.extend(result.alerts)
    truth = synth.truth
    incidents = list(truth.itertuples())
    tp = defaultdict(int)
    total = defaultdict(int)
    for a in found:
        total[a.rule] += 1
        if any(matches(a, i, primary_only=False) for i in incidents):
            tp[a.rule] += 1
    hits = defaultdict(int)
    count = defaultdict(int)
    for i in incidents:
        count[i.primary_rule] += 1
        if any(matches(a, i, primary_only=True) for a in found):
            hits[i.primary_rule] += 1
    # baseline: new-device alarm
    base = new_device_baseline(sig, settings)
    takeovers = truth[truth.kind == "takeover"]
    base_tp = sum(1 for login, d in base if any(
        (t.login == login) and abs(d - day_of(t.start)) <= TAKEOVER_SLACK_DAYS for t in takeovers.itertuples()))
    base_hits = sum(1 for t in takeovers.itertuples() if any(
        login == t.login and abs(d - day_of(t.start)) <= TAKEOVER_SLACK_DAYS for login, d in base))
    # delay from takeover to alert
    delays = []
    prepared_penalty = result.calibration.penalty
    for t in takeovers.itertuples():
        t_day = day_of(t.start)
        delay = None
        for d in DELAYS:
            cut = sig[(sig["login"] == t.login) & (sig["day"] < t_day + d)]
            hit = [f for f in takeover.detect_frame(cut, penalty=prepared_penalty, settings=settings)
                   if abs(f.change_day - t_day) <= TAKEOVER_SLACK_DAYS]
            if hit:
                delay = d
                break
        delays.append(delay)
    logins = roster.column("login").unique().to_pylist()
    return {"seed": seed, "events": events.count().execute(), "logins": len(logins),
            "login_months": len(logins) * days / 30.44, "alerts": dict(total), "true_alerts": dict(tp),
            "incidents": dict(count), "incidents_found": dict(hits), "baseline_alerts": len(base),
            "baseline_true": base_tp, "baseline_hits": base_hits, "delays": delays,
            "penalty": prepared_penalty, "shuffled_rate": result.calibration.achieved_rate,
            "rules_seconds": rules_s, "takeover_seconds": takeover_s}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--coders", type=int, default=40)
    parser.add_argument("--days", type=int, default=120)
    args = parser.parse_args(argv)
    settings = inputs.Settings()
    runs = []
    for seed in range(args.seeds):
        started = time.perf_counter()
        runs.append(run_seed(seed, args.coders, args.days, settings))
        print(f"seed {seed}: {runs[-1]['events']} events, {sum(runs[-1]['alerts'].values())} alerts "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
    login_months = sum(r["login_months"] for r in runs)
    rule_names = sorted({k for r in runs for k in list(r["alerts"]) + list(r["incidents"])})
    per_rule = {}
    for rule in rule_names:
        alerts = sum(r["alerts"].get(rule, 0) for r in runs)
        true = sum(r["true_alerts"].get(rule, 0) for r in runs)
        incidents = sum(r["incidents"].get(rule, 0) for r in runs)
        found = sum(r["incidents_found"].get(rule, 0) for r in runs)
        per_rule[rule] = {
            "alerts": alerts, "precision": round(true / alerts, 4) if alerts else None,
            "incidents": incidents, "recall": round(found / incidents, 4) if incidents else None,
            "alerts_per_1000_logins_month": round(1000 * alerts / login_months, 1),
            "false_alerts_per_1000_logins_month": round(1000 * (alerts - true) / login_months, 1),
        }
    delays = [d for r in runs for d in r["delays"]]
    found_delays = [d for d in delays if d is not None]
    b_alerts = sum(r["baseline_alerts"] for r in runs)
    b_true = sum(r["baseline_true"] for r in runs)
    b_hits = sum(r["baseline_hits"] for r in runs)
    takeovers = sum(r["incidents"].get("takeover", 0) for r in runs)
    ours = per_rule.get("takeover", {})
    baseline = {"name": "single-signal new-device alarm", "alerts": b_alerts,
                "precision": round(b_true / b_alerts, 4) if b_alerts else None,
                "recall": round(b_hits / takeovers, 4) if takeovers else None,
                "alerts_per_1000_logins_month": round(1000 * b_alerts / login_months, 1)}
    summary = {
        "seeds": args.seeds, "coders": args.coders, "days": args.days,
        "events_per_seed": int(np.mean([r["events"] for r in runs])),
        "takeover_precision": ours.get("precision"), "takeover_recall": ours.get("recall"),
        "takeover_alerts_per_1000_logins_month": ours.get("alerts_per_1000_logins_month"),
        "takeover_false_alarm_setting_per_login_month": settings.false_alarm_rate,
        "baseline_new_device_precision": baseline["precision"], "baseline_new_device_recall": baseline["recall"],
        "precision_ratio_vs_baseline": (round(ours["precision"] / baseline["precision"], 2)
                                        if ours.get("precision") and baseline["precision"] else None),
        "median_delay_days": float(np.median(found_delays)) if found_delays else None,
        "p90_delay_days": float(np.percentile(found_delays, 90)) if found_delays else None,
        "found_within_28_days": round(len(found_delays) / len(delays), 4) if delays else None,
        "rules_seconds_per_seed": round(float(np.mean([r["rules_seconds"] for r in runs])), 2),
        "takeover_seconds_per_seed": round(float(np.mean([r["takeover_seconds"] for r in runs])), 2),
    }
    out = {"summary": summary, "per_rule": per_rule, "baseline": baseline,
           "delay_distribution_days": {str(d): delays.count(d) for d in (*DELAYS, None)}, "runs": runs}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "provenance_detection.json").write_text(json.dumps(out, indent=1, default=str))
    print(json.dumps({"summary": summary, "per_rule": per_rule}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

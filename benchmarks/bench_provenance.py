"""Scale: the full provenance rule set and takeover detection over a year of 200 coders.

1. Synthetic events (synth.access_logs, vectorized) are written straight to Parquet in a
   temporary folder: by default about 50,000,000 events (--events to change).
2. DuckDB (the default backend) runs every rule and the takeover detector over all of them,
   in a child process so that its peak memory (max RSS) is measured alone.
   Targets on the shared 2-core machine: under 120 s and under 8 GiB.
3. Named baseline, measured in the same run: the same rules and profiles written in plain
   pandas, on a 5,000,000-event slice (the first coders' files), against DuckDB on the same
   slice; the ratio is pandas time / DuckDB time. The two must find the same alerts.

    uv run python benchmarks/bench_provenance.py [--events 50000000] [--slice 5000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
START = dt.date(2025, 1, 6)
DAYS = 365
CODERS = 200


# ---- the data -------------------------------------------------------------------------------

def make_world(target_events: int, directory: Path) -> dict:
    from codingwatch.synth import access_logs as al

    world = al.example_world(CODERS, seed=7, start=START, days=DAYS)
    # about 245 working days x 7.6 hours per coder
    rate = target_events / (CODERS * 245 * 7.6)
    synth = al.generate(world["roster"], world["contracts"], world["assignments"], seed=7, start=START, days=DAYS,
                        events_per_hour=rate,
                        injections=al.Injections(offshore=6, out_of_queue=10, local_phi=10, shared_login=6,
                                                 takeover=6, off_hours=10, not_on_roster=2, after_end_date=3))
    roster = al.roster_as_declared(world["roster"], synth)
    # files by coder, so that a slice is whole logins (their whole year)
    sessions = synth.sessions
    order = {lg: i for i, lg in enumerate(sorted(sessions["login"].unique()))}
    sessions = sessions.assign(_o=sessions["login"].map(order)).sort_values(["_o", "start"]).drop(columns="_o")
    synth.sessions = sessions.reset_index(drop=True)
    paths = synth.write_parquet(directory / "events", chunk_events=2_500_000)
    rows = [pq.ParquetFile(p).metadata.num_rows for p in paths]
    return {"roster": roster, "contracts": world["contracts"], "assignments": world["assignments"],
            "paths": [str(p) for p in paths], "rows": rows, "truth": synth.truth}


def write_inputs(world: dict, directory: Path) -> None:
    from codingwatch.provenance import inputs

    pq.write_table(inputs.roster_table(world["roster"]), directory / "roster.parquet")
    pq.write_table(inputs.contracts_table(world["contracts"]), directory / "contracts.parquet")
    pq.write_table(inputs.assignments_table(world["assignments"]), directory / "assignments.parquet")


# ---- DuckDB (ibis) ----------------------------------------------------------------------------

def run_duckdb(directory: Path, paths: list[str]) -> dict:
    import ibis

    from codingwatch.provenance import inputs, rules, takeover

    con = ibis.duckdb.connect()
    con.raw_sql("SET autoinstall_known_extensions = false")
    con.raw_sql("SET autoload_known_extensions = false")
    started = time.perf_counter()
    events = con.read_parquet(paths, table_name="access_events")
    roster = pq.read_table(directory / "roster.parquet")
    contracts = pq.read_table(directory / "contracts.parquet")
    assignments = pq.read_table(directory / "assignments.parquet")
    settings = inputs.Settings()
    alerts = inputs.to_alerts(rules.run_rules(events, roster=roster, contracts=contracts, assignments=assignments,
                                              settings=settings).to_pyarrow())
    rules_s = time.perf_counter() - started
    t1 = time.perf_counter()
    result = takeover.detect_takeovers(events, roster=roster, settings=settings, charts=False)
    takeover_s = time.perf_counter() - t1
    return {"seconds": time.perf_counter() - started, "rules_seconds": rules_s, "takeover_seconds": takeover_s,
            "alerts": alerts, "takeover": result.alerts, "penalty": result.calibration.penalty,
            "peak_rss_bytes": peak_rss_bytes()}


def peak_rss_bytes() -> int:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    from the parent across fork and exec, VmHWM starts afresh with the new program."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def alert_counts(alerts) -> dict:
    counts: dict[str, int] = {}
    for a in alerts:
        counts[a.rule] = counts.get(a.rule, 0) + 1
    return counts


def child(directory: Path, paths: list[str], out: Path) -> None:
    result = run_duckdb(directory, paths)
    keys = sorted((a.rule, a.login, a.window_start.isoformat(), a.event_count) for a in result["alerts"])
    out.write_text(json.dumps({
        "seconds": result["seconds"], "rules_seconds": result["rules_seconds"],
        "takeover_seconds": result["takeover_seconds"], "alerts_by_rule": alert_counts(result["alerts"]),
        "takeover_alerts": len(result["takeover"]), "penalty": result["penalty"],
        "takeover_logins": sorted({a.login for a in result["takeover"]}),
        "alert_keys": keys, "peak_rss_bytes": result["peak_rss_bytes"],
    }))


def in_child(directory: Path, paths: list[str]) -> dict:
    out = directory / f"duckdb-{len(paths)}.json"
    listing = directory / f"paths-{len(paths)}.json"
    listing.write_text(json.dumps(paths))
    subprocess.run([sys.executable, __file__, "--child", str(directory), str(listing), str(out)], check=True)
    return json.loads(out.read_text())


# ---- the pandas baseline ------------------------------------------------------------------------

def pandas_rules(ev: pd.DataFrame, roster: pd.DataFrame, contracts: pd.DataFrame, assignments: pd.DataFrame,
                 settings) -> list[tuple]:
    """The same rules in plain pandas (the named baseline). Returns alert keys."""
    from codingwatch.provenance import inputs

    keys: list[tuple] = []
    sec = ev["occurred_at"].astype("int64") // 1_000_000
    ev = ev.assign(sec=sec, day=sec // 86400)
    lv = roster[["login", "vendor"]].drop_duplicates()

    def emit(frame: pd.DataFrame, by: list[str], rule: str) -> None:
        g = frame.groupby(by, sort=False).agg(start=("occurred_at", "min"), n=("event_id", "size"))
        for row in g.reset_index().itertuples():
            keys.append((rule, row.login, pd.Timestamp(row.start).tz_convert("UTC").isoformat(), int(row.n)))

    # forbidden country
    allowed = contracts.assign(country=contracts["allowed_countries"].str.split(",")).explode("country")
    e = ev[ev["country"].notna()].merge(lv, on="login")
    e = e.merge(allowed[["vendor", "country"]].assign(ok=True), on=["vendor", "country"], how="left")
    emit(e[e["ok"].isna()], ["login", "vendor", "country", "day"], "forbidden_country")
    # work queues / encounters
    scoped = ev[(ev["work_queue"].notna() | ev["encounter_key"].notna()) & ev["login"].isin(lv["login"])]
    q = assignments.dropna(subset=["work_queue"])[["login", "work_queue"]].drop_duplicates().assign(q=True)
    k = assignments.dropna(subset=["encounter_key"])[["login", "encounter_key"]].drop_duplicates().assign(k=True)
    s = scoped.merge(q, on=["login", "work_queue"], how="left").merge(k, on=["login", "encounter_key"], how="left")
    s = s[s["q"].isna() & s["k"].isna()].assign(queue=lambda f: f["work_queue"].fillna("(none)"))
    emit(s, ["login", "queue", "day"], "out_of_assignment")
    # local PHI
    vdi = contracts[contracts["requires_vdi"]][["vendor"]]
    m = ev[ev["event"].isin(("export", "print", "download"))].merge(lv, on="login").merge(vdi, on="vendor")
    emit(m, ["login", "event", "day"], "local_phi")
    # concurrent sessions
    ss = ev.groupby(["login", "session_id"], sort=False).agg(
        started=("occurred_at", "min"), ended=("occurred_at", "max"), device=("device_id", "min"),
        country=("country", "min"), n=("event_id", "size")).reset_index()
    pairs = ss.merge(ss, on="login", suffixes=("_a", "_b"))
    pairs = pairs[(pairs["session_id_a"] < pairs["session_id_b"]) & (pairs["started_a"] <= pairs["ended_b"])
                  & (pairs["started_b"] <= pairs["ended_a"])]
    pairs = pairs[(pairs["device_a"] != pairs["device_b"]) | (pairs["country_a"].notna() & pairs["country_b"].notna()
                                                             & (pairs["country_a"] != pairs["country_b"]))]
    for row in pairs.itertuples():
        keys.append(("concurrent_sessions", row.login, max(row.started_a, row.started_b).tz_convert("UTC").isoformat(),
                     int(row.n_a + row.n_b)))
    # impossible travel
    loc = ev[ev["latitude"].notna()].assign(lat=lambda f: f["latitude"].round(2), lon=lambda f: f["longitude"].round(2))
    st = loc.groupby(["login", "session_id", "lat", "lon"], sort=False).agg(
        started=("occurred_at", "min"), ended=("occurred_at", "max"), first=("event_id", "first")).reset_index()
    st = st.sort_values(["login", "started", "first"])
    prev = st.groupby("login")[["lat", "lon", "ended"]].shift()
    rad = np.pi / 180
    h = (np.sin((st["lat"] - prev["lat"]) * rad / 2) ** 2 + np.cos(prev["lat"] * rad) * np.cos(st["lat"] * rad)
         * np.sin((st["lon"] - prev["lon"]) * rad / 2) ** 2)
    km = 2 * 6371.0088 * np.arcsin(np.minimum(np.sqrt(h), 1.0))
    prev_sec = prev["ended"].astype("int64") // 1_000_000
    seconds = np.maximum(st["started"].astype("int64") // 1_000_000 - prev_sec, 1)
    kmh = km / (seconds / 3600)
    fast = st[(km >= settings.min_travel_km) & (kmh > settings.max_speed_kmh)].assign(
        day=lambda f: f["started"].astype("int64") // 86_400_000_000, p_ended=prev["ended"])
    g = fast.groupby(["login", "day"]).agg(start=("p_ended", "min"), n=("started", "size")).reset_index()
    for row in g.itertuples():
        keys.append(("impossible_travel", row.login, pd.Timestamp(row.start).tz_convert("UTC").isoformat(), int(row.n * 2)))
    # off hours
    r = roster
    lo, hi = ev["occurred_at"].min(), ev["occurred_at"].max()
    offsets = inputs.tz_offsets(r["timezone"].unique().tolist(), lo, hi).to_pandas()
    known = ev[ev["login"].isin(r["login"])].assign(slot=lambda f: f["sec"] // 900)
    slots = known.groupby(["login", "slot"], sort=False).size().rename("n").reset_index()
    p = slots.merge(r, on="login").assign(epoch_hour=lambda f: f["slot"] // 4).merge(offsets, on=["timezone", "epoch_hour"])
    local = p["slot"] * 15 + p["offset_min"]
    minute, weekday = local % 1440, ((local // 1440) + 3) % 7
    workday = (p["workday_mask"] // (2 ** weekday)) % 2 == 1
    s0, e0 = p["hours_start_min"] - settings.off_hours_grace_min, p["hours_end_min"] + settings.off_hours_grace_min
    inh = np.where(s0 <= e0, (minute >= s0) & (minute < e0), (minute >= s0) | (minute < e0))
    p = p.assign(ok=(workday & inh).astype(int))
    verdict = p.groupby(["login", "slot"], sort=False)["ok"].max().reset_index()
    off = known.merge(verdict[verdict["ok"] == 0][["login", "slot"]], on=["login", "slot"])
    g = off.groupby(["login", "day"]).agg(start=("occurred_at", "min"), n=("event_id", "size")).reset_index()
    for row in g[g["n"] >= settings.off_hours_min_events].itertuples():
        keys.append(("off_hours", row.login, row.start.tz_convert("UTC").isoformat(), int(row.n)))
    # roster
    emit(ev[~ev["login"].isin(r["login"])], ["login"], "not_on_roster")
    spans = r.groupby(["login", "vendor"]).agg(first_day=("start_date", "min"), last_day=("end_date", "max"),
                                               open_=("end_date", lambda x: x.isna().any())).reset_index()
    spans.loc[spans["open_"], "last_day"] = None
    j = ev.merge(spans, on="login")
    epoch = pd.Timestamp("1970-01-01")
    last = (pd.to_datetime(j["last_day"]) - epoch).dt.days
    first = (pd.to_datetime(j["first_day"]) - epoch).dt.days
    j = j.assign(which=np.where(j["day"] > last, "after", np.where(j["day"] < first, "before", "")))
    emit(j[j["which"] != ""], ["login", "which"], "outside_roster_dates")
    return sorted(keys)


def pandas_profile(ev: pd.DataFrame) -> pd.DataFrame:
    sec = ev["occurred_at"].astype("int64") // 1_000_000
    e = ev.assign(sec=sec, day=sec // 86400, hour=(sec % 86400) / 3600.0)
    sess = e.groupby(["login", "session_id"], sort=False).agg(day=("day", "min"), a=("sec", "min"), b=("sec", "max"))
    sess["minutes"] = (sess["b"] - sess["a"]) / 60.0
    sd = sess.groupby(["login", "day"]).agg(active_minutes=("minutes", "sum"), session_minutes=("minutes", "mean"),
                                            sessions=("minutes", "size"))
    angle = e["hour"] * (2 * np.pi / 24)
    e = e.assign(s=np.sin(angle), c=np.cos(angle), fail=(e["outcome"] == "failure").astype(float),
                 typed=e["encounter_type"].notna().astype(int),
                 **{f"share_{k}": (e["encounter_type"] == k).astype(float) for k in ("inpatient", "outpatient", "ed", "profee")})
    daily = e.groupby(["login", "day"]).agg(
        events=("event_id", "size"), charts=("encounter_key", "nunique"), hour_sin=("s", "mean"), hour_cos=("c", "mean"),
        failure_share=("fail", "mean"), typed=("typed", "sum"), share_inpatient=("share_inpatient", "sum"),
        share_outpatient=("share_outpatient", "sum"), share_ed=("share_ed", "sum"), share_profee=("share_profee", "sum"))
    return daily.join(sd).reset_index()


def pandas_places(ev: pd.DataFrame) -> pd.DataFrame:
    sec = ev["occurred_at"].astype("int64") // 1_000_000
    net = ev["country"].fillna("?") + "/" + ev["client_ip"].str.extract(r"^(\d+\.\d+\.\d+)\.", expand=False)
    e = ev.assign(day=sec // 86400, network=net)
    return e.groupby(["login", "day", "device_id", "network"]).size().rename("n").reset_index()


def run_pandas(directory: Path, paths: list[str]) -> dict:
    from codingwatch.provenance import inputs, takeover

    started = time.perf_counter()
    ev = pd.concat([pq.read_table(p).to_pandas() for p in paths], ignore_index=True)
    ev["occurred_at"] = ev["occurred_at"].astype("datetime64[us, UTC]")
    roster = pq.read_table(directory / "roster.parquet").to_pandas()
    contracts = pq.read_table(directory / "contracts.parquet").to_pandas()
    assignments = pq.read_table(directory / "assignments.parquet").to_pandas()
    settings = inputs.Settings()
    keys = pandas_rules(ev, roster, contracts, assignments, settings)
    rules_s = time.perf_counter() - started
    t1 = time.perf_counter()
    sig = takeover.signals(pandas_profile(ev), pandas_places(ev), baseline_days=settings.baseline_days)
    calibration = takeover.calibrate(sig, settings)
    findings = takeover.detect_frame(sig, penalty=calibration.penalty, settings=settings)
    return {"seconds": time.perf_counter() - started, "rules_seconds": rules_s,
            "takeover_seconds": time.perf_counter() - t1, "alert_keys": keys,
            "takeover_logins": sorted({f.login for f in findings})}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--child":
        child(Path(argv[1]), json.loads(Path(argv[2]).read_text()), Path(argv[3]))
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000_000)
    parser.add_argument("--slice", type=int, default=5_000_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-provenance-") as tmp:
        directory = Path(tmp)
        t0 = time.perf_counter()
        world = make_world(args.events, directory)
        generate_s = time.perf_counter() - t0
        write_inputs(world, directory)
        total = sum(world["rows"])
        print(f"generated {total} events in {generate_s:.1f} s", flush=True)
        # the slice: whole files from the start (whole logins' years), about --slice events
        cumulative = np.cumsum(world["rows"])
        n_files = max(1, int(np.searchsorted(cumulative, args.slice * 1.01, side="right")))
        slice_paths = world["paths"][:n_files]
        slice_events = int(cumulative[n_files - 1])
        duck_slice = in_child(directory, slice_paths)
        print(f"DuckDB slice: {duck_slice['seconds']:.1f} s", flush=True)
        panda = run_pandas(directory, slice_paths)
        print(f"pandas slice: {panda['seconds']:.1f} s", flush=True)
        same_alerts = duck_slice["alert_keys"] == [list(k) for k in panda["alert_keys"]]
        full = in_child(directory, world["paths"])
        print(f"DuckDB full: {full['seconds']:.1f} s, peak {full['peak_rss_bytes'] / 2**30:.2f} GiB", flush=True)
        truth = world["truth"]
        takeovers = set(truth[truth.kind == "takeover"].login)
    summary = {
        "events": total,
        "coders": CODERS,
        "days": DAYS,
        "duckdb_seconds": round(full["seconds"], 1),
        "duckdb_rules_seconds": round(full["rules_seconds"], 1),
        "duckdb_takeover_seconds": round(full["takeover_seconds"], 1),
        "duckdb_peak_gib": round(full["peak_rss_bytes"] / 2**30, 2),
        "target_seconds": 120,
        "target_peak_gib": 8,
        "within_targets": full["seconds"] < 120 and full["peak_rss_bytes"] < 8 * 2**30,
        "slice_events": slice_events,
        "slice_duckdb_seconds": round(duck_slice["seconds"], 2),
        "slice_pandas_seconds": round(panda["seconds"], 2),
        "pandas_over_duckdb": round(panda["seconds"] / duck_slice["seconds"], 2),
        "slice_same_alerts": same_alerts,
        "takeovers_injected": len(takeovers),
        "takeovers_found": len(takeovers & set(full["takeover_logins"])),
        "generate_seconds": round(generate_s, 1),
    }
    out = {"summary": summary, "alerts_by_rule": full["alerts_by_rule"], "takeover_alerts": full["takeover_alerts"],
           "slice_alerts_by_rule_duckdb": duck_slice["alerts_by_rule"],
           "machine": {"cpus": os.cpu_count()}}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "provenance.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

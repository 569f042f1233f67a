"""`codingwatch ingest access` and `codingwatch provenance ...`: PHI access oversight."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import typer
from rich.table import Table

from codingwatch.commands.common import (
    FORMAT_OPTION,
    OutputFormat,
    UserError,
    console,
    err_console,
    ingest_app,
    print_json,
    progress,
)

app = typer.Typer(help="PHI access oversight: who touched the chart, from where, and how.", no_args_is_help=True)


@ingest_app.command("access")
def ingest_access(
    files: list[Path] = typer.Argument(..., help="access logs: layout CSV/Parquet, FHIR AuditEvent, Clarity extract"),
    ip_map: Path = typer.Option(None, "--ip-map", help="CSV of cidr,country[,latitude,longitude] ranges"),
    rejects_dir: Path = typer.Option(None, "--rejects-dir", help="where rejects files go (default var/rejects)"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Load PHI access events into the lake: whole file or nothing, each file once.

    The format is recognised from the content: the documented CSV/Parquet layout (occurred_at
    with an offset, login, event, session_id, client_ip, country, device_id, work_queue,
    encounter_id), FHIR R4 AuditEvent (JSON Bundle or NDJSON), or an Epic Clarity
    ACCESS_LOG-style extract (ACCESS_INSTANT, USER_ID, WORKSTATION_ID, PAT_ID, CSN,
    METRIC_ID/ACTION, AUDIT_SESSION_ID). A file with any bad line loads nothing; each bad line
    is listed (line, field, value, reason) in a rejects file. Encounter ids are stored only
    keyed (HMAC). Events without a country get one from --ip-map (never from the network).
    Exit code 1 when a file loaded nothing.

    Example: codingwatch ingest access var/synth/access.csv --ip-map var/synth/ip_map.csv
    """
    from codingwatch.ingest.access import ingest_access_file
    from codingwatch.ingest.ipmap import IpCountryMap, IpMapError
    from codingwatch.lake import open_lake

    mapping = None
    if ip_map is not None:
        if not ip_map.is_file():
            raise UserError(f"{ip_map}: no such IP map file")
        try:
            mapping = IpCountryMap.from_csv(ip_map)
        except IpMapError as exc:
            raise UserError(str(exc)) from None
    from codingwatch.commands.vocabulary import app_database

    app_database()  # the app's pages are warmed for the new load, when there is an app
    lake = open_lake()
    results = []
    with progress(quiet=output is OutputFormat.json) as bar:
        task = bar.add_task("ingest access", total=len(files) * 100)
        for done, path in enumerate(files):
            def tick(step: str, fraction: float, done=done, path=path) -> None:
                bar.update(task, completed=done * 100 + int(fraction * 100), description=f"{path.name}: {step}")

            results.append(ingest_access_file(path, lake=lake, ip_map=mapping, rejects_dir=rejects_dir, progress=tick))
            bar.update(task, completed=(done + 1) * 100)
    if output is OutputFormat.json:
        print_json({"files": [r.as_dict() for r in results],
                    "events_loaded": sum(r.events_loaded for r in results)})
    else:
        table = Table(title="ingest access")
        for column in ("file", "format", "status", "read", "loaded", "country from IP map", "bad lines"):
            table.add_column(column)
        for r in results:
            table.add_row(Path(r.file).name, r.source_format, r.status, str(r.events_read), str(r.events_loaded),
                          str(r.country_from_ip_map), str(len({x.line for x in r.rejects})))
        console.print(table)
        for r in results:
            (err_console if r.status == "rejected" else console).print(r.message, highlight=False)
            for x in r.rejects[:10]:
                err_console.print(f"  line {x.line}: {x.field} {x.value!r}: {x.reason}", highlight=False)
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(1)


def _read_table(path: Path, what: str):
    import pandas as pd

    if not path.is_file():
        raise UserError(f"{path}: no such {what} file")
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)


@app.command("check")
def check(
    roster: Path = typer.Option(..., "--roster", help="CSV: login, coder_id, vendor, country, region, latitude, "
                                "longitude, timezone, hours_start, hours_end, workdays, start_date, end_date"),
    contracts: Path = typer.Option(..., "--contracts", help="CSV: vendor, allowed_countries, requires_vdi"),
    assignments: Path = typer.Option(..., "--assignments", help="CSV: login, work_queue, encounter_key"),
    takeover: bool = typer.Option(True, "--takeover/--no-takeover", help="also look for logins used by someone else"),
    false_alarm_rate: float = typer.Option(None, "--false-alarm-rate",
                                           help="takeover alerts per login-month on shuffled history (default 0.01)"),
    max_speed: float = typer.Option(None, "--max-speed", help="impossible travel above this speed, km/h (default 900)"),
    min_distance: float = typer.Option(None, "--min-distance", help="ignore moves shorter than this, km (default 50)"),
    limit: int = typer.Option(50, "--limit", help="alerts to list in text output"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Run every provenance rule (and the takeover detector) over the access events in the lake.

    Rules: forbidden_country, out_of_assignment, local_phi (export/print/download under a
    VDI-only contract), concurrent_sessions, impossible_travel, off_hours (declared hours at
    every declared location, daylight saving included), not_on_roster, outside_roster_dates,
    and takeover (several habits of a login changing at once). Each alert names the rule,
    severity, login, vendor, time window and the event ids behind it.

    Example: codingwatch provenance check --roster roster.csv --contracts contracts.csv --assignments assignments.csv
    """
    from dataclasses import replace

    from codingwatch import provenance
    from codingwatch.lake import open_lake
    from codingwatch.provenance import inputs

    settings = inputs.Settings()
    changes = {k: v for k, v in (("false_alarm_rate", false_alarm_rate), ("max_speed_kmh", max_speed),
                                 ("min_travel_km", min_distance)) if v is not None}
    settings = replace(settings, **changes)
    try:
        roster_t = inputs.roster_table(_read_table(roster, "roster"))
        contracts_t = inputs.contracts_table(_read_table(contracts, "contracts"))
        assignments_t = inputs.assignments_table(_read_table(assignments, "assignments"))
    except (inputs.InputError, KeyError, ValueError) as exc:
        raise UserError(f"bad input table: {exc}") from None
    events = open_lake().connect().table("access_events")
    with progress(quiet=output is OutputFormat.json) as bar:
        task = bar.add_task("rules", total=100)

        def report(step: str, fraction: float) -> None:
            bar.update(task, completed=int(fraction * 100), description=step)

        outcome = provenance.scan(events, roster=roster_t, contracts=contracts_t, assignments=assignments_t,
                                  settings=settings, takeover=takeover, charts=output is OutputFormat.json,
                                  report=report)
        bar.update(task, completed=100)
    total, found, calibration, by_rule = outcome.events, outcome.alerts, outcome.calibration, outcome.by_rule
    if output is OutputFormat.json:
        print_json({
            "events": total,
            "alerts_by_rule": by_rule,
            "takeover_calibration": None if calibration is None else {
                "penalty": calibration.penalty, "false_alarm_rate": calibration.false_alarm_rate,
                "achieved_rate": calibration.achieved_rate,
                "expected_alerts_per_1000_logins_month": calibration.expected_alerts_per_1000_logins_month},
            "alerts": [{"rule": a.rule, "severity": a.severity, "login": a.login, "vendor": a.vendor,
                        "window_start": a.window_start.isoformat(), "window_end": a.window_end.isoformat(),
                        "event_count": a.event_count, "evidence": list(a.evidence), "detail": a.detail,
                        "charts": a.charts} for a in found],
        })
        return
    console.print(f"read {total} access event(s); {len(found)} alert(s)")
    table = Table(title="alerts by rule")
    table.add_column("rule")
    table.add_column("alerts", justify="right")
    for rule, n in sorted(by_rule.items()):
        table.add_row(rule, str(n))
    console.print(table)
    if calibration is not None:
        console.print(f"takeover: false-alarm rate set to {calibration.false_alarm_rate:.3f} per login-month, "
                      f"i.e. at most {1000 * calibration.false_alarm_rate:.0f} false alerts per 1,000 logins per "
                      f"month; {calibration.expected_alerts_per_1000_logins_month:.1f} on this history shuffled "
                      f"(penalty {calibration.penalty:.1f})", highlight=False, soft_wrap=True)
    order = {"high": 0, "medium": 1, "low": 2}
    for a in sorted(found, key=lambda a: (order[a.severity], a.window_start))[:limit]:
        console.print(f"{a.severity:<6} {a.rule:<20} {a.login:<10} {a.vendor or '-':<10} "
                      f"{a.window_start:%Y-%m-%d %H:%M}..{a.window_end:%Y-%m-%d %H:%M} "
                      f"{a.event_count:>5} ev  {a.detail}", highlight=False, soft_wrap=True)
    if len(found) > limit:
        console.print(f"... {len(found) - limit} more (--limit, or --format json for all with evidence)")


@app.command("synth")
def synth(
    directory: Path = typer.Argument(..., help="folder to write the synthetic files into"),
    coders: int = typer.Option(40, "--coders"),
    days: int = typer.Option(120, "--days"),
    seed: int = typer.Option(1, "--seed"),
    start: str = typer.Option("2026-02-02", "--start", help="first day (YYYY-MM-DD)"),
) -> None:
    """Write a synthetic access-log world with known incidents: access.csv (the ingest layout),
    ip_map.csv, roster.csv, contracts.csv, assignments.csv and truth.csv (what was injected).

    Example: codingwatch provenance synth var/synth --coders 40 --days 120 --seed 1
    """
    import pandas as pd

    from codingwatch.synth import access_logs as al

    try:
        first = dt.date.fromisoformat(start)
    except ValueError:
        raise UserError(f"--start {start!r} is not YYYY-MM-DD") from None
    directory.mkdir(parents=True, exist_ok=True)
    world = al.example_world(coders, seed=seed, start=first, days=days)
    result = al.generate(world["roster"], world["contracts"], world["assignments"], seed=seed, start=first, days=days)
    events = result.event_table().to_pandas()
    layout = pd.DataFrame({
        "occurred_at": events["occurred_at"].map(lambda t: t.isoformat()),
        "login": events["login"], "event": events["event"], "session_id": events["session_id"],
        "client_ip": events["client_ip"],
        "country": events["country"].where(events["country_source"] == "event", ""),
        "device_id": events["device_id"], "work_queue": events["work_queue"].fillna(""),
        "encounter_id": events["encounter_key"].fillna(""), "encounter_type": events["encounter_type"].fillna(""),
    })
    layout.to_csv(directory / "access.csv", index=False)
    al.ip_map_rows().to_csv(directory / "ip_map.csv", index=False)
    al.roster_as_declared(world["roster"], result).drop(columns=["place"]).to_csv(directory / "roster.csv", index=False)
    world["contracts"].to_csv(directory / "contracts.csv", index=False)
    world["assignments"].to_csv(directory / "assignments.csv", index=False)
    result.truth.to_csv(directory / "truth.csv", index=False)
    console.print(f"wrote {len(layout)} events of {coders} coders over {days} days and "
                  f"{len(result.truth)} injected incident(s) to {directory}")
    console.print(json.dumps(result.truth.groupby("kind").size().to_dict()))


@app.command("scan")
def scan(
    takeover: bool = typer.Option(True, "--takeover/--no-takeover", help="also look for logins used by someone else"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Run the rules over the lake with the web app's roster and store the alerts for triage.

    Like `check`, but the roster, contracts (allowed countries, VDI required) and queue
    assignments come from the app's database, and every alert is stored in the app's alerts
    queue (/provenance/) once: running it again adds only new alerts. Alerts matching a
    suppression rule (a false positive fed back) are stored as suppressed.

    Example: codingwatch provenance scan
    """
    import os

    from codingwatch.commands.web import DEFAULT_SETTINGS

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()
    from codingwatch.web.provenance import services

    with progress(quiet=output is OutputFormat.json) as bar:
        task = bar.add_task("provenance scan", total=100)

        def report(step: str, fraction: float) -> None:
            bar.update(task, completed=int(fraction * 100), description=step)

        result = services.scan(takeover=takeover, started_by="codingwatch provenance scan", report=report)
    if output is OutputFormat.json:
        print_json(result.as_dict())
    else:
        console.print(result.describe(), highlight=False, soft_wrap=True)

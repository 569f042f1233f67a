"""The synthetic world's PHI access logs (`access_events.csv`, `access_ip_map.csv`, `access_truth.csv`).

The world's coders, as the roster declares them and as they really are, go through
`synth.access_logs.generate`: every coder works in policy (their queues, their declared hours,
the VDI) from where their person really works, so the split vendor's offshore people show up
as access from countries its contract does not allow; the takeover login changes hands on the
world's takeover date (the new person works from Manila on another device); a few coders reach
a queue outside their assignments, and a few export, print or download under a VDI-only contract.

The logs cover 14 weeks around the takeover (9 before, 5 after): enough history for the
takeover detector's 28-day baseline and a short, fast file. Events follow the ingest layout
(docs/provenance.md); work queues are named FACILITY/service_line/encounter_type, as the web
app names the queues it imports, and encounter ids are the chart numbers of the access world
(`e<number>`), not the world's encounter ids.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc

from codingwatch.synth.access_logs import PLACES, Injections, Noise, generate, ip_map_rows
from codingwatch.synth.roster import OPEN_END, day_to_date

# Where each region of the world puts its people, among the places of the access-log generator
# (each place has its own private network in the IP map).
REGION_PLACES = {
    "US-OH": "atlanta", "US-GA": "atlanta", "US-FL": "atlanta", "US-TX": "dallas", "US-MN": "chicago",
    "US-IL": "chicago", "US-AZ": "phoenix", "US-CO": "denver", "IN-KA": "bengaluru", "IN-TN": "chennai",
    "PH-00": "manila",
}
COUNTRY_PLACES = {"US": "chicago", "IN": "chennai", "PH": "manila"}
WEEKS_BEFORE, WEEKS_AFTER = 9, 5
EVENTS_PER_HOUR = 8.0
LAYOUT = ("occurred_at", "login", "event", "session_id", "client_ip", "country", "device_id", "work_queue",
          "encounter_id", "encounter_type", "outcome")


def place_of(location: str) -> str:
    return REGION_PLACES.get(location) or COUNTRY_PLACES.get(location[:2], "chicago")


def _hhmm(hours: float) -> str:
    minutes = int(round(hours * 60)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def access_inputs(world) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, dt.date, int]:
    """The generator's roster (where people really work), contracts and assignments, and the window."""
    params, roster = world.params, world.roster
    takeover_date = day_to_date(params, roster.takeover_day)
    start = takeover_date - dt.timedelta(weeks=WEEKS_BEFORE)
    start -= dt.timedelta(days=start.weekday())  # a Monday
    days = (takeover_date - start).days + 7 * WEEKS_AFTER
    window_first, window_last = (start - params.fiscal_year_start()).days, (start - params.fiscal_year_start()).days + days
    vendor_names = {v.key: v.name for v in params.vendors}
    first_person = {}
    for p in roster.persons:
        first_person.setdefault(p.login, p)  # the original person (the takeover's new one comes last)
    rows = []
    for lg in roster.logins:
        if lg.start_day > window_last or (lg.end_day != OPEN_END and lg.end_day < window_first):
            continue
        person = first_person[lg.index]
        place = place_of(person.true_location)
        _c, _r, lat, lon, _tz = PLACES[place]
        rows.append({"login": lg.login_id, "coder_id": lg.login_id, "vendor": vendor_names[lg.vendor],
                     "country": person.true_location[:2], "region": person.true_location[3:], "latitude": lat,
                     "longitude": lon, "timezone": person.timezone, "hours_start": _hhmm(person.shift_start),
                     "hours_end": _hhmm(person.shift_start + 8.5), "workdays": "mon-fri",
                     "start_date": day_to_date(params, lg.start_day), "end_date": day_to_date(params, lg.end_day),
                     "place": place})
    contracts = pd.DataFrame([{"vendor": v.name,
                               "allowed_countries": ",".join(sorted({loc[:2] for loc in v.declared_locations})),
                               "requires_vdi": v.delivery_model != "in-house"} for v in params.vendors])
    kept = {r["login"] for r in rows}
    assignments = pd.DataFrame([{"login": lg.login_id, "encounter_key": None,
                                 "work_queue": f"{q.facility}/{q.service_line}/{q.encounter_type}"}
                                for lg in roster.logins if lg.login_id in kept
                                for q in (roster.queues[i] for i in lg.queues)])
    return pd.DataFrame(rows), contracts, assignments, start, days


def write_access_logs(world, outdir: Path) -> list[str]:
    """Write the access logs of the world; returns the file names."""
    params, roster = world.params, world.roster
    people, contracts, assignments, start, days = access_inputs(world)
    takeover_login = roster.logins[roster.takeover_login].login_id
    newcomer = [p for p in roster.persons if p.login == roster.takeover_login and p.from_day == roster.takeover_day]
    takeover_place = place_of(newcomer[0].true_location) if newcomer else "manila"
    synth = generate(people, contracts, assignments, seed=params.seed, start=start, days=days,
                     events_per_hour=EVENTS_PER_HOUR,
                     injections=Injections(offshore=0, out_of_queue=2, local_phi=2, shared_login=0, takeover=0,
                                           off_hours=0, not_on_roster=0, after_end_date=0, vpn_moves=0),
                     noise=Noise(vpn_exit=0.0),
                     takeovers={takeover_login: (day_to_date(params, roster.takeover_day), takeover_place)})
    table = synth.event_table()
    table = table.sort_by([("occurred_at", "ascending"), ("event_id", "ascending")])
    occurred = [t.isoformat() for t in table["occurred_at"].to_pylist()]
    columns = {name: table[name].to_pylist() for name in LAYOUT if name in table.column_names}
    columns["occurred_at"] = occurred
    columns["encounter_id"] = table["encounter_key"].to_pylist()
    # half the events carry their country; the others leave it to the IP map, as real logs do
    from_map = pc.equal(table["country_source"], "ip_map").to_pylist()
    columns["country"] = [None if m else c for c, m in zip(columns["country"], from_map, strict=True)]
    with (outdir / "access_events.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(LAYOUT)
        w.writerows(zip(*(columns[name] for name in LAYOUT), strict=True))
    ip_map_rows().to_csv(outdir / "access_ip_map.csv", index=False, lineterminator="\n")
    # the split vendor's people working from a country its contract does not allow
    allowed = {r.vendor: set(r.allowed_countries.split(",")) for r in contracts.itertuples()}
    end = start + dt.timedelta(days=days)
    offshore = [{"kind": "offshore", "login": r.login,
                 "start": pd.Timestamp(max(start, r.start_date or start), tz="UTC"),
                 "end": pd.Timestamp(min(end, r.end_date + dt.timedelta(days=1) if r.end_date else end), tz="UTC"),
                 "primary_rule": "forbidden_country", "implied_rules": "forbidden_country"}
                for r in people.itertuples() if r.country not in allowed[r.vendor]]
    truth = pd.concat([synth.truth, pd.DataFrame(offshore)], ignore_index=True)
    if len(truth):
        truth["start"] = truth["start"].map(lambda t: t.isoformat())
        truth["end"] = truth["end"].map(lambda t: t.isoformat())
    truth.to_csv(outdir / "access_truth.csv", index=False, lineterminator="\n")
    return ["access_events.csv", "access_ip_map.csv", "access_truth.csv"]

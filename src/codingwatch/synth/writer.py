"""The world's files: code lines in the ingest layout (pyarrow CSV), the roster, world.json."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pacsv

from codingwatch.synth.encounters import DSTATUS_CODES, IP, POA, SYSTEMS, Encounters, Lines, Modifiers
from codingwatch.synth.errors import KINDS, InjectedErrors
from codingwatch.synth.params import WorldParams
from codingwatch.synth.roster import Roster, day_to_date
from codingwatch.vocabulary import ENCOUNTER_TYPES, SPECIALTIES

LINE_COLUMNS = (
    "encounter_id", "facility", "encounter_type", "specialty", "admit_date", "discharge_date", "service_date",
    "sex", "age", "discharge_status", "coder_id", "vendor", "received_at", "coded_at", "code_system", "code",
    "sequence", "poa", "modifiers", "units", "drg", "priority",
)
EPOCH = dt.date(1970, 1, 1)
PRIORITY_VALUES = ("standard", "complex", "urgent")


def chart_priorities(n: int) -> np.ndarray:
    """The coding priority of each of n charts (index into PRIORITY_VALUES): about 15% complex and
    10% urgent. Drawn from a multiplicative hash of the chart's index (Knuth's 2654435761) rather
    than the world's random stream, so adding it changed no other figure of the world."""
    u = (np.arange(n, dtype=np.uint64) * np.uint64(2654435761) % np.uint64(2**32)).astype(np.float64) / 2**32
    return np.where(u < 0.10, 2, np.where(u < 0.25, 1, 0)).astype(np.int8)


def encounter_ids(n: int) -> pa.Array:
    return pa.array([f"E{i:09d}" for i in range(1, n + 1)], pa.string())


class EncounterColumns:
    """Encounter-level columns built once and repeated onto each file's lines."""

    def __init__(self, params: WorldParams, enc: Encounters, roster: Roster) -> None:
        start = (params.fiscal_year_start() - EPOCH).days
        ip = enc.etype == IP
        day = enc.day.astype(np.int32) + start
        self.ids = encounter_ids(len(enc))
        facilities = [f.code for f in params.facilities]
        vendor_names = {v.key: v.name for v in params.vendors}
        login_ids = [lg.login_id for lg in roster.logins]
        login_vendor = [vendor_names[lg.vendor] for lg in roster.logins]

        def lookup(values: list[str], idx: np.ndarray) -> pa.Array:
            return pc.take(pa.array(values, pa.string()), pa.array(idx.astype(np.int32)))

        def stamp(seconds: np.ndarray) -> pa.Array:
            utc = (start * 86_400 + seconds).astype("datetime64[s]")
            return pc.strftime(pa.array(utc, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S+00:00")

        self.columns = {
            "encounter_id": self.ids,
            "facility": lookup(facilities, enc.fac),
            "encounter_type": lookup(list(ENCOUNTER_TYPES), enc.etype),
            "specialty": lookup(list(SPECIALTIES), enc.spec),
            "admit_date": pa.array(np.where(ip, day - enc.los, 0), pa.int32(), mask=~ip).cast(pa.date32()),
            "discharge_date": pa.array(np.where(ip, day, 0), pa.int32(), mask=~ip).cast(pa.date32()),
            "service_date": pa.array(np.where(ip, 0, day), pa.int32(), mask=ip).cast(pa.date32()),
            "sex": lookup(["M", "F"], enc.sex),
            "age": pa.array(enc.age.astype(np.int16)),
            "discharge_status": pc.take(pa.array(list(DSTATUS_CODES) + [None], pa.string()),
                                        pa.array(np.where(enc.dstatus >= 0, enc.dstatus, len(DSTATUS_CODES)).astype(np.int32))),
            "coder_id": lookup(login_ids, enc.login),
            "vendor": lookup(login_vendor, enc.login),
            "received_at": stamp(enc.received),
            "coded_at": stamp(enc.coded),
            "priority": lookup(list(PRIORITY_VALUES), chart_priorities(len(enc))),
        }


def line_table(cols: EncounterColumns, lines: Lines, codes: list[str], mods: Modifiers, drg: np.ndarray) -> pa.Table:
    take = pa.array(lines.enc.astype(np.int32))
    out = {name: pc.take(cols.columns[name], take) for name in LINE_COLUMNS[:14]}
    out["code_system"] = pc.take(pa.array(list(SYSTEMS)), pa.array(lines.system.astype(np.int32)))
    out["code"] = pc.take(pa.array(codes, pa.string()), pa.array(lines.code))
    out["sequence"] = pa.array(_sequence(lines).astype(np.int16))
    out["poa"] = pc.take(pa.array(list(POA)), pa.array(lines.poa.astype(np.int32)))
    out["modifiers"] = pc.take(pa.array(mods.values, pa.string()), pa.array(lines.mod))
    out["units"] = pa.array(lines.units.astype(np.int32))
    line_drg = drg[lines.enc]
    out["drg"] = pa.array(line_drg.astype(np.int16), mask=line_drg < 0)
    out["priority"] = pc.take(cols.columns["priority"], take)
    return pa.table(out)


def _sequence(lines: Lines) -> np.ndarray:
    """1-based position of each line within its encounter's code system (lines are in order)."""
    group = lines.enc.astype(np.int64) * 4 + lines.system
    order = np.lexsort((np.arange(len(group)), group))
    g = group[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    rank = np.arange(len(g)) - np.repeat(start, np.diff(np.r_[start, len(g)]))
    out = np.empty(len(g), np.int64)
    out[order] = rank + 1
    return out


def write_csv(table: pa.Table, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    pacsv.write_csv(table, tmp, write_options=pacsv.WriteOptions(quoting_style="none"))
    tmp.replace(path)


def errors_table(cols: EncounterColumns, errors: InjectedErrors) -> pa.Table:
    take = pa.array(errors.enc.astype(np.int32))
    return pa.table({
        "encounter_id": pc.take(cols.ids, take),
        "coder_id": pc.take(cols.columns["coder_id"], take),
        "vendor": pc.take(cols.columns["vendor"], take),
        "kind": pc.take(pa.array(list(KINDS)), pa.array(errors.kind.astype(np.int32))),
        "code_system": pa.array(errors.system.tolist(), pa.string()),
        "coded": pa.array(errors.coded.tolist(), pa.string()),
        "audited": pa.array(errors.audited.tolist(), pa.string()),
    })


def _write_rows(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        w = csv.writer(handle, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _date(params: WorldParams, day: int) -> str:
    d = day_to_date(params, day)
    return d.isoformat() if d else ""


def write_roster(outdir: Path, params: WorldParams, roster: Roster) -> list[str]:
    """The roster as the client is told it. Columns carry both the plain names (name,
    declared_locations, declared_location, queue, start_date, end_date) and the names
    `codingwatch manage import_roster` reads (code, work_locations, location, the queue's
    facility/service_line/encounter_type, from_date, to_date), so the folder imports as is.
    A vendor's `code` is the value of the `vendor` column in encounters.csv."""
    vendor_names = {v.key: v.name for v in params.vendors}
    _write_rows(outdir / "facilities.csv", ["code", "name", "state", "timezone", "beds"],
                [[f.code, f.name, f.state, f.timezone, f.beds] for f in params.facilities])
    _write_rows(outdir / "vendors.csv", ["code", "name", "delivery_model", "declared_locations", "work_locations"],
                [[v.name, v.name, v.delivery_model, ";".join(v.declared_locations), ";".join(v.declared_locations)]
                 for v in params.vendors])
    _write_rows(outdir / "coders.csv",
                ["login_id", "vendor", "credentials", "specialties", "declared_location", "location", "start_date",
                 "end_date"],
                [[lg.login_id, vendor_names[lg.vendor], ";".join(lg.credentials), ";".join(lg.specialties),
                  lg.declared_location, lg.declared_location, _date(params, lg.start_day), _date(params, lg.end_day)]
                 for lg in roster.logins])
    _write_rows(outdir / "work_queues.csv", ["code", "facility", "service_line", "encounter_type"],
                [[q.code, q.facility, q.service_line, q.encounter_type] for q in roster.queues])
    rows = []
    for lg in roster.logins:
        for qi in lg.queues:
            q = roster.queues[qi]
            start, end = _date(params, lg.start_day), _date(params, lg.end_day)
            rows.append([lg.login_id, q.code, q.facility, q.service_line, q.encounter_type, start, end, start, end])
    _write_rows(outdir / "queue_assignments.csv",
                ["login_id", "queue", "facility", "service_line", "encounter_type", "start_date", "end_date",
                 "from_date", "to_date"], rows)
    return ["facilities.csv", "vendors.csv", "coders.csv", "work_queues.csv", "queue_assignments.csv"]


def write_world_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")

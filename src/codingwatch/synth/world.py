"""Build and write a synthetic health system with known ground truth.

`generate_world(params, outdir)` runs the steps in order (roster, encounters, true code
lines, error injection, coding times, DRG grouping, files) from one seeded random
generator, so the same parameters give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from codingwatch.codesets import Grouper, drg_weight
from codingwatch.synth.access_world import write_access_logs
from codingwatch.synth.catalog import build_catalog
from codingwatch.synth.claims import write_claims
from codingwatch.synth.diligence_world import write_diligence_file
from codingwatch.synth.encounters import (
    IP,
    Encounters,
    Lines,
    Modifiers,
    generate_encounters,
    generate_true_lines,
)
from codingwatch.synth.errors import KINDS, InjectedErrors, inject_errors
from codingwatch.synth.grouping import group_inpatient
from codingwatch.synth.params import WorldParams
from codingwatch.synth.roster import Roster, build_roster, day_to_date
from codingwatch.synth.schedule import schedule_coding
from codingwatch.synth.scorecard_world import write_scorecard_files
from codingwatch.synth.timezones import OffsetTable
from codingwatch.synth.writer import (
    EncounterColumns,
    errors_table,
    line_table,
    write_csv,
    write_roster,
    write_world_json,
)
from codingwatch.vocabulary import ENCOUNTER_TYPES

# start(description, total) -> advance(n): how a caller shows progress; the default shows none.
Reporter = Callable[[str, int | None], Callable[[int], None]]


def _silent(description: str, total: int | None) -> Callable[[int], None]:
    return lambda n: None


@dataclass
class World:
    params: WorldParams
    roster: Roster
    encounters: Encounters
    truth: Lines
    coded: Lines
    errors: InjectedErrors
    drg_coded: np.ndarray
    drg_audited: np.ndarray
    codes: list[str]
    modifiers: Modifiers


def build_world(params: WorldParams, report: Reporter = _silent) -> World:
    if params.encounters < 1:
        raise ValueError("a world needs at least one encounter")
    rng = np.random.default_rng(params.seed)
    catalog = build_catalog(params.year)
    mods = Modifiers()
    zones = [f.timezone for f in params.facilities] + [loc[1] for v in params.vendors for loc in v.true_locations]
    zones.append(params.takeover.new_location[1])
    tz = OffsetTable(params.fiscal_year_start(), zones)

    advance = report("roster and encounters", None)
    roster = build_roster(params, rng)
    enc = generate_encounters(params, roster, rng, tz)
    advance(1)
    advance = report("true code lines", None)
    truth = generate_true_lines(enc, catalog, mods, rng)
    advance(1)
    advance = report("error injection", None)
    coded, errors = inject_errors(enc, truth, catalog, mods, roster, rng)
    advance(1)
    enc.coded = schedule_coding(params, enc, roster, tz, rng)

    # Group the audited version of every stay; regroup the coded version only where a
    # diagnosis, POA or procedure differs (line errors on services never move a DRG).
    n_ip = int((enc.etype == IP).sum())
    touched = np.zeros(len(enc), bool)
    dx_or_px = np.isin(errors.kind, [KINDS.index(k) for k in KINDS if k.startswith(("dx_", "principal", "sequencing", "poa", "procedure"))])
    touched[errors.enc[dx_or_px]] = True
    n_touched = int((touched & (enc.etype == IP)).sum())
    advance = report("MS-DRG grouping (CMS grouper)", n_ip + n_touched)
    with Grouper() as grouper:
        drg_audited = group_inpatient(params, enc, truth, catalog.codes, grouper, advance=advance)
        regrouped = group_inpatient(params, enc, coded, catalog.codes, grouper, only=touched, advance=advance)
    drg_coded = np.where(touched & (enc.etype == IP), regrouped, drg_audited).astype(np.int16)
    return World(params, roster, enc, truth, coded, errors, drg_coded, drg_audited, catalog.codes, mods)


def write_world(world: World, outdir: Path, report: Reporter = _silent) -> dict:
    outdir.mkdir(parents=True, exist_ok=True)
    params = world.params
    cols = EncounterColumns(params, world.encounters, world.roster)
    files = []
    advance = report("writing encounters.csv, audited.csv, errors.csv", 3)
    write_csv(line_table(cols, world.coded, world.codes, world.modifiers, world.drg_coded), outdir / "encounters.csv")
    advance(1)
    write_csv(line_table(cols, world.truth, world.codes, world.modifiers, world.drg_audited), outdir / "audited.csv")
    advance(1)
    write_csv(errors_table(cols, world.errors), outdir / "errors.csv")
    advance(1)
    files += ["encounters.csv", "audited.csv", "errors.csv"]
    files += write_roster(outdir, params, world.roster)
    advance = report("writing claims (837) and remittances (835)", 1)
    claims = write_claims(world, outdir)
    advance(1)
    files += [*claims.claim_files, *claims.remit_files, "claims_truth.csv"]
    files += write_access_logs(world, outdir)
    files += write_scorecard_files(world, outdir)
    files += write_diligence_file(world, outdir)
    summary = world_summary(world)
    summary["counts"]["claims"] = claims.counts
    files.append("world.json")
    summary["files"] = files
    write_world_json(outdir / "world.json", summary)
    return summary


def generate_world(params: WorldParams, outdir: Path, report: Reporter = _silent) -> dict:
    """Build the world and write its files into `outdir`; returns what world.json holds."""
    return write_world(build_world(params, report), Path(outdir), report)


def world_summary(world: World) -> dict:
    params, roster, enc = world.params, world.roster, world.encounters
    vendor_names = {v.key: v.name for v in params.vendors}
    login_vendor = np.array([lg.vendor for lg in roster.logins])
    enc_vendor = login_vendor[enc.login]
    line_vendor = enc_vendor[world.truth.enc]
    err_vendor = enc_vendor[world.errors.enc]
    tk_login = roster.logins[roster.takeover_login]
    tk_persons = [p for p in roster.persons if p.login == tk_login.index]
    split = params.vendor(params.split_vendor)

    by_vendor = {}
    for v in params.vendors:
        sel = enc_vendor == v.key
        ip = sel & (enc.etype == IP)
        w_coded = _weights(world.drg_coded[ip], world.params.year)
        w_audit = _weights(world.drg_audited[ip], world.params.year)
        by_vendor[v.name] = {
            "encounters": int(sel.sum()),
            "encounters_by_type": {t: int((sel & (enc.etype == i)).sum()) for i, t in enumerate(ENCOUNTER_TYPES)},
            "audited_code_lines": int((line_vendor == v.key).sum()),
            "errors": int((err_vendor == v.key).sum()),
            "configured_error_rate": v.error_rate,
            "observed_error_rate": round(float((err_vendor == v.key).sum() / max(1, (line_vendor == v.key).sum())), 5),
            "drg_changed_up": _drg_moves(world, ip, +1),
            "drg_changed_down": _drg_moves(world, ip, -1),
            "cmi_coded": str(_mean(w_coded)),
            "cmi_audited": str(_mean(w_audit)),
        }
    return {
        "seed": params.seed,
        "parameters": params.to_json(),
        "fiscal_year": params.year,
        "period": [params.fiscal_year_start().isoformat(), params.fiscal_year_end().isoformat()],
        "counts": {
            "encounters": len(enc),
            "encounters_by_type": {t: int((enc.etype == i).sum()) for i, t in enumerate(ENCOUNTER_TYPES)},
            "coded_lines": len(world.coded),
            "audited_lines": len(world.truth),
            "errors": len(world.errors.enc),
            "errors_by_kind": {k: int((world.errors.kind == i).sum()) for i, k in enumerate(KINDS)},
            "logins": len(roster.logins),
            "work_queues": len(roster.queues),
            "by_vendor": by_vendor,
        },
        "error_rate_basis": "share of the auditor's (true) code lines that carry an error",
        "coders": [
            {
                "login_id": roster.logins[p.login].login_id,
                "vendor": vendor_names[roster.logins[p.login].vendor],
                "person": f"P{p.index:04d}",
                "true_location": p.true_location,
                "declared_location": roster.logins[p.login].declared_location,
                "timezone": p.timezone,
                "shift_start_local": p.shift_start,
                "true_error_rate": p.error_rate,
                "speed": p.speed,
                "from": day_to_date(params, max(p.from_day, roster.logins[p.login].start_day)),
                "to": day_to_date(params, min(p.to_day, roster.logins[p.login].end_day)),
                "encounters": int((enc.person == p.index).sum()),
            }
            for p in roster.persons
        ],
        "takeover": {
            "login_id": tk_login.login_id,
            "vendor": vendor_names[tk_login.vendor],
            "date": day_to_date(params, roster.takeover_day),
            "before": _person_truth(tk_persons[0]),
            "after": _person_truth(tk_persons[-1]),
            "volume_multiplier_after": tk_persons[-1].volume,
        },
        "split_vendor": {
            "name": split.name,
            "declared_delivery_model": split.delivery_model,
            "true_delivery_model": split.true_delivery_model,
            "declared_locations": list(split.declared_locations),
            "true_locations": _true_locations(world, params.split_vendor),
        },
    }


def _person_truth(p) -> dict:
    return {"person": f"P{p.index:04d}", "true_location": p.true_location, "timezone": p.timezone,
            "shift_start_local": p.shift_start, "true_error_rate": p.error_rate, "speed": p.speed}


def _true_locations(world: World, vkey: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in world.roster.persons:
        if world.roster.logins[p.login].vendor == vkey:
            out[p.true_location] = out.get(p.true_location, 0) + 1
    return dict(sorted(out.items()))


def _weights(drgs: np.ndarray, fiscal_year: int) -> list[Decimal]:
    return [w for w in (drg_weight(int(d), fiscal_year) for d in drgs) if w is not None]


def _mean(values: list[Decimal]) -> Decimal:
    if not values:
        return Decimal(0)
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.0001"))


def _drg_moves(world: World, ip: np.ndarray, direction: int) -> int:
    """Stays whose audited DRG weighs more (+1: under-coded) or less (-1: over-coded) than coded."""
    n = 0
    for c, a in zip(world.drg_coded[ip].tolist(), world.drg_audited[ip].tolist(), strict=True):
        if c == a:
            continue
        fy = world.params.year
        wc, wa = drg_weight(c, fy) or Decimal(0), drg_weight(a, fy) or Decimal(0)
        if (wa > wc and direction > 0) or (wa < wc and direction < 0):
            n += 1
    return n

"""Drawing an audit's sample: frame from the lake, RAT-STATS draw, as-coded records copied in.

The frame comes from `codingwatch.sampling.build_frame` (numbered by encounter key within
stratum) with the audit's whole scope (vendor, period, coders, specialties, encounter types). A
per-coder design is that frame stratified by coder, renumbered 1..N per coder in the same key
order. A scope that matches nothing is refused with the count left after each filter. The frame file and its sidecar are
written under $CODINGWATCH_VAR/audits/<audit id>/ and their SHA-256 kept on the audit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from codingwatch import config
from codingwatch.codesets import grouper_version
from codingwatch.lake import open_lake
from codingwatch.sampling.frames import (
    Frame,
    FrameError,
    build_frame,
    draw_sample,
    empty_frame_reason,
    write_frame,
)
from codingwatch.sampling.size import attribute_sample_size
from codingwatch.web.audits.models import DRAFT, Audit, AuditCase
from codingwatch.web.audits.services.events import WorkflowError, record_event
from codingwatch.web.audits.services.plan import plan_of


class DrawRefused(ValueError):
    """The sample cannot be drawn; the message says why."""


def _scoped_frame(audit: Audit, lake) -> Frame:
    strata = audit.strata_by if audit.design == "stratified" else None
    if audit.design == "stratified" and not strata:
        raise DrawRefused("a stratified design needs a stratification (specialty, encounter type or DRG band)")
    frame = build_frame(
        lake, date_from=audit.period_from, date_to=audit.period_to, vendor=audit.vendor.code,
        specialty=audit.specialties, encounter_type=audit.encounter_types, coders=audit.coders, strata=strata,
    )
    rows = list(frame.encounters)
    if audit.design == "per_coder":
        rows = [replace(r, stratum=r.coder_id or "(none)") for r in rows]
    rows.sort(key=lambda r: (r.stratum, r.encounter_key))
    numbered, counters = [], {}
    for row in rows:
        counters[row.stratum] = counters.get(row.stratum, 0) + 1
        numbered.append(replace(row, frame_number=counters[row.stratum]))
    meta = dict(frame.meta)
    meta["filters"] = dict(meta["filters"], coders=audit.coders, specialties=audit.specialties,
                           encounter_types=audit.encounter_types)
    meta["strata_by"] = "coder_id" if audit.design == "per_coder" else strata
    meta["strata"] = {name: {"low": 1, "high": size} for name, size in counters.items()}
    meta["encounters"] = len(numbered)
    return Frame(encounters=numbered, meta=meta)


def sample_sizes(audit: Audit, strata: dict[str, int]) -> dict[str, int]:
    """Per stratum: the fixed size, or the attribute sample size of the sampling engine, capped at N."""
    sizes = {}
    for name, universe in strata.items():
        if audit.size_rule == "attribute":
            n = attribute_sample_size(universe, float(audit.expected_error_rate), float(audit.desired_precision),
                                      audit.confidence).sample_size
        else:
            n = audit.sample_size
        sizes[name] = min(n, universe)
    return sizes


def _snapshot_records(lake, keys: list[str]) -> dict[str, dict]:
    """The as-coded record (latest load) of each key: encounter fields and code lines."""
    import ibis

    con = lake.connect()
    enc = con.table("encounters")
    enc = enc.filter([enc.encounter_key.isin(keys), enc.origin == "coded"])
    latest = ibis.row_number().over(group_by=enc.encounter_key, order_by=ibis.desc(enc.load_id))
    enc = enc.mutate(_latest=latest).filter(lambda t: t._latest == 0).drop("_latest")
    lines = con.table("code_lines")
    lines = lines.filter(lines.encounter_key.isin(keys))
    lines = lines.join(enc.select("encounter_key", "load_id"), ["encounter_key", "load_id"])
    records = {row["encounter_key"]: dict(row, lines=[]) for row in enc.to_pyarrow().to_pylist()}
    for line in lines.order_by(["encounter_key", "code_system", "sequence"]).to_pyarrow().to_pylist():
        records[line["encounter_key"]]["lines"].append({
            "code_system": line["code_system"],
            "code": line["code"],
            "sequence": int(line["sequence"]),
            "poa": line["poa"] or "",
            "modifiers": [m for m in (line["modifiers"] or "").replace(";", ",").split(",") if m],
            "units": str(Decimal(line["units"]).normalize()) if line["units"] is not None else "1",
        })
    return records


def draw(audit: Audit, user) -> int:
    """Draws the audit's sample and copies the sampled encounters in; returns the case count."""
    if audit.state != DRAFT:
        raise WorkflowError("the sample can only be drawn while the audit is a draft")
    if audit.drawn:
        raise DrawRefused("the sample is already drawn: a drawn sample is never redrawn")
    lake = open_lake()
    try:
        frame = _scoped_frame(audit, lake)
        if not frame.encounters:
            raise DrawRefused("no encounter in the lake matches the audit's scope; encounters left after each "
                              f"filter: {empty_frame_reason(frame)}")
        sizes = sample_sizes(audit, frame.strata)
        sample = draw_sample(frame, audit.seed, sizes)
    except FrameError as exc:
        raise DrawRefused(str(exc)) from None
    folder = config.var_dir() / "audits" / str(audit.pk)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "frame.csv"
    write_frame(frame, path)
    records = _snapshot_records(lake, sample.sample_keys)
    by_key = {(e.stratum, e.frame_number): e for e in frame.encounters}
    versions: set[int] = set()
    with transaction.atomic():
        # Under the audit row's lock: no other draw got there first, and the plan the frame was
        # built from is still the plan (an edit cannot slip in between; services/plan.py).
        current = Audit.objects.select_for_update().get(pk=audit.pk)
        if current.drawn:
            raise DrawRefused("the sample is already drawn: a drawn sample is never redrawn")
        if plan_of(current) != plan_of(audit):
            raise DrawRefused("the plan changed while the sample was being drawn: nothing was drawn; draw again")
        cases = []
        for number, chosen in enumerate((e for e in sample.encounters if e.kind == "sample"), start=1):
            record = records.get(chosen.encounter_key)
            if record is None:
                raise DrawRefused(f"encounter {chosen.encounter_key} vanished from the lake during the draw")
            day = _date_of_service(record)
            versions.add(grouper_version(day))
            cases.append(AuditCase(
                audit=audit, number=number, stratum=chosen.stratum, frame_number=chosen.frame_number,
                encounter_key=chosen.encounter_key, source_id_enc=record["source_id_enc"] or "",
                facility=record["facility"] or "", encounter_type=record["encounter_type"],
                specialty=record["specialty"], admit_date=record["admit_date"],
                discharge_date=record["discharge_date"], service_date=record["service_date"],
                sex=record["sex"] or "U", age=record["age"] or 0, discharge_status=record["discharge_status"],
                coder_id=record["coder_id"] or "", vendor_code=record["vendor"] or "",
                coded_lines=record["lines"], coded_drg=record["drg"], coded_weight=record["drg_weight"],
            ))
            assert by_key[(chosen.stratum, chosen.frame_number)].encounter_key == chosen.encounter_key
        AuditCase.objects.bulk_create(cases)
        audit.frame_file = str(path)
        audit.frame_sha256 = frame.meta["csv_sha256"]
        audit.frame_size = len(frame.encounters)
        audit.frame_strata = {name: [size, sizes[name]] for name, size in frame.strata.items()}
        audit.lake_snapshot = frame.meta["lake_snapshot"]
        audit.code_sets = {
            "MS-DRG grouper / MCE": ", ".join(f"v{v}" for v in sorted(versions)),
            "ICD-10-CM / PCS": "the release in force on each discharge or service date (CMS MCE)",
            "relative weights": "CMS FY2026 Final Rule Table 5",
        }
        audit.drawn_at = timezone.now()
        audit.save()
        record_event(audit, user, "draw_sample",
                     comment=f"seed {audit.seed}; {len(cases)} of {audit.frame_size} encounters; "
                             f"frame SHA-256 {audit.frame_sha256[:16]}; lake snapshot {audit.lake_snapshot}")
    return len(cases)


def _date_of_service(record: dict) -> dt.date:
    if record["encounter_type"] == "inpatient":
        return record["discharge_date"] or record["admit_date"] or record["service_date"]
    return record["service_date"] or record["admit_date"] or record["discharge_date"]

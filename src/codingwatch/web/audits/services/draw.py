"""Drawing an audit's sample: frame from the lake, RAT-STATS draw, as-coded records copied in.

The frame comes from `codingwatch.sampling.build_frame` (numbered by encounter key within
stratum) with the audit's whole scope (vendor, period, coders, specialties, encounter types),
used as it returns it; a per-coder design is the frame stratified by `coder_id` (numbered 1..N
per coder in the same key order). A scope that matches nothing is refused with the count left
after each filter. The sampled encounters' records come from `sampling.sampled_records` (the
load the frame saw). The frame file and its sidecar are written under
$CODINGWATCH_VAR/audits/<audit id>/ and their SHA-256 kept on the audit.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from codingwatch import config
from codingwatch.codesets import grouper_version
from codingwatch.errors import CodingwatchError
from codingwatch.lake import open_lake
from codingwatch.sampling.frames import (
    PER_CODER,
    Frame,
    FrameError,
    build_frame,
    draw_sample,
    empty_frame_reason,
    sampled_records,
    write_frame,
)
from codingwatch.sampling.size import attribute_sample_size
from codingwatch.web.audits.models import DRAFT, Audit, AuditCase
from codingwatch.web.audits.services.events import WorkflowError, record_event
from codingwatch.web.audits.services.plan import plan_of


class DrawRefused(CodingwatchError, ValueError):
    """The sample cannot be drawn; the message says why."""


def _scoped_frame(audit: Audit, con, snapshot: str) -> Frame:
    strata = audit.strata_by if audit.design == "stratified" else None
    if audit.design == "stratified" and not strata:
        raise DrawRefused("a stratified design needs a stratification (specialty, encounter type or DRG band)")
    if audit.design == "per_coder":
        strata = PER_CODER
    return build_frame(
        con.table("encounters"), loads=con.table("loads"), snapshot=snapshot,
        date_from=audit.period_from, date_to=audit.period_to, vendor=audit.vendor.code,
        specialty=audit.specialties, encounter_type=audit.encounter_types, coders=audit.coders, strata=strata,
    )


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


def draw(audit: Audit, user) -> int:
    """Draws the audit's sample and copies the sampled encounters in; returns the case count."""
    if audit.state != DRAFT:
        raise WorkflowError("the sample can only be drawn while the audit is a draft")
    if audit.drawn:
        raise DrawRefused("the sample is already drawn: a drawn sample is never redrawn")
    lake = open_lake()
    snapshot = lake.snapshot()
    con = lake.connect()
    try:
        frame = _scoped_frame(audit, con, snapshot)
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
    records = sampled_records(con.table("encounters"), con.table("code_lines"), sample.sample_keys,
                              loads=con.table("loads"))
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

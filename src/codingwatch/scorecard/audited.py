"""Audited charts for the scorecard from the audit engine's compared cases.

Each case becomes one `AuditedChart`: its codes audited and matched (diagnoses and
procedures together, code-over-code as `audit.scoring` counts them, only the findings the
method counts), whether the record is correct, whether its MS-DRG stood, its stratum and that
stratum's universe size in the audit's frame.
"""

from __future__ import annotations

from collections.abc import Iterable

from codingwatch.audit.model import CaseResult, FindingKind
from codingwatch.audit.scoring import Method
from codingwatch.scorecard.kpis import AuditedChart


def chart_of(result: CaseResult, method: Method = Method(), *, stratum: str = "all",
             stratum_universe: int | None = None, audit: str = "", encounter_key: str = "") -> AuditedChart:
    counted = [f for f in result.findings if method.counts(f)]
    dx_miss = sum(1 for f in counted if f.misses_audited_dx)
    px_miss = sum(1 for f in counted if f.misses_audited_px)
    audited = result.dx_audited + result.px_audited
    matched = max(0, result.dx_audited - dx_miss) + max(0, result.px_audited - px_miss)
    drg_unchanged = None
    if result.drg is not None:
        drg_unchanged = not any(f.kind in (FindingKind.drg_up, FindingKind.drg_down) for f in counted)
    e = result.encounter
    return AuditedChart(
        vendor=e.vendor, month=e.date_of_service.replace(day=1), codes_audited=audited, codes_matched=matched,
        record_correct=not counted, drg_unchanged=drg_unchanged, coder_id=e.coder_id, specialty=e.specialty,
        facility=e.facility, encounter_type=e.encounter_type, stratum=stratum or "all",
        stratum_universe=stratum_universe, audit=audit, encounter_key=encounter_key or e.encounter_id,
    )


def charts_of(results: Iterable[CaseResult], method: Method = Method(), **kwargs) -> list[AuditedChart]:
    return [chart_of(r, method, **kwargs) for r in results]


# ---- the audited-charts CSV (what `codingwatch synth` writes; docs/scorecard.md) ------------

AUDITED_COLUMNS = ("audit", "encounter_id", "vendor", "coder_id", "specialty", "facility", "encounter_type",
                   "date_of_service", "stratum", "stratum_universe", "codes_audited", "codes_matched",
                   "record_correct", "drg_unchanged")


class AuditedFileError(ValueError):
    """An audited-charts file that cannot be used; the message names file, line, field and reason."""


def read_audited_csv(path) -> list[AuditedChart]:
    """Audited charts from the documented CSV; every problem names file, line, field and reason."""
    import csv
    import datetime as dt
    from pathlib import Path

    path = Path(path)
    out = []
    try:
        handle = open(path, newline="", encoding="utf-8")
    except OSError as exc:
        raise AuditedFileError(f"{path}: cannot be read ({exc.strerror})") from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in AUDITED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise AuditedFileError(f"{path} line 1: missing column(s) {', '.join(missing)}")
        for number, raw in enumerate(reader, start=2):
            def bad(name, reason, raw=raw, number=number):
                return AuditedFileError(f"{path} line {number}, field {name} ({raw.get(name)!r}): {reason}")

            try:
                day = dt.date.fromisoformat(raw["date_of_service"])
            except (TypeError, ValueError):
                raise bad("date_of_service", "not a date (YYYY-MM-DD)") from None
            numbers = {}
            for name in ("codes_audited", "codes_matched"):
                try:
                    numbers[name] = int(raw[name])
                except (TypeError, ValueError):
                    raise bad(name, "not a whole number") from None
                if numbers[name] < 0:
                    raise bad(name, "cannot be negative")
            if numbers["codes_matched"] > numbers["codes_audited"]:
                raise bad("codes_matched", "more codes matched than audited")
            flags = {}
            for name in ("record_correct", "drg_unchanged"):
                text = (raw[name] or "").strip()
                if text not in ("0", "1", "") or (name == "record_correct" and not text):
                    raise bad(name, "must be 1 or 0" + (" or empty" if name == "drg_unchanged" else ""))
                flags[name] = None if not text else text == "1"
            universe = (raw["stratum_universe"] or "").strip()
            if universe and not universe.isdigit():
                raise bad("stratum_universe", "not a whole number (or empty when not known)")
            out.append(AuditedChart(
                vendor=raw["vendor"], month=day.replace(day=1), codes_audited=numbers["codes_audited"],
                codes_matched=numbers["codes_matched"], record_correct=flags["record_correct"],
                drg_unchanged=flags["drg_unchanged"], coder_id=raw["coder_id"], specialty=raw["specialty"],
                facility=raw["facility"], encounter_type=raw["encounter_type"], stratum=raw["stratum"] or "all",
                stratum_universe=int(universe) if universe else None, audit=raw["audit"],
                encounter_key=raw["encounter_id"]))
    return out

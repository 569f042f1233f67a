"""Sampling frames from the lake: the encounters an audit samples from, numbered 1..N.

Order: encounters are numbered within each stratum by `encounter_key` ascending. The key is an
HMAC of the source encounter id, so the order is stable (the same encounters always get the
same numbers) and carries no information about the encounters (not by date, coder or size),
which makes frame number order as good as a shuffle for a systematic look and impossible to
game. Unstratified frames have one stratum named "all".

A frame file is a CSV (one row per encounter: stratum, frame_number, encounter_key and the
columns an auditor needs) with a sidecar `<frame>.json` recording the lake snapshot it came
from, the filters, the order, the strata's frame ranges, the creation time and the CSV's
SHA-256. A frame plus a seed reproduces the sample anywhere: here with `draw_sample`, or in
RAT-STATS with single-stage random numbers over each stratum's frame 1..N.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from codingwatch.errors import CodingwatchError
from codingwatch.reports import format as fmt
from codingwatch.sampling.draws import DrawError, RandomDraw, random_numbers
from codingwatch.spreadsheet import csv_writer, restore
from codingwatch.vocabulary import name_key

STRATA_CHOICES = ("specialty", "encounter_type", "drg_band")
# A per-coder design: one stratum per coder, named by coder_id (NO_CODER for none).
PER_CODER, NO_CODER = "coder_id", "(none)"
# How a frame uses coding-related denials: keep only the encounters with one, leave them out,
# or put them in a stratum of their own (so an audit can sample them harder).
CODING_DENIAL_CHOICES = ("only", "exclude", "stratum")
CODING_DENIED, NOT_CODING_DENIED = "coding_denied", "no_coding_denial"
FRAME_COLUMNS = (
    "stratum", "frame_number", "encounter_key", "encounter_type", "specialty", "vendor",
    "facility", "coder_id", "frame_date", "drg", "drg_weight",
)
ORDER = "encounter_key ascending within stratum"
FRAME_FORMAT = 1

# DRG bands by CMS relative weight (Table 5), half-open ([1, 2) is "weight_1-2"): an audit often
# samples heavier DRGs harder. Names need no quoting in a shell (`--count weight_4+=20`).
DRG_BANDS = ((Decimal("1.0"), "weight_0-1"), (Decimal("2.0"), "weight_1-2"), (Decimal("4.0"), "weight_2-4"))
DRG_BAND_TOP = "weight_4+"
DRG_BAND_NONE = "no_drg"
# Grouped to a payable DRG, but the discharge's fiscal year has no CMS Table 5 weight for it: a
# stratum of its own, never banded with another year's weight.
DRG_BAND_WEIGHT_MISSING = "weight_missing"


class FrameError(CodingwatchError, ValueError):
    """The frame cannot be built, read or drawn from; the message says why."""


def _name_key_sql(column):
    """The ibis expression of `vocabulary.name_key`: lower case, every run of characters that are
    not letters or digits one `_`, none at the ends."""
    return column.strip().lower().re_replace(r"[^\pL\pN]+", "_").re_replace(r"^_+|_+$", "")


def drg_band(weight: Decimal | None, drg: int | None = None) -> str:
    if weight is None:
        return DRG_BAND_WEIGHT_MISSING if drg is not None and drg not in (998, 999) else DRG_BAND_NONE
    for top, name in DRG_BANDS:
        if weight < top:
            return name
    return DRG_BAND_TOP


@dataclass(frozen=True)
class FrameEncounter:
    stratum: str
    frame_number: int
    encounter_key: str
    encounter_type: str
    specialty: str
    vendor: str
    facility: str
    coder_id: str
    frame_date: str
    drg: str
    drg_weight: str


@dataclass
class Frame:
    encounters: list[FrameEncounter]
    meta: dict = field(default_factory=dict)

    @property
    def strata(self) -> dict[str, int]:
        """Stratum -> its frame size N (numbers 1..N)."""
        sizes: dict[str, int] = {}
        for row in self.encounters:
            sizes[row.stratum] = sizes.get(row.stratum, 0) + 1
        return sizes

    def lookup(self, stratum: str, frame_number: int) -> FrameEncounter:
        return self._index[(stratum, frame_number)]

    @property
    def _index(self) -> dict[tuple[str, int], FrameEncounter]:
        cached = getattr(self, "_cached_index", None)
        if cached is None:
            cached = {(r.stratum, r.frame_number): r for r in self.encounters}
            self._cached_index = cached
        return cached


def _names(value: str | Sequence[str] | None) -> list[str]:
    """A filter's names: none (no filter), one name, or several."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _names_text(names: list[str]) -> str:
    return names[0] if len(names) == 1 else " or ".join([", ".join(names[:-1]), names[-1]])


def build_frame(
    encounters,
    *,
    date_from: dt.date,
    date_to: dt.date,
    vendor: str | None = None,
    specialty: str | Sequence[str] | None = None,
    encounter_type: str | Sequence[str] | None = None,
    coders: Sequence[str] | None = None,
    strata: str | None = None,
    origin: str = "coded",
    coding_denials: str | None = None,
    coding_denied=None,
    loads=None,
    snapshot: str | None = None,
) -> Frame:
    """The encounters matching the filters, numbered 1..N per stratum (see the module doc).

    `encounters` is the lake's encounters as an ibis table, on any backend (the embedded
    DuckDB's `lake.connect().table("encounters")`, or `lake.tables_on(con)["encounters"]` on
    Spark or a warehouse). `loads` is the table of committed loads (`load_id`, `commit_order`;
    the lake's `loads` table): an encounter loaded more than once counts once, as of its latest
    load of this `origin` (the coded record; the same encounter billed in an 837 is another
    origin and neither hides nor replaces it). Without `loads`, later means a greater `load_id`
    (the lake's load ids sort in commit order). `snapshot` is recorded in the frame's sidecar
    (`lake.snapshot()`).

    The date is the discharge date for inpatient encounters and the service date for others;
    both ends are included. `specialty`, `encounter_type` and `coders` take one name or
    several (any of them matches); empty or None means every one.

    `strata` is one of STRATA_CHOICES, or `coder_id` for a per-coder design: one stratum per
    coder (`(none)` for encounters without one), each numbered 1..N in the same key order.

    `coding_denials` (one of CODING_DENIAL_CHOICES) needs `coding_denied`: a table with an
    `encounter_key` column, one row per encounter with a coding-related denial
    (`denials.coding_denial_keys`). With 'stratum', such encounters form the stratum
    `coding_denied` and the others `no_coding_denial` (joined to the --strata name with '+',
    e.g. `cardiology+coding_denied`).

    `meta["funnel"]` counts the encounters left after each filter in turn (in the lake, in the
    date range, the vendor, ...): `empty_frame_reason` turns it into the reason a frame is
    empty.
    """
    import ibis

    if coding_denials is not None:
        if coding_denials not in CODING_DENIAL_CHOICES:
            raise FrameError(f"coding denials must be one of {', '.join(CODING_DENIAL_CHOICES)} (got {coding_denials})")
        if coding_denied is None:
            raise FrameError("coding denials: no source of coding-related denials was given")
    if date_to < date_from:
        raise FrameError(f"--to {date_to} is before --from {date_from}")
    if strata is not None and strata not in (*STRATA_CHOICES, PER_CODER):
        raise FrameError(f"strata must be one of {', '.join(STRATA_CHOICES)} (got {strata})")
    specialties, encounter_types, coder_ids = _names(specialty), _names(encounter_type), _names(coders)
    # The origin first: the lake holds each encounter as coded and again as billed (837s load
    # origin 'billed' under the same key, later), and a frame samples the coded record. Then the
    # latest load of each encounter, then the filters: a later load that moved an encounter out
    # of the filters takes it out of the frame.
    others = encounters.filter(encounters.origin != origin)
    t = latest_loads(encounters.filter(encounters.origin == origin), loads)
    frame_date = ibis.ifelse(t.encounter_type == "inpatient", t.discharge_date, t.service_date)
    t = t.mutate(frame_date=frame_date)
    if coding_denials is not None:
        denied = coding_denied.select("encounter_key").distinct().mutate(_coding_denied=ibis.literal(True))
        t = t.left_join(denied, "encounter_key").drop("encounter_key_right")
        t = t.mutate(_coding_denied=t._coding_denied.fill_null(False))
    # (filter, label, condition), in the order the funnel reports them.
    steps = [("dates", f"dated {date_from.isoformat()} to {date_to.isoformat()}",
              (t.frame_date >= date_from) & (t.frame_date <= date_to))]
    if vendor is not None:
        steps.append(("vendor", f"vendor {vendor}", t.vendor == vendor))
    if specialties:
        # Matched as the organization's names are (vocabulary.name_key), so `hospital medicine`
        # finds the lake's `Hospital Medicine` whatever mapping named it at ingest.
        wanted = sorted({name_key(s) for s in specialties})
        steps.append(("specialty", f"specialty {_names_text(specialties)}", _name_key_sql(t.specialty).isin(wanted)))
    if encounter_types:
        steps.append(("encounter_type", f"encounter type {_names_text(encounter_types)}",
                      t.encounter_type.isin(encounter_types)))
    if coder_ids:
        steps.append(("coder", f"coder {_names_text(coder_ids)}", t.coder_id.isin(coder_ids)))
    if coding_denials is not None:
        if coding_denials == "only":
            steps.append(("coding_denials", "with a coding-related denial", t._coding_denied))
        elif coding_denials == "exclude":
            steps.append(("coding_denials", "without a coding-related denial", ~t._coding_denied))
    funnel = _funnel(t, others, origin, steps)
    _name_the_choices(t, steps, funnel)
    t = t.filter([condition for _, _, condition in steps])
    columns = ["encounter_key", "encounter_type", "specialty", "vendor", "facility", "coder_id",
               "frame_date", "drg", "drg_weight"]
    if coding_denials == "stratum":
        columns.append("_coding_denied")
    rows = _rows(t.select(*columns))

    def base_stratum(row: dict) -> str | None:
        if strata is None:
            return None
        if strata == "drg_band":
            return drg_band(row["drg_weight"], row["drg"])
        if strata == PER_CODER:
            return row["coder_id"] or NO_CODER
        return str(row[strata] or "")

    def stratum_of(row: dict) -> str:
        base = base_stratum(row)
        if coding_denials == "stratum":
            label = CODING_DENIED if row["_coding_denied"] else NOT_CODING_DENIED
            return label if base is None else f"{base}+{label}"
        return "all" if base is None else base

    rows.sort(key=lambda r: (stratum_of(r), r["encounter_key"]))
    numbered: list[FrameEncounter] = []
    counters: dict[str, int] = {}
    for row in rows:
        stratum = stratum_of(row)
        counters[stratum] = counters.get(stratum, 0) + 1
        numbered.append(
            FrameEncounter(
                stratum=stratum,
                frame_number=counters[stratum],
                encounter_key=row["encounter_key"],
                encounter_type=row["encounter_type"] or "",
                specialty=row["specialty"] or "",
                vendor=row["vendor"] or "",
                facility=row["facility"] or "",
                coder_id=row["coder_id"] or "",
                frame_date=row["frame_date"].isoformat() if row["frame_date"] else "",
                drg="" if row["drg"] is None else str(row["drg"]),
                drg_weight="" if row["drg_weight"] is None else str(row["drg_weight"]),
            )
        )
    meta = {
        "format": FRAME_FORMAT,
        "lake_snapshot": snapshot or "",
        "filters": {
            "vendor": vendor, "specialty": specialty, "encounter_type": encounter_type, "coders": coder_ids or None,
            "from": date_from.isoformat(), "to": date_to.isoformat(), "origin": origin,
            "coding_denials": coding_denials,
            "date": "discharge_date for inpatient, service_date otherwise",
        },
        "strata_by": strata,
        "order": ORDER,
        "strata": {name: {"low": 1, "high": size} for name, size in counters.items()},
        "encounters": len(numbered),
        "funnel": funnel,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return Frame(encounters=numbered, meta=meta)


def latest_loads(encounters, loads=None):
    """Each encounter's row of its latest load: by `loads.commit_order` (the lake's `loads`
    table), or without it by `load_id` (the lake's load ids sort in commit order)."""
    import ibis

    if loads is not None:
        t = encounters.join(loads.select("load_id", _load_rank=loads.commit_order), "load_id")
    else:
        t = encounters.mutate(_load_rank=encounters.load_id)
    latest = ibis.row_number().over(group_by=t.encounter_key, order_by=ibis.desc(t._load_rank))
    return t.mutate(_latest=latest).filter(lambda s: s._latest == 0).drop("_latest", "_load_rank")


def sampled_records(encounters, code_lines, keys: Sequence[str], *, loads=None, origin: str = "coded") -> dict[str, dict]:
    """The record of each sampled key as the frame saw it (its latest load of `origin`): the
    encounter's fields and its code lines (`lines`: code_system, code, sequence, poa,
    modifiers, units), for copying into an audit."""
    keys = list(keys)
    enc = latest_loads(encounters.filter(encounters.origin == origin), loads)
    enc = enc.filter(enc.encounter_key.isin(keys))
    lines = code_lines.filter(code_lines.encounter_key.isin(keys))
    lines = lines.join(enc.select("encounter_key", "load_id"), ["encounter_key", "load_id"])
    records = {row["encounter_key"]: dict(row, lines=[]) for row in _rows(enc)}
    for line in _rows(lines.order_by(["encounter_key", "code_system", "sequence"])):
        records[line["encounter_key"]]["lines"].append({
            "code_system": line["code_system"],
            "code": line["code"],
            "sequence": int(line["sequence"]),
            "poa": line["poa"] or "",
            "modifiers": [m for m in (line["modifiers"] or "").replace(";", ",").split(",") if m],
            "units": str(Decimal(line["units"]).normalize()) if line["units"] is not None else "1",
        })
    return records


def _rows(table) -> list[dict]:
    with warnings.catch_warnings():
        # ibis 12 calls DuckDB's deprecated fetch_arrow_table(); not ours to fix, not the user's news.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ibis\.backends\.duckdb")
        return table.to_pyarrow().to_pylist()


def _funnel(t, others, origin: str, steps: list) -> list[dict]:
    """Encounters left after each filter in turn (one pass over the lake), and the lake's
    encounters of other origins (claims as billed) that no frame of this origin counts."""
    sums = {"lake": t.count()}
    kept = None
    for name, _, condition in steps:
        kept = condition if kept is None else kept & condition
        sums[name] = kept.fill_null(False).cast("int64").sum().fill_null(0)
    counts = _rows(t.aggregate(**sums))[0]
    # only an empty lake (of this origin) needs to know what else it holds
    other = 0 if counts["lake"] else _rows(others.aggregate(n=others.encounter_key.nunique()))[0]["n"]
    funnel = [{"filter": "lake", "label": f"in the lake (as {origin})", "encounters": int(counts["lake"] or 0),
               "other_origins": int(other or 0)}]
    funnel += [{"filter": name, "label": label, "encounters": int(counts[name] or 0)} for name, label, _ in steps]
    return funnel


# The column behind each name filter, whose values a funnel names where the filter leaves none.
_FILTER_COLUMNS = {"vendor": "vendor", "specialty": "specialty", "encounter_type": "encounter_type",
                   "coder": "coder_id"}


def _name_the_choices(t, steps: list, funnel: list[dict], most: int = 12) -> None:
    """Where a name filter is the first to leave no encounter, the names it could have taken:
    the values of its column among the encounters the filters before it kept."""
    for index, step in enumerate(funnel[1:]):
        if step["encounters"]:
            continue
        column = _FILTER_COLUMNS.get(step["filter"])
        if column is not None and funnel[index]["encounters"]:
            kept = t.filter([condition for _, _, condition in steps[:index]]) if index else t
            # grouped rather than select().distinct(): ibis 12 compiles the latter on PySpark
            # into a DISTINCT over the filter's columns too, which repeats names.
            values = kept.aggregate(by=[kept[column].name("value")]).order_by("value").limit(most + 1)
            names = [row["value"] for row in _rows(values) if row["value"] is not None]
            step["present"] = names[:most]
            step["more_present"] = len(names) > most
        return


def empty_frame_reason(frame: Frame) -> str:
    """Why a frame holds nothing: the encounters left after each filter in turn, up to the
    first that leaves none (e.g. "in the lake (as coded): 20,000; dated 2026-01-01 to
    2026-03-31: 4,951; vendor acme: 0")."""
    funnel = frame.meta.get("funnel") or []
    parts = []
    for before, step in zip([None, *funnel], funnel, strict=False):
        parts.append(f"{step['label']}: {fmt.count(step['encounters'])}")
        if step.get("present"):
            names = ", ".join(step["present"]) + (", ..." if step.get("more_present") else "")
            parts[-1] += f" (the {fmt.count(before['encounters'])} before it have {step['filter'].replace('_', ' ')} {names})"
        if step["encounters"] == 0:
            break
    text = "; ".join(parts) or "no count was kept"
    lake = funnel[0] if funnel else {}
    if lake.get("encounters") == 0 and lake.get("other_origins"):
        text += (f" (the lake holds {fmt.count(lake['other_origins'])} encounters of another origin, such as claims as "
                 f"billed; a frame counts the coded encounters that `codingwatch ingest encounters` loads)")
    return text


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def write_frame(frame: Frame, path: Path) -> Path:
    """Write the frame CSV and its sidecar JSON (with the CSV's SHA-256); returns the sidecar."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle)  # a vendor or coder named "=..." stays text in a spreadsheet
        writer.writerow(FRAME_COLUMNS)
        for row in frame.encounters:
            writer.writerow([getattr(row, column) for column in FRAME_COLUMNS])
    digest = hashlib.sha256(temporary.read_bytes()).hexdigest()
    temporary.replace(path)
    meta = dict(frame.meta, csv_sha256=digest, csv_file=path.name)
    side = sidecar_path(path)
    side.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    frame.meta = meta
    return side


def read_frame(path: Path) -> Frame:
    """Read a frame file, checking it against its sidecar (unchanged, numbered 1..N per stratum)."""
    path = Path(path)
    if not path.is_file():
        raise FrameError(f"{path}: no such frame file")
    side = sidecar_path(path)
    meta: dict = {}
    if side.is_file():
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise FrameError(f"{side}: not valid JSON ({exc})") from None
        expected = meta.get("csv_sha256")
        if expected and hashlib.sha256(path.read_bytes()).hexdigest() != expected:
            raise FrameError(f"{path}: the file has changed since it was made (SHA-256 differs from {side.name})")
    encounters: list[FrameEncounter] = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("stratum", "frame_number", "encounter_key") if c not in (reader.fieldnames or [])]
        if missing:
            raise FrameError(f"{path}: line 1: missing column(s) {', '.join(missing)}")
        expected_next: dict[str, int] = {}
        for line, record in enumerate(reader, start=2):
            stratum = record["stratum"]
            try:
                number = int(record["frame_number"])
            except ValueError:
                raise FrameError(f"{path}: line {line}: frame_number {record['frame_number']!r} is not a whole number") from None
            want = expected_next.get(stratum, 1)
            if number != want:
                raise FrameError(f"{path}: line {line}: frame_number {number} in stratum {stratum!r}, expected {want}")
            expected_next[stratum] = want + 1
            encounters.append(FrameEncounter(**{c: restore(record.get(c, "") or "") for c in FRAME_COLUMNS}
                                             | {"frame_number": number}))
    return Frame(encounters=encounters, meta=meta)


@dataclass(frozen=True)
class SampledEncounter:
    stratum: str
    kind: str  # "sample" or "spare"
    order: int  # selection order within the stratum (spares continue after the sample)
    frame_number: int
    encounter_key: str


@dataclass(frozen=True)
class FrameSample:
    seed: str
    encounters: tuple[SampledEncounter, ...]
    draws: dict[str, RandomDraw]

    @property
    def sample_keys(self) -> list[str]:
        return [e.encounter_key for e in self.encounters if e.kind == "sample"]

    @property
    def spare_keys(self) -> list[str]:
        return [e.encounter_key for e in self.encounters if e.kind == "spare"]


def draw_sample(frame: Frame | Path | str, seed: str | float, n: int | dict[str, int], spares: int | dict[str, int] = 0) -> FrameSample:
    """Draw `n` encounters (and `spares`) from a frame with RAT-STATS' single-stage generator.

    For each stratum the values are frame numbers 1..N_h drawn with the seed; the stratum's
    sample is listed sorted by frame number, its spares after in selection order, exactly as
    RAT-STATS reports a draw over 1..N_h. `n` and `spares` are one number for an unstratified
    frame, or a mapping stratum -> number.
    """
    if not isinstance(frame, Frame):
        frame = read_frame(Path(frame))
    sizes = frame.strata
    if not sizes:
        raise FrameError("the frame holds no encounters")
    counts = n if isinstance(n, dict) else None
    if counts is None:
        if len(sizes) != 1:
            raise FrameError(f"the frame has {len(sizes)} strata: give a sample size per stratum")
        counts = {next(iter(sizes)): n}
    extra = spares if isinstance(spares, dict) else {name: spares for name in counts}
    unknown = sorted(set(counts) - set(sizes))
    if unknown:
        raise FrameError(f"no stratum named {', '.join(unknown)} in the frame (it has {', '.join(sizes)})")
    chosen: list[SampledEncounter] = []
    draws: dict[str, RandomDraw] = {}
    for stratum, count in counts.items():
        try:
            draw = random_numbers(seed, count, 1, sizes[stratum], extra.get(stratum, 0))
        except DrawError as exc:
            raise FrameError(f"stratum {stratum}: {exc}") from None
        draws[stratum] = draw
        for selection in draw.rows:
            encounter = frame.lookup(stratum, selection.value)
            chosen.append(SampledEncounter(stratum, selection.kind, selection.order, selection.value, encounter.encounter_key))
    return FrameSample(seed=str(seed), encounters=tuple(chosen), draws=draws)

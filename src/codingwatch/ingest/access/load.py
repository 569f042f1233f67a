"""Loading an access log: its format recognised from its content, read by that format's
parser, the country filled from the IP map, one lake commit (see ingest.contract)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from codingwatch.ingest import contract
from codingwatch.ingest.access import clarity, fhir, layout_csv, layout_parquet
from codingwatch.ingest.access.common import AccessIngestError
from codingwatch.ingest.contract import IngestResult, Problem, Progress
from codingwatch.ingest.ipmap import IpCountryMap
from codingwatch.lake import Lake
from codingwatch.lake.keys import source_keys
from codingwatch.lake.schema import ACCESS_EVENTS
from codingwatch.lake.store import new_load_id

KIND = "access"


@dataclass
class AccessResult(IngestResult):
    """An access log's result: the contract's, plus the format and the events."""

    kind: str = KIND
    source_format: str = ""
    events_read: int = 0
    events_loaded: int = 0
    country_from_ip_map: int = 0

    @property
    def rejects(self) -> list[Problem]:
        """The bad lines (the name this result had before the ingest contract)."""
        return self.problems

    def as_dict(self) -> dict:
        out = super().as_dict()
        out["rejects"], out["rejects_total"] = out["problems"], out["problems_total"]  # the names before
        return out


AccessFileResult = AccessResult  # the name before the ingest contract


def detect_format(path: Path) -> str:
    """'parquet', 'fhir', 'clarity' or 'csv', from the file's first bytes (not its name)."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head[:4] == b"PAR1":
        return "parquet"
    text = head.decode("utf-8-sig", errors="replace").lstrip()
    if text.startswith("{") or text.startswith("["):
        return "fhir"
    first = text.splitlines()[0] if text else ""
    names = {n.strip().strip('"').upper() for n in first.split(",")}
    if "ACCESS_INSTANT" in names:
        return "clarity"
    return "csv"


# One parser per format: (path, problems) -> the rows in the documented layout.
READERS: dict[str, Callable[[Path, list[Problem]], pd.DataFrame]] = {
    layout_csv.FORMAT: layout_csv.read_layout_csv,
    layout_parquet.FORMAT: layout_parquet.read_layout_parquet,
    fhir.FORMAT: fhir.read_fhir,
    clarity.FORMAT: clarity.read_clarity,
}

# ---- the load -----------------------------------------------------------------------------

def to_lake_table(frame: pd.DataFrame, *, sha256: str, load_id: str, source_format: str,
                  ip_map: IpCountryMap | None) -> tuple[pa.Table, int]:
    country = frame["country"].to_numpy(dtype=object, copy=True)
    source = np.where(country != "", "event", "").astype(object)
    lat = frame["latitude"].to_numpy(dtype=float, copy=True)
    lon = frame["longitude"].to_numpy(dtype=float, copy=True)
    from_map = 0
    if ip_map is not None:
        ips = frame["client_ip"].to_numpy(dtype=object)
        need = (country == "") & (ips != "")
        if need.any():
            unique = pd.unique(ips[need])
            places = dict(zip(unique, ip_map.lookup(list(unique)), strict=True))
            hits = pd.Series(ips[need]).map(places)
            found = hits.notna().to_numpy()
            idx = np.flatnonzero(need)[found]
            chosen = hits[found]
            country[idx] = [p.country for p in chosen]
            source[idx] = "ip_map"
            from_map = len(idx)
            no_place = np.isnan(lat[idx])
            lat[idx[no_place]] = [p.latitude if p.latitude is not None else np.nan for p in chosen[no_place]]
            lon[idx[no_place]] = [p.longitude if p.longitude is not None else np.nan for p in chosen[no_place]]
    country = pd.Series(country)
    encounter_ids = frame["encounter_id"].tolist()
    keys = source_keys([e for e in encounter_ids if e])
    it = iter(keys)
    encounter_keys = [next(it) if e else None for e in encounter_ids]
    prefix = sha256[:12]
    table = pa.table(
        {
            "event_id": [f"{prefix}:{int(n)}" for n in frame["line"]],
            "occurred_at": pa.array(frame["occurred_at"].dt.tz_convert("UTC").astype("datetime64[us, UTC]")),
            "login": frame["login"].tolist(),
            "event": frame["event"].tolist(),
            "session_id": frame["session_id"].tolist(),
            "client_ip": frame["client_ip"].tolist(),
            "country": [c or None for c in country.tolist()],
            "country_source": source.tolist(),
            "latitude": pa.array(lat, mask=np.isnan(lat)),
            "longitude": pa.array(lon, mask=np.isnan(lon)),
            "device_id": frame["device_id"].tolist(),
            "work_queue": [q or None for q in frame["work_queue"].tolist()],
            "encounter_key": encounter_keys,
            "encounter_type": [t or None for t in frame["encounter_type"].tolist()],
            "outcome": frame["outcome"].tolist(),
            "source_format": [source_format] * len(frame),
            "load_id": [load_id] * len(frame),
        },
        schema=ACCESS_EVENTS,
    )
    return table, from_map


def ingest_access_file(path: Path, *, lake: Lake, ip_map: IpCountryMap | None = None,
                       rejects_dir: Path | None = None, progress: Progress | None = None) -> AccessResult:
    path = Path(path)
    progress = progress or contract.no_progress
    result = AccessResult(file=str(path), kind=KIND)
    progress("hashing", 0.05)
    if not contract.start(result, path, lake):
        return result
    source_format = detect_format(path)
    result.source_format = source_format
    progress(f"reading {source_format}", 0.2)
    problems: list[Problem] = []
    try:
        frame = READERS[source_format](path, problems)
    except AccessIngestError as exc:
        return result.refuse(exc.problem(str(path)), message=f"{path.name}: {exc}; nothing loaded")
    result.events_read = len(frame) + sum(1 for p in problems if p.field in ("json", "resourceType"))
    if problems:
        return contract.reject(result, problems, rejects_dir=rejects_dir)
    if frame.empty:
        return result.refuse(Problem(file=str(path), reason="no access events in the file"),
                             message=f"{path.name}: no access events in the file; nothing loaded")
    progress("keying encounters", 0.5)
    load_id = new_load_id()
    table, from_map = to_lake_table(frame, sha256=result.sha256, load_id=load_id, source_format=source_format,
                                    ip_map=ip_map)
    progress("committing", 0.8)
    summary = {"source_format": source_format, "events": table.num_rows, "country_from_ip_map": from_map,
               "logins": int(frame["login"].nunique())}
    if contract.commit(result, lake, path, tables={"access_events": table}, summary=summary,
                       load_id=load_id) is None:
        return result  # another load of the same file committed first: skipped
    result.events_loaded = table.num_rows
    result.country_from_ip_map = from_map
    result.message = (f"{path.name}: loaded {table.num_rows} {source_format} event(s) of "
                      f"{summary['logins']} login(s); country from the IP map for {from_map}")
    progress("done", 1.0)
    return result

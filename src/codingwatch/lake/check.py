"""`codingwatch lake check`: find what is wrong with a lake, and repair what is safe to repair.

Problems (each names the file and, where there is one, the load and its source file):

- missing_file: a manifest names a Parquet file that is gone (readers refuse such a lake);
- unreadable_file: a named Parquet file whose footer cannot be read;
- row_count_mismatch: a named Parquet file holds another number of rows than its manifest says;
- unreadable_manifest: a manifest that is not valid JSON of a load;
- orphan_file: a file no manifest names (a load that crashed before its commit).

A repair removes orphan files and sets each load with a missing, unreadable or short file
(or an unreadable manifest) aside under `_quarantine/<load_id>/`: its manifest and whatever
files it still has are moved there, never deleted, so readers work again and its source file
can be loaded again (the same SHA-256 is no longer in the lake). Everything runs under the
lake's write lock, so no load is half-way through its commit while the lake is checked.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from codingwatch.lake.store import QUARANTINE_DIR, Lake, LakeError, _fsync

QUARANTINED_KINDS = ("missing_file", "unreadable_file", "row_count_mismatch", "unreadable_manifest")


@dataclass
class Problem:
    kind: str  # missing_file | unreadable_file | row_count_mismatch | unreadable_manifest | orphan_file
    path: str  # relative to the lake root
    detail: str
    load_id: str | None = None
    source_name: str | None = None
    table: str | None = None


@dataclass
class Repair:
    action: str  # removed | quarantined
    path: str  # the file removed, or the quarantine folder
    detail: str
    load_id: str | None = None
    source_name: str | None = None


@dataclass
class CheckReport:
    root: str
    loads: int = 0  # manifests read (before any repair)
    files: int = 0  # data files checked (before any repair)
    problems: list[Problem] = field(default_factory=list)  # found before any repair
    repairs: list[Repair] = field(default_factory=list)
    remaining: list[Problem] = field(default_factory=list)  # still there after the repair (or all, without one)

    @property
    def ok(self) -> bool:
        return not self.remaining

    def as_dict(self) -> dict:
        return {
            "root": self.root, "ok": self.ok, "loads": self.loads, "files": self.files,
            "problems": [asdict(p) for p in self.problems],
            "repairs": [asdict(r) for r in self.repairs],
            "remaining": [asdict(p) for p in self.remaining],
        }


def check_lake(lake: Lake, *, repair: bool = False, timeout: float | None = None) -> CheckReport:
    """Check every manifest and file of the lake; with `repair`, fix what is safe (see the module)."""
    with lake.writing(timeout=timeout):
        report = CheckReport(root=str(lake.root))
        report.problems, report.loads, report.files = _scan(lake)
        report.remaining = report.problems
        if repair and report.problems:
            report.repairs = _repair(lake, report.problems)
            report.remaining = _scan(lake)[0]
    return report


def _relative(lake: Lake, path: Path) -> str:
    return str(path.relative_to(lake.root))


def _scan(lake: Lake) -> tuple[list[Problem], int, int]:
    problems: list[Problem] = []
    loads = files = 0
    for manifest in lake.manifest_paths():
        try:
            record = lake.read_manifest(manifest)
        except LakeError as exc:
            problems.append(Problem("unreadable_manifest", _relative(lake, manifest), str(exc),
                                    load_id=manifest.stem))
            continue
        loads += 1
        for table, rows in sorted(record.rows.items()):
            path = lake.data_path(table, record.load_id)
            where = dict(load_id=record.load_id, source_name=record.source_name, table=table)
            if not path.is_file():
                problems.append(Problem("missing_file", _relative(lake, path),
                                        f"the manifest of load {record.load_id} ({record.kind} from "
                                        f"{record.source_name}) names it with {rows} rows, but it is gone",
                                        **where))
                continue
            files += 1
            try:
                found = pq.ParquetFile(path).metadata.num_rows
            except Exception as exc:  # any damage to the footer: pyarrow raises several kinds
                problems.append(Problem("unreadable_file", _relative(lake, path),
                                        f"not a readable Parquet file ({type(exc).__name__}: {exc})", **where))
                continue
            if found != rows:
                problems.append(Problem("row_count_mismatch", _relative(lake, path),
                                        f"holds {found} rows; its manifest says {rows}", **where))
    for path in lake.orphan_files():
        what = "an unfinished temporary file" if path.name.endswith(".tmp") else "no manifest names it"
        problems.append(Problem("orphan_file", _relative(lake, path), what))
    return problems, loads, files


def _repair(lake: Lake, problems: list[Problem]) -> list[Repair]:
    repairs: list[Repair] = []
    quarantine = {p.load_id: p for p in problems if p.kind in QUARANTINED_KINDS}
    for load_id, problem in quarantine.items():
        repairs.append(_quarantine(lake, load_id, problem))
    for problem in problems:
        if problem.kind == "orphan_file":
            (lake.root / problem.path).unlink(missing_ok=True)
            repairs.append(Repair("removed", problem.path, problem.detail))
    return repairs


def _quarantine(lake: Lake, load_id: str, problem: Problem) -> Repair:
    """Move a load's manifest and remaining files to _quarantine/<load_id>/, manifest last in,
    so that readers stop seeing the load before any of its files move."""
    target = lake.root / QUARANTINE_DIR / load_id
    target.mkdir(parents=True, exist_ok=True)
    manifest = lake.root / "_loads" / f"{load_id}.json"
    (target / "reason.json").write_text(json.dumps({
        "load_id": load_id, "source_name": problem.source_name, "problem": problem.kind,
        "path": problem.path, "detail": problem.detail,
        "quarantined_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }, indent=1))
    os.replace(manifest, target / manifest.name)
    _fsync(manifest.parent)
    moved = []
    for directory in sorted(lake.root.iterdir()):
        if not directory.is_dir() or directory.name in (QUARANTINE_DIR, "_loads"):
            continue
        data = directory / f"{load_id}.parquet"
        if data.is_file():
            os.replace(data, target / f"{directory.name}.parquet")
            _fsync(directory)
            moved.append(directory.name)
    _fsync(target)
    source = problem.source_name or "its source file"
    kept = f"; kept {', '.join(moved)}" if moved else ""
    return Repair("quarantined", _relative(lake, target),
                  f"load {load_id} set aside ({problem.kind.replace('_', ' ')}: {problem.path}){kept}; "
                  f"load {source} again to restore its rows", load_id=load_id, source_name=problem.source_name)

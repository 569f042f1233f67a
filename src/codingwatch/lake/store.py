"""The Parquet store: atomic, idempotent loads and ibis connections over what is committed.

Layout under the lake root:

    _loads/<load_id>.json        one manifest per committed load (the commit point)
    <table>/<load_id>.parquet    that load's rows of each table it wrote

A load writes its Parquet files under temporary names, renames them into place, and only
then writes its manifest (itself written to a temporary name and renamed). Readers see only
files whose load has a manifest, so a crash at any point leaves nothing of the load visible;
the next load removes such orphans. A load is keyed by the SHA-256 of its source file, so
the same file loaded twice is recognised and skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from codingwatch import config
from codingwatch.lake.schema import TABLES


class LakeError(RuntimeError):
    """The lake cannot do what was asked; the message says what to fix."""


@dataclass(frozen=True)
class LoadRecord:
    load_id: str
    kind: str  # e.g. "encounters", "claims", "remits", "access"
    source_name: str  # the file's base name (never its contents)
    sha256: str
    loaded_at: str
    rows: dict[str, int] = field(default_factory=dict)
    summary: dict = field(default_factory=dict)


def file_sha256(path: Path, chunk: int = 8 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


class Lake:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._loads_dir = self.root / "_loads"

    # ---- reading the manifest -------------------------------------------------------------
    def loads(self) -> list[LoadRecord]:
        if not self._loads_dir.is_dir():
            return []
        records = []
        for path in sorted(self._loads_dir.glob("*.json")):
            records.append(LoadRecord(**json.loads(path.read_text())))
        records.sort(key=lambda r: (r.loaded_at, r.load_id))
        return records

    def find_load(self, kind: str, sha256: str) -> LoadRecord | None:
        for record in self.loads():
            if record.kind == kind and record.sha256 == sha256:
                return record
        return None

    def snapshot(self) -> str:
        """An id of what the lake holds now: the same set of committed loads, the same id."""
        ids = sorted(record.load_id for record in self.loads())
        return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]

    def files(self, table: str) -> list[Path]:
        committed = {record.load_id for record in self.loads() if table in record.rows}
        directory = self.root / table
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.glob("*.parquet") if p.stem in committed)

    # ---- writing --------------------------------------------------------------------------
    def commit_load(
        self,
        *,
        kind: str,
        source_name: str,
        sha256: str,
        tables: dict[str, pa.Table],
        summary: dict | None = None,
        load_id: str | None = None,
    ) -> LoadRecord:
        """Write every table of one load, then make them visible together."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise LakeError(f"unknown lake table(s): {', '.join(sorted(unknown))}")
        self.remove_orphans()
        load_id = load_id or new_load_id()
        written: list[Path] = []
        try:
            for name, table in tables.items():
                table = table.cast(TABLES[name]) if table.schema != TABLES[name] else table
                directory = self.root / name
                directory.mkdir(parents=True, exist_ok=True)
                final = directory / f"{load_id}.parquet"
                temporary = directory / f".{load_id}.parquet.tmp"
                pq.write_table(table, temporary, compression="zstd", row_group_size=256_000)
                os.replace(temporary, final)
                written.append(final)
            record = LoadRecord(
                load_id=load_id,
                kind=kind,
                source_name=source_name,
                sha256=sha256,
                loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
                rows={name: table.num_rows for name, table in tables.items()},
                summary=summary or {},
            )
            self._loads_dir.mkdir(parents=True, exist_ok=True)
            manifest_tmp = self._loads_dir / f".{load_id}.json.tmp"
            manifest_tmp.write_text(json.dumps(asdict(record), indent=1, default=str))
            os.replace(manifest_tmp, self._loads_dir / f"{load_id}.json")
        except BaseException:
            for path in written:
                path.unlink(missing_ok=True)
            raise
        return record

    def remove_orphans(self) -> int:
        """Delete Parquet and temporary files of loads that never committed."""
        committed = {record.load_id for record in self.loads()}
        removed = 0
        if not self.root.is_dir():
            return 0
        for directory in self.root.iterdir():
            if not directory.is_dir():
                continue
            for path in directory.iterdir():
                stale_tmp = path.name.startswith(".") and path.name.endswith(".tmp")
                orphan = path.suffix == ".parquet" and path.stem not in committed
                if stale_tmp or orphan:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed

    # ---- ibis -----------------------------------------------------------------------------
    def connect(self):
        """An ibis DuckDB connection (in memory) with one view per lake table.

        Tables with no committed load are empty tables of the right schema, so queries never
        fail for want of data.
        """
        import ibis

        con = ibis.duckdb.connect()
        # No network: never let DuckDB download or auto-load extensions.
        con.raw_sql("SET autoinstall_known_extensions = false")
        con.raw_sql("SET autoload_known_extensions = false")
        for name, schema in TABLES.items():
            files = self.files(name)
            if files:
                listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in files)
                con.raw_sql(
                    f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM '
                    f"read_parquet([{listing}], union_by_name = true)"
                )
            else:
                con.create_table(name, schema=ibis.Schema.from_pyarrow(schema), overwrite=True)
        return con


def new_load_id() -> str:
    # Microseconds first, so that load ids sort in commit order even within one second.
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}-{uuid.uuid4().hex[:8]}"


_local = threading.local()


def open_lake(root: Path | None = None) -> Lake:
    return Lake(root or config.lake_dir())


def cached_connection(lake: Lake | None = None):
    """A per-thread ibis connection, rebuilt when the lake's snapshot changes (for the web app)."""
    lake = lake or open_lake()
    key = (str(lake.root), lake.snapshot())
    cached = getattr(_local, "connection", None)
    if cached is None or cached[0] != key:
        _local.connection = (key, lake.connect())
    return _local.connection[1]

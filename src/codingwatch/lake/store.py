"""The Parquet store: atomic, idempotent loads and ibis connections over what is committed.

Layout under the lake root:

    _loads/<load_id>.json        one manifest per committed load (the commit point)
    <table>/<load_id>.parquet    that load's rows of each table it wrote

    .lock                        the lake's write lock (fcntl.flock, through `filelock`)
    _quarantine/<load_id>/       loads set aside by `codingwatch lake check --repair`

One writer at a time: a load holds the lake's write lock (`Lake.writing()`) from its
duplicate checks (same SHA-256, encounters already loaded) through its writes to its commit.
Under the lock it writes its Parquet files under temporary names, fsyncs them, renames them
into place, fsyncs their directories, and only then writes its manifest (temporary name,
fsync, rename, fsync of `_loads`). Readers take no lock: they see only files whose load has a
manifest, so a crash at any point leaves nothing of the load visible. Files no manifest names
(orphans of a crashed load) are removed only under the lock, where no other load can be
half-way through its commit. A manifest naming a file that is gone is an error readers report
(LakeError), never a gap they skip; `codingwatch lake check` finds such problems and
`--repair` fixes what is safe.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import filelock
import pyarrow as pa
import pyarrow.parquet as pq

from codingwatch import config
from codingwatch.errors import CodingwatchError
from codingwatch.lake.schema import TABLES

# The table of committed loads (load_id, kind, commit_order) beside the lake's own tables.
LOADS_TABLE = "loads"


class LakeError(CodingwatchError, RuntimeError):
    """The lake cannot do what was asked; the message says what to fix."""


LOCK_FILE = ".lock"
QUARANTINE_DIR = "_quarantine"
DERIVED_DIR = "_derived"  # answers computed from the committed loads, named by their snapshot (never data)
# How long a load waits for another to finish its commit before giving up (seconds).
LOCK_TIMEOUT_VARIABLE = "CODINGWATCH_LAKE_LOCK_TIMEOUT"

# The named steps of a commit, in order (see `_step`). A step of one table is "<step>:<table>".
# Before them, "lock-busy": the load found the write lock held by another and is about to wait.
COMMIT_STEPS = (
    "locked", "orphans-removed", "data-written", "data-renamed", "data-synced",
    "manifest-written", "manifest-renamed", "committed",
)
PAUSE_AT_VARIABLE = "CODINGWATCH_LAKE_TEST_PAUSE_AT"
PAUSE_FILE_VARIABLE = "CODINGWATCH_LAKE_TEST_PAUSE_FILE"
_paused_once = False


def _step(name: str, table: str | None = None) -> None:
    """A test hook at each named step of a commit; does nothing unless both variables are set.

    With CODINGWATCH_LAKE_TEST_PAUSE_AT=<step> (or <step>:<table>) and
    CODINGWATCH_LAKE_TEST_PAUSE_FILE=<path>, the first commit step of this process that matches
    writes "<pid> <step>" to <path> and waits until <path> is removed. Tests use it to kill -9 a
    load at every step of its commit, or to let another load try to commit meanwhile.
    """
    global _paused_once
    wanted = config.setting(PAUSE_AT_VARIABLE)
    marker = config.setting(PAUSE_FILE_VARIABLE)
    if not wanted or not marker or _paused_once:
        return
    here = f"{name}:{table}" if table else name
    if wanted not in (name, here):
        return
    _paused_once = True
    marker_path = Path(marker)
    temporary = marker_path.with_name(marker_path.name + ".tmp")
    temporary.write_text(f"{os.getpid()} {here}\n")
    os.replace(temporary, marker_path)
    while marker_path.exists():
        time.sleep(0.01)


def _fsync(path: Path) -> None:
    """Flush a file or a directory to disk (a directory: so that renames in it survive power loss)."""
    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _lock_timeout() -> float:
    try:
        return config.setting(LOCK_TIMEOUT_VARIABLE)
    except config.SettingError as exc:
        raise LakeError(f"{exc} (seconds)") from None


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
    def manifest_paths(self) -> list[Path]:
        """Every committed load's manifest (`_loads/<load_id>.json`), readable or not."""
        if not self._loads_dir.is_dir():
            return []
        return sorted(self._loads_dir.glob("*.json"))

    def read_manifest(self, path: Path) -> LoadRecord:
        try:
            record = LoadRecord(**json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise
        except (OSError, UnicodeDecodeError, ValueError, TypeError) as exc:
            raise LakeError(
                f"the lake's manifest {path} cannot be read ({type(exc).__name__}: {exc}); "
                "run `codingwatch lake check` (`--repair` sets the load aside so its file can be loaded again)"
            ) from None
        if record.load_id != path.stem:
            raise LakeError(f"the lake's manifest {path} names load {record.load_id}, not {path.stem}; "
                            "run `codingwatch lake check`")
        return record

    def loads(self) -> list[LoadRecord]:
        records = []
        for path in self.manifest_paths():
            try:
                records.append(self.read_manifest(path))
            except FileNotFoundError:  # set aside by a repair while we listed
                continue
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

    def data_path(self, table: str, load_id: str) -> Path:
        return self.root / table / f"{load_id}.parquet"

    def files(self, table: str) -> list[Path]:
        """The Parquet files of `table` of every committed load. A manifest naming a file that is
        gone raises LakeError: a reader never answers from a lake with a hole in it."""
        paths = []
        for record in self.loads():
            if table not in record.rows:
                continue
            path = self.data_path(table, record.load_id)
            if not path.is_file():
                raise LakeError(
                    f"load {record.load_id} ({record.kind} from {record.source_name}, {record.rows[table]} "
                    f"{table} rows) names {path}, which is missing; run `codingwatch lake check --repair` "
                    f"to set the load aside, then load {record.source_name} again"
                )
            paths.append(path)
        return sorted(paths)

    # ---- the write lock -------------------------------------------------------------------
    @contextmanager
    def writing(self, timeout: float | None = None) -> Iterator[Lake]:
        """Hold the lake's write lock: one writer at a time across processes and threads.

        A loader wraps its duplicate checks and its commit in it, so that what it checked is
        still true when it commits. Re-entrant within a thread (commit_load takes it too).
        Waits up to `timeout` seconds (default CODINGWATCH_LAKE_LOCK_TIMEOUT, 600) for another
        load to finish, then raises LakeError.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        # One lock object per lock file in a process (is_singleton), whatever path spelled the root.
        lock = filelock.FileLock(os.path.realpath(self.root / LOCK_FILE), is_singleton=True)
        wait = _lock_timeout() if timeout is None else timeout
        try:
            try:
                lock.acquire(blocking=False)
            except filelock.Timeout:  # another load holds it: wait for it
                _step("lock-busy")
                lock.acquire(timeout=wait)
        except filelock.Timeout:
            raise LakeError(
                f"another load is writing to the lake at {self.root} (its lock {self.root / LOCK_FILE} "
                f"was not released within {wait:g} s); try again when it has finished"
            ) from None
        try:
            yield self
        finally:
            lock.release()

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
        """Write every table of one load, then make them visible together (under the write lock)."""
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise LakeError(f"unknown lake table(s): {', '.join(sorted(unknown))}")
        with self.writing():
            return self._commit_locked(kind=kind, source_name=source_name, sha256=sha256, tables=tables,
                                       summary=summary, load_id=load_id or new_load_id())

    def _commit_locked(self, *, kind: str, source_name: str, sha256: str, tables: dict[str, pa.Table],
                       summary: dict | None, load_id: str) -> LoadRecord:
        _step("locked")
        self._remove_orphans_locked()
        _step("orphans-removed")
        written: list[Path] = []
        temporaries: list[Path] = []
        manifest_tmp = self._loads_dir / f".{load_id}.json.tmp"
        committed = False
        try:
            directories = set()
            for name, table in tables.items():
                table = table.cast(TABLES[name]) if table.schema != TABLES[name] else table
                directory = self.root / name
                directory.mkdir(parents=True, exist_ok=True)
                directories.add(directory)
                final = directory / f"{load_id}.parquet"
                temporary = directory / f".{load_id}.parquet.tmp"
                temporaries.append(temporary)
                pq.write_table(table, temporary, compression="zstd", row_group_size=256_000)
                _fsync(temporary)
                _step("data-written", name)
                os.replace(temporary, final)
                written.append(final)
                _step("data-renamed", name)
            for directory in sorted(directories):
                _fsync(directory)
            self._loads_dir.mkdir(parents=True, exist_ok=True)
            _fsync(self.root)  # new table folders and _loads itself
            _step("data-synced")
            record = LoadRecord(
                load_id=load_id,
                kind=kind,
                source_name=source_name,
                sha256=sha256,
                loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
                rows={name: table.num_rows for name, table in tables.items()},
                summary=summary or {},
            )
            with open(manifest_tmp, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(asdict(record), indent=1, default=str))
                handle.flush()
                os.fsync(handle.fileno())
            _step("manifest-written")
            os.replace(manifest_tmp, self._loads_dir / f"{load_id}.json")
            committed = True  # from here on the load is visible: never undo it
            _step("manifest-renamed")
            _fsync(self._loads_dir)
            _step("committed")
        except BaseException:
            if not committed:
                for path in [*written, *temporaries, manifest_tmp]:
                    path.unlink(missing_ok=True)
            raise
        return record

    def remove_orphans(self) -> int:
        """Delete Parquet and temporary files of loads that never committed (under the write lock)."""
        with self.writing():
            return len(self._remove_orphans_locked())

    def orphan_files(self) -> list[Path]:
        """Files no manifest names: Parquet of a load that never committed (or that names other
        tables) and leftover temporary files. Only meaningful under the write lock, where no
        load is half-way through its commit. The files of a manifest that cannot be read are
        kept: the load they belong to is known by its file name."""
        if not self.root.is_dir():
            return []
        named: dict[str, set[str] | None] = {}
        for path in self.manifest_paths():
            try:
                named[path.stem] = set(self.read_manifest(path).rows)
            except (LakeError, FileNotFoundError):
                named[path.stem] = None
        orphans = []
        for directory in sorted(self.root.iterdir()):
            if not directory.is_dir() or directory.name in (QUARANTINE_DIR, DERIVED_DIR):
                continue
            for path in sorted(directory.iterdir()):
                if path.name.startswith(".") and path.name.endswith(".tmp"):
                    orphans.append(path)
                elif path.suffix == ".parquet" and path.is_file():
                    tables = named.get(path.stem, set())
                    if tables is not None and directory.name not in tables:
                        orphans.append(path)
        return orphans

    def _remove_orphans_locked(self) -> list[Path]:
        removed = self.orphan_files()
        for path in removed:
            path.unlink(missing_ok=True)
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
                # Each row's load is its file's: a row written without its load_id gets it here.
                con.raw_sql(
                    f'CREATE OR REPLACE VIEW "{name}" AS SELECT * EXCLUDE (filename) REPLACE '
                    f"(coalesce(load_id, parse_filename(filename, true)) AS load_id) FROM "
                    f"read_parquet([{listing}], union_by_name = true, filename = true)"
                )
            else:
                con.create_table(name, schema=ibis.Schema.from_pyarrow(schema), overwrite=True)
        con.create_table(LOADS_TABLE, self.load_order(), overwrite=True)
        return con

    def load_order(self) -> pa.Table:
        """The committed loads in commit order (`commit_order` 0, 1, ...): the order in which a
        later load of an encounter replaces an earlier one (`sampling.build_frame(loads=...)`)."""
        records = self.loads()
        return pa.table({
            "load_id": pa.array([r.load_id for r in records], pa.string()),
            "kind": pa.array([r.kind for r in records], pa.string()),
            "commit_order": pa.array(range(len(records)), pa.int64()),
        })

    def tables_on(self, con, names=None) -> dict:
        """The lake's tables (and `loads`) on another ibis backend, read from the same Parquet
        files: `lake.tables_on(ibis.pyspark.connect(spark))["encounters"]`. Each is registered
        as `lake_<table>` (a temporary view on Spark), never over a table the backend already
        holds; `names` limits it to some tables. The engines take these tables as they take
        the embedded DuckDB's (docs/backends.md)."""
        import ibis

        tables = {}
        for name, schema in TABLES.items():
            if names is not None and name not in names:
                continue
            files = self.files(name)
            if not files:
                tables[name] = ibis.memtable(schema.empty_table())
            elif con.name == "pyspark":
                # Spark reads one path: a glob naming exactly the committed files of the table
                # (never an orphan of a crashed load that sits in the same folder).
                stems = ",".join(path.stem for path in files)
                tables[name] = con.read_parquet(f"{self.root / name}/{{{stems}}}.parquet", table_name=f"lake_{name}")
            else:
                tables[name] = con.read_parquet([str(path) for path in files], table_name=f"lake_{name}")
        tables[LOADS_TABLE] = ibis.memtable(self.load_order())
        return tables


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

"""The one contract of every reader that loads a file into the lake.

Encounters (CSV/Parquet), claims (X12 837), remittances (X12 835), access logs (CSV, Parquet,
FHIR AuditEvent, Epic Clarity) and any reader to come follow the same rules, with the same
words and the same shapes:

- **each file once**: a file whose SHA-256 is already in the lake's manifest is skipped, with
  the one wording of `already_loaded` ("enc.csv: already loaded on ... (load ...); nothing to
  do"), checked before reading and again under the lake's write lock;
- **whole file or nothing**: what a file loads goes in one `Lake.commit_load`;
- **one problem shape**: every fault is a `Problem` (file, line or segment, field, value,
  reason), whether it refuses the file or one line;
- **one result type**: a reader returns an `IngestResult` per file (status `loaded`, `skipped`
  or `rejected`, a message for people, the load id, the problems, the rejects file). A reader
  with figures of its own (encounters loaded, events read...) subclasses it with those fields;
- **one rejects writer**: `write_rejects` writes the problems of a file to
  `<rejects dir>/<file stem>-<sha256[:8]>.rejects.csv` (default var/rejects), every value
  neutralized for spreadsheets;
- **one progress callback**: a keyword argument named `progress`, called as
  `progress(step, fraction)` with a short description of the step and the fraction of this
  file done (0.0 to 1.0).

A new reader needs four calls (see docs/ingest.md, "Writing a new reader"):

    result = IngestResult(file=str(path), kind=KIND)
    if not start(result, path, lake):          # no such file, or already loaded: done
        return result
    problems = []                               # read, appending Problem(...) per bad line
    table = read(path, problems)
    if problems:
        return reject(result, problems, rejects_dir=rejects_dir)
    commit(result, lake, path, tables={"my_table": table}, summary={"rows": table.num_rows})
    return result
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from codingwatch import config
from codingwatch.lake.store import Lake, LoadRecord, file_sha256, new_load_id
from codingwatch.spreadsheet import csv_writer

LOADED, SKIPPED, REJECTED = "loaded", "skipped", "rejected"
STATUSES = (LOADED, SKIPPED, REJECTED)
# Problems listed in a result's as_dict (the rejects file holds all of them).
PROBLEMS_SHOWN = 50
# No field of any file we read is meant to be shown longer than this in a problem.
VALUE_SHOWN = 80

Progress = Callable[[str, float], None]  # progress(step description, fraction of this file done)


def no_progress(step: str, fraction: float) -> None:
    """The progress callback of a caller that does not show progress."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault of a file: where (file, and line or segment), which field, what value, why.

    `line` is the physical line of a text file (1 = the header), the row of a Parquet file or
    the entry of a JSON Bundle; `segment` the 1-based position of an X12 segment (0 = the file
    as a whole). Both are None when the fault is the file's as a whole (e.g. it is empty).
    `record` names the record the line belongs to when the reader has one (the encounter id).
    """

    file: str
    reason: str
    line: int | None = None
    segment: int | None = None
    field: str = ""
    value: str = ""
    record: str = ""

    def where(self) -> str:
        """'line 5', 'segment 12', or '' for the file as a whole."""
        if self.line is not None:
            return f"line {self.line}"
        if self.segment is not None:
            return f"segment {self.segment}"
        return ""

    def describe(self) -> str:
        """One line for people: 'access.csv: line 5, field occurred_at ('09:30'): not an ISO ...'."""
        parts = [Path(self.file).name]
        where = self.where()
        if where:
            parts.append(where)
        head = ": ".join(parts)
        if self.field:
            head += f", field {self.field}" + (f" ({self.value!r})" if self.value else "")
        return f"{head}: {self.reason}"

    def as_dict(self) -> dict:
        """The problem as JSON: the keys that have a value (file and reason always; line or
        segment, field, value, record when known)."""
        order = ("file", "line", "segment", "record", "field", "value", "reason")
        return {name: getattr(self, name) for name in order if getattr(self, name) not in (None, "")}


@dataclass
class IngestResult:
    """What loading one file did. Readers with figures of their own subclass it."""

    file: str
    kind: str = ""
    status: str = REJECTED  # loaded | skipped | rejected
    message: str = ""
    load_id: str | None = None
    sha256: str = ""
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0  # every problem found; `problems` may hold only the first ones
    rejects_file: str | None = None

    def as_dict(self) -> dict:
        out = asdict(self)
        out["problems"] = [p.as_dict() for p in self.problems[:PROBLEMS_SHOWN]]
        out["problems_total"] = max(self.problems_total, len(self.problems))
        return out

    def skip(self, previous: LoadRecord) -> IngestResult:
        """Mark the file as loaded before (same SHA-256): nothing to do."""
        self.status = SKIPPED
        self.load_id = previous.load_id
        self.message = already_loaded(Path(self.file).name, previous)
        return self

    def refuse(self, problem: Problem, message: str | None = None) -> IngestResult:
        """Mark the file as refused whole because of one problem (message: its description)."""
        self.status = REJECTED
        self.problems = [problem]
        self.problems_total = 1
        self.message = problem.describe() if message is None else message
        return self


def already_loaded(name: str, previous: LoadRecord) -> str:
    """The one wording of a file skipped because the lake holds it already (same SHA-256)."""
    return f"{name}: already loaded on {previous.loaded_at} (load {previous.load_id}); nothing to do"


def start(result: IngestResult, path: Path, lake: Lake, *, sha256: str | None = None) -> bool:
    """The first step of every reader: False (with the result set) when there is nothing to
    read: no such file, or a file already loaded (skipped). Sets `result.sha256`."""
    path = Path(path)
    if sha256 is None:
        if not path.is_file():
            result.refuse(Problem(file=str(path), reason="no such file"), message=f"{path}: no such file")
            return False
        sha256 = file_sha256(path)
    result.sha256 = sha256
    previous = lake.find_load(result.kind, sha256)
    if previous is not None:
        result.skip(previous)
        return False
    return True


def reject(result: IngestResult, problems: list[Problem], *, rejects_dir: Path | None = None,
           record_column: str | None = None) -> IngestResult:
    """Mark the file as refused for its bad lines: every problem written to the rejects file,
    the message naming how many lines and the first one. Nothing of the file loads."""
    problems = sorted(problems, key=lambda p: (p.line or 0, p.segment or 0))
    result.status = REJECTED
    result.problems = problems
    result.problems_total = len(problems)
    path = Path(result.file)
    result.rejects_file = str(write_rejects(path, result.sha256, problems, rejects_dir,
                                            record_column=record_column))
    first = problems[0]
    lines = len({(p.line, p.segment) for p in problems})
    result.message = (f"{path.name}: {lines} bad line(s), nothing loaded; first: {first.where()} field "
                      f"{first.field} ({first.value!r}): {first.reason} (all in {result.rejects_file})")
    return result


def commit(result: IngestResult, lake: Lake, path: Path, *, tables: dict, summary: dict,
           load_id: str | None = None) -> LoadRecord | None:
    """Commit the file's tables in one lake load, checking under the lake's write lock that no
    other load of the same file committed meanwhile (then the result is `skipped` and None is
    returned). On success the result is `loaded` with its load id."""
    path = Path(path)
    with lake.writing():
        previous = lake.find_load(result.kind, result.sha256)
        if previous is not None:
            result.skip(previous)
            return None
        record = lake.commit_load(kind=result.kind, source_name=path.name, sha256=result.sha256, tables=tables,
                                  summary=summary, load_id=load_id or new_load_id())
    result.status = LOADED
    result.load_id = record.load_id
    if result.kind == "remits":
        keep_outcomes(lake)
    after_commit(lake)
    return record


def keep_outcomes(lake: Lake) -> None:
    """Link the claim outcomes of the lake as it now is and the denials overview's figures
    (codingwatch.denials.kept), so the first denials page after the load reads them instead of
    computing them. The load has committed whatever happens here: a failure leaves the pages to
    compute them on their first request."""
    from codingwatch.denials.kept import keep_figures, keep_linked

    try:
        keep_linked(lake)
    except Exception:  # noqa: BLE001 - a speed aid after the commit, never a reason to fail the load
        return
    try:
        keep_figures(lake)  # and the denials overview's figures, for its first visit
    except Exception:  # noqa: BLE001 - as above: the page then computes them on its first request
        pass


# Steps that follow every committed load, registered by the layers above the engines (the web app
# keeps its pages' answers for the new generation: `web.scorecard.warm`). Each takes the lake.
AFTER_COMMIT: list[Callable[[Lake], None]] = []
_batch = threading.local()


def after_commit(lake: Lake) -> None:
    """Run the AFTER_COMMIT steps for the lake as it now is; within a `batched` call (several
    files loaded in a row) they run once, when it returns. The load has committed whatever
    happens here: a failing step only leaves its answers to be computed on their first request."""
    if getattr(_batch, "depth", 0):
        _batch.pending[str(lake.root)] = lake
        return
    for step in list(AFTER_COMMIT):
        try:
            step(lake)
        except Exception as exc:  # noqa: BLE001 - a speed aid after the commit, never a reason to fail the load
            logging.getLogger(__name__).warning("after the load into %s, %s failed (its answers are computed "
                                                "on their first request): %s", lake.root, step.__qualname__, exc)


def batched(load_many):
    """A loader of several files: the AFTER_COMMIT steps run once after its last file, not after each."""
    @functools.wraps(load_many)
    def wrapper(*args, **kwargs):
        depth = getattr(_batch, "depth", 0)
        if depth == 0:
            _batch.pending = {}
        _batch.depth = depth + 1
        try:
            return load_many(*args, **kwargs)
        finally:
            _batch.depth = depth
            if depth == 0:
                pending, _batch.pending = _batch.pending, {}
                for lake in pending.values():
                    after_commit(lake)
    return wrapper


def rejects_path(path: Path, sha256: str, rejects_dir: Path | None = None) -> Path:
    """Where the rejects of a file go: <rejects dir>/<stem>-<sha256[:8]>.rejects.csv."""
    directory = rejects_dir or (config.var_dir() / "rejects")
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{Path(path).stem}-{sha256[:8]}.rejects.csv"


def write_rejects(path: Path, sha256: str, problems: Iterable[Problem], rejects_dir: Path | None = None, *,
                  record_column: str | None = None) -> Path:
    """The one rejects writer: a CSV of line (or segment), [record column], field, value,
    reason, one row per problem in the order given, every cell neutralized for spreadsheets
    (`codingwatch.spreadsheet`). `record_column` names the record column when the reader has
    one (encounters: encounter_id)."""
    target = rejects_path(path, sha256, rejects_dir)
    problems = iter(problems)
    first = next(problems, None)
    by_segment = first is not None and first.line is None and first.segment is not None
    header = ["segment" if by_segment else "line"] + ([record_column] if record_column else []) + [
        "field", "value", "reason"]
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv_writer(handle, lineterminator="\n")
        writer.writerow(header)
        for problem in ([first] if first is not None else []):
            writer.writerow(_reject_row(problem, by_segment, record_column))
        for problem in problems:
            writer.writerow(_reject_row(problem, by_segment, record_column))
    return target


def _reject_row(problem: Problem, by_segment: bool, record_column: str | None) -> list:
    where = problem.segment if by_segment else problem.line
    return [where] + ([problem.record] if record_column else []) + [problem.field, problem.value, problem.reason]


__all__ = [
    "LOADED", "REJECTED", "SKIPPED", "IngestResult", "Problem", "Progress", "already_loaded", "commit",
    "no_progress", "reject", "rejects_path", "start", "write_rejects",
]

"""CDI and physician query logs into the lake (`codingwatch ingest queries FILE.csv`).

The layout (docs/scorecard.md), one row per query, UTF-8 CSV with a header:

| column | content |
|---|---|
| query_id | the query system's id (letters, digits, `._:-/#@`), unique in the file and the lake |
| encounter_id | the encounter the query is about (stored only keyed, HMAC) |
| coder_id | the login that raised the query |
| sent_at | ISO 8601 with an offset, e.g. 2026-01-05T14:30:00-05:00 |
| answered_at | ISO 8601 with an offset, empty while the query is open; not before sent_at |
| kind | optional: `cdi` or `physician` |

Whole file or nothing: a file with any bad line loads nothing, and the result lists every
bad line (line, field, value, reason). The same file (by SHA-256) loads once.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa

from codingwatch.lake.keys import source_keys
from codingwatch.lake.schema import QUERIES
from codingwatch.lake.store import Lake, file_sha256, new_load_id

KIND = "queries"
REQUIRED = ("query_id", "encounter_id", "coder_id", "sent_at", "answered_at")
OPTIONAL = ("kind",)
KINDS = ("cdi", "physician", "")
_IDENT = re.compile(r"^[A-Za-z0-9._:@/#-]{1,128}$")
_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
MAX_BAD_LINES = 1000  # listed in the result; the count goes on


@dataclass
class Reject:
    line: int
    field: str
    value: str
    reason: str


@dataclass
class QueryFileResult:
    file: str
    status: str  # loaded | skipped | rejected
    message: str = ""
    load_id: str | None = None
    queries_read: int = 0
    queries_loaded: int = 0
    open_queries: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def as_dict(self) -> dict:
        out = asdict(self)
        out["rejects"] = [asdict(r) for r in self.rejects[:50]]
        out["rejects_total"] = len(self.rejects)
        return out


def _instant(text: str) -> dt.datetime | None:
    if not _OFFSET.match(text):
        return None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value.astimezone(dt.UTC)


def read_queries(path: Path) -> tuple[list[dict], list[Reject]]:
    """The file's queries, checked; (rows, rejects). Raises ValueError when the file is unreadable."""
    rows: list[dict] = []
    rejects: list[Reject] = []
    seen: dict[str, int] = {}
    try:
        handle = open(path, newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise ValueError(f"cannot be read ({exc.strerror})") from None
    with handle:
        try:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise ValueError(f"line 1: missing column(s) {', '.join(missing)} (the layout: "
                                 f"{', '.join(REQUIRED)}[, kind])")
            for number, raw in enumerate(reader, start=2):
                bad = []
                if None in raw or any(v is None for v in raw.values()):
                    rejects.append(Reject(number, "(row)", "", f"{len(header)} columns expected"))
                    continue
                qid, enc, coder = raw["query_id"].strip(), raw["encounter_id"].strip(), raw["coder_id"].strip()
                for name, value in (("query_id", qid), ("encounter_id", enc), ("coder_id", coder)):
                    if not _IDENT.match(value):
                        bad.append(Reject(number, name, value, "must be 1-128 letters, digits or ._:@/#-"))
                if qid in seen:
                    bad.append(Reject(number, "query_id", qid, f"repeats the query of line {seen[qid]}"))
                sent = _instant(raw["sent_at"].strip())
                if sent is None:
                    bad.append(Reject(number, "sent_at", raw["sent_at"], "not an ISO 8601 time with an offset"))
                answered_text = raw["answered_at"].strip()
                answered = None
                if answered_text:
                    answered = _instant(answered_text)
                    if answered is None:
                        bad.append(Reject(number, "answered_at", answered_text,
                                          "not an ISO 8601 time with an offset (empty while open)"))
                    elif sent is not None and answered < sent:
                        bad.append(Reject(number, "answered_at", answered_text, "is before sent_at"))
                kind = (raw.get("kind") or "").strip().lower()
                if kind not in KINDS:
                    bad.append(Reject(number, "kind", kind, "must be cdi, physician or empty"))
                if bad:
                    if len(rejects) < MAX_BAD_LINES:
                        rejects.extend(bad)
                    continue
                seen[qid] = number
                rows.append({"query_id": qid, "encounter_id": enc, "coder_id": coder, "kind": kind,
                             "sent_at": sent, "answered_at": answered})
        except UnicodeDecodeError:
            raise ValueError("is not UTF-8 text") from None
        except csv.Error as exc:
            raise ValueError(f"line {reader.line_num}: not valid CSV ({exc})") from None
    return rows, rejects


def to_lake_table(rows: list[dict], load_id: str) -> pa.Table:
    keys = source_keys([r["encounter_id"] for r in rows])
    return pa.Table.from_pydict({
        "query_id": [r["query_id"] for r in rows], "encounter_key": keys,
        "coder_id": [r["coder_id"] for r in rows], "kind": [r["kind"] for r in rows],
        "sent_at": [r["sent_at"] for r in rows], "answered_at": [r["answered_at"] for r in rows],
        "load_id": [load_id] * len(rows),
    }, schema=QUERIES)


def _already(lake: Lake, sha: str, result: QueryFileResult, path: Path) -> bool:
    previous = lake.find_load(KIND, sha)
    if previous is None:
        return False
    result.status = "skipped"
    result.load_id = previous.load_id
    result.message = f"{path.name}: already loaded ({previous.load_id}, {previous.loaded_at}); nothing changed"
    return True


def ingest_query_file(path: Path, *, lake: Lake) -> QueryFileResult:
    """Load one query log: whole file or nothing, each file once; ids already in the lake refused."""
    path = Path(path)
    result = QueryFileResult(file=str(path), status="rejected")
    if not path.is_file():
        result.message = f"{path}: no such file"
        return result
    sha = file_sha256(path)
    if _already(lake, sha, result, path):
        return result
    try:
        rows, rejects = read_queries(path)
    except ValueError as exc:
        result.message = f"{path.name} {exc}; nothing loaded" if str(exc).startswith("line") \
            else f"{path.name}: {exc}; nothing loaded"
        return result
    result.queries_read = len(rows) + len({r.line for r in rejects})
    if not rejects and rows:
        known = _known_ids(lake, [r["query_id"] for r in rows])
        for number, r in enumerate(rows, start=2):
            if r["query_id"] in known:
                rejects.append(Reject(number, "query_id", r["query_id"], "already in the lake (another file)"))
    if rejects:
        result.rejects = rejects
        first = rejects[0]
        result.message = (f"{path.name}: {len({r.line for r in rejects})} bad line(s), nothing loaded; first: "
                          f"line {first.line} field {first.field} ({first.value!r}): {first.reason}")
        return result
    if not rows:
        result.message = f"{path.name}: no queries in the file; nothing loaded"
        return result
    load_id = new_load_id()
    table = to_lake_table(rows, load_id)
    open_count = sum(1 for r in rows if r["answered_at"] is None)
    with lake.writing():
        if _already(lake, sha, result, path):
            return result
        record = lake.commit_load(kind=KIND, source_name=path.name, sha256=sha, tables={"queries": table},
                                  summary={"queries": table.num_rows, "open": open_count}, load_id=load_id)
    result.status = "loaded"
    result.load_id = record.load_id
    from codingwatch.ingest.contract import after_commit

    after_commit(lake)
    result.queries_loaded = table.num_rows
    result.open_queries = open_count
    result.message = f"{path.name}: loaded {table.num_rows} queries ({open_count} still open)"
    return result


def _known_ids(lake: Lake, ids: list[str]) -> set[str]:
    if not lake.files("queries"):
        return set()
    q = lake.connect().table("queries")
    found = q.filter(q.query_id.isin(ids)).select("query_id").to_pyarrow()
    return set(found.column("query_id").to_pylist())

"""`ingest encounters`: coded encounters (one row per code line) from CSV or Parquet into the lake.

The work is done by DuckDB over the whole file (read as text, validated with SQL), so a
file of millions of lines is checked in seconds; only what needs an authority leaves SQL:
each distinct (code, release) goes once to the CMS Medicare Code Editor, and each valid
inpatient encounter goes to the CMS MS-DRG grouper.

Rules:
- an encounter with any bad line is rejected whole; `strict` refuses the file on any bad line;
- the file's valid encounters load in one atomic lake commit (nothing of it on a crash);
- a file already loaded (same SHA-256) is skipped; an encounter already in the lake from
  another file is rejected, naming that file;
- every rejected line is written to a rejects CSV: line, encounter, field, value, reason
  (the ingest contract's rejects writer, codingwatch.ingest.contract).
"""

from __future__ import annotations

import atexit
import csv
import multiprocessing
import os
import re
from collections.abc import Callable, Collection
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from codingwatch.codesets import CodeValidator, Grouper
from codingwatch.codesets.cms_tables import valid_discharge_statuses
from codingwatch.codesets.drg import facility_match_key
from codingwatch.codesets.weights import fiscal_year_of_release, missing_label
from codingwatch.errors import CodingwatchError
from codingwatch.ingest import contract, layout
from codingwatch.ingest.contract import VALUE_SHOWN, IngestResult, Problem, Progress
from codingwatch.ingest.layout import COLUMNS, OPTIONAL_COLUMNS
from codingwatch.ingest.lines import data_row_lines, first_bad_utf8, record_line
from codingwatch.lake import Lake
from codingwatch.lake.keys import encrypt_source_ids, source_keys
from codingwatch.lake.schema import CODE_LINES, ENCOUNTERS
from codingwatch.lake.store import new_load_id
from codingwatch.vocabulary import Vocabulary

KIND = "encounters"


class IngestError(CodingwatchError, ValueError):
    """A whole file cannot be loaded; the message names the file, line and reason."""


@dataclass
class EncountersResult(IngestResult):
    """A file of coded encounters' result: the contract's, plus the encounters' figures."""

    kind: str = KIND
    lines_read: int = 0
    encounters_loaded: int = 0
    lines_loaded: int = 0
    encounters_rejected: int = 0
    lines_rejected: int = 0
    drg_computed: int = 0
    drg_mismatches: int = 0
    weight_missing: dict[str, int] = field(default_factory=dict)  # "weight missing (FY2025)" -> encounters
    invalid_discharge_status: int = 0  # inpatient encounters whose status is not on the CMS list
    encounters_by_vendor: dict[str, int] = field(default_factory=dict)
    # Specialties and facilities the organization's vocabulary did not know (loaded, reported).
    new_names: list[dict] = field(default_factory=list)


FileResult = EncountersResult  # the name before the ingest contract
# Bad lines kept on the result (the rejects file lists every one).
PROBLEMS_KEPT = 1000


@contract.batched
def ingest_encounter_files(
    paths: list[Path],
    *,
    lake: Lake,
    strict: bool = False,
    rejects_dir: Path | None = None,
    progress: Progress | None = None,
    poa_exempt_facilities: Collection[str] = (),
    vocabulary: Vocabulary | None = None,
) -> list[EncountersResult]:
    results = []
    with CodeValidator() as validator, Grouper() as grouper:
        for path in paths:
            results.append(
                ingest_encounter_file(
                    Path(path), lake=lake, strict=strict, rejects_dir=rejects_dir,
                    validator=validator, grouper=grouper, progress=progress, vocabulary=vocabulary,
                    poa_exempt_facilities=poa_exempt_facilities,
                )
            )
    return results


def ingest_encounter_file(
    path: Path,
    *,
    lake: Lake,
    strict: bool = False,
    rejects_dir: Path | None = None,
    validator: CodeValidator | None = None,
    grouper: Grouper | None = None,
    progress: Progress | None = None,
    poa_exempt_facilities: Collection[str] = (),
    vocabulary: Vocabulary | None = None,
) -> EncountersResult:
    """`poa_exempt_facilities`: facilities exempt from POA reporting (grouped with the CMS
    EXEMPT hospital status), matched ignoring case, spaces and punctuation."""
    tick = progress or (lambda step, fraction: None)
    result = EncountersResult(file=str(path))
    tick("checking whether the file is new", 0.02)
    if not contract.start(result, path, lake):
        return result
    sha = result.sha256

    own_validator = validator is None
    own_grouper = grouper is None
    validator = validator or CodeValidator()
    grouper = grouper or Grouper()
    con = _duckdb()
    try:
        tick("reading", 0.05)
        try:
            result.lines_read = _read(con, path)
        except IngestError as exc:
            problem = exc.problems[0] if exc.problems else Problem(file=str(path), reason=str(exc))
            return result.refuse(problem, message=str(exc))
        tick("validating", 0.25)
        checked = set(lake.files("encounters"))
        _validate(con, validator, lake, vocabulary)
        previous = lake.find_load(KIND, sha)  # another load of this file committed while we validated
        if previous is not None:
            return result.skip(previous)
        if not _tally(con, result, path, sha, rejects_dir, strict):
            return result
        tick("grouping inpatient encounters (MS-DRG)", 0.45)
        _group_drgs(con, grouper, lambda f: tick("grouping inpatient encounters (MS-DRG)", 0.45 + 0.3 * f),
                    {facility_match_key(f) for f in poa_exempt_facilities})
        tick("keying and writing", 0.8)
        load_id = new_load_id()
        encounters, code_lines = _lake_tables(con, load_id)
        summary = _summary(con)
        with lake.writing():  # both checks again under the lake's lock: another load may have committed
            previous = lake.find_load(KIND, sha)
            if previous is not None:
                return result.skip(previous)
            fresh = [p for p in lake.files("encounters") if p not in checked]
            if fresh and _reject_already_in_lake(con, lake, fresh, among="good_encounters"):
                _split_encounters(con)
                if not _tally(con, result, path, sha, rejects_dir, strict):
                    return result
                encounters, code_lines = _lake_tables(con, load_id)
                summary = _summary(con)
            record = lake.commit_load(
                kind=KIND,
                source_name=path.name,
                sha256=sha,
                tables={"encounters": encounters, "code_lines": code_lines},
                summary=summary,
                load_id=load_id,
            )
        result.status = "loaded"
        result.load_id = record.load_id
        from codingwatch.ingest.contract import keep_outcomes

        keep_outcomes(lake)
        contract.after_commit(lake)
        result.encounters_loaded = encounters.num_rows
        result.lines_loaded = code_lines.num_rows
        result.drg_computed = summary["drg_computed"]
        result.drg_mismatches = summary["drg_mismatches"]
        result.weight_missing = summary["weight_missing"]
        result.invalid_discharge_status = summary["invalid_discharge_status"]
        result.encounters_by_vendor = summary["encounters_by_vendor"]
        result.new_names = summary["new_names"]
        result.message = f"{path.name}: loaded {encounters.num_rows} encounters ({code_lines.num_rows} code lines)"
        if result.encounters_rejected:
            result.message += f"; rejected {result.encounters_rejected} (see {result.rejects_file})"
        for label, count in result.weight_missing.items():
            result.message += f"; {count} inpatient encounter(s) loaded and grouped but flagged {label}"
        if result.invalid_discharge_status:
            result.message += (f"; {result.invalid_discharge_status} with a discharge status not on the CMS list "
                               f"({summary['invalid_status_999']} grouped to DRG 999, invalid discharge status)")
        for name in summary["new_names"]:
            result.message += f"\n  {layout.NewName(**{**name, 'spellings': tuple(name['spellings'])}).describe()}"
        tick("done", 1.0)
        return result
    finally:
        con.close()
        if own_validator:
            validator.close()
        if own_grouper:
            grouper.close()


def _tally(con: duckdb.DuckDBPyConnection, result: EncountersResult, path: Path, sha: str, rejects_dir: Path | None,
           strict: bool) -> bool:
    """Count and write the rejects; False (with the message set) when nothing of the file loads."""
    rejects = con.execute("SELECT count(*) FROM line_errors").fetchone()[0]
    bad_encounters = con.execute("SELECT count(*) FROM bad_encounters").fetchone()[0]
    rejected_lines = con.execute(
        "SELECT count(*) FROM lines WHERE encounter_id IN (SELECT encounter_id FROM bad_encounters)"
        " OR encounter_id IS NULL"
    ).fetchone()[0]
    result.encounters_rejected = bad_encounters
    result.lines_rejected = rejected_lines
    result.problems_total = rejects
    result.problems = [
        Problem(file=str(path), line=line, record=encounter_id or "", field=fld or "",
                value="" if value is None else str(value)[:VALUE_SHOWN], reason=reason)
        for line, encounter_id, fld, value, reason in con.execute(
            "SELECT line_no, encounter_id, field, value, reason FROM line_errors ORDER BY line_no, field "
            f"LIMIT {PROBLEMS_KEPT}").fetchall()
    ]
    if rejects:
        result.rejects_file = str(_write_rejects(con, path, sha, rejects_dir))
    if strict and rejects:
        result.encounters_rejected = con.execute("SELECT count(*) FROM encounters_parsed").fetchone()[0]
        result.lines_rejected = result.lines_read
        result.message = (
            f"{path.name}: {rejects} bad line(s) and --strict is on: nothing loaded "
            f"(see {result.rejects_file})"
        )
        return False
    good = con.execute("SELECT count(*) FROM good_encounters").fetchone()[0]
    if good == 0:
        result.message = f"{path.name}: no valid encounter to load (see {result.rejects_file})"
        return False
    return True


# ---- reading ------------------------------------------------------------------------------


def _duckdb() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    return con


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Load the file as text into table `raw` with a line number; refuse malformed files whole."""
    if path.suffix.lower() == ".parquet":
        try:
            names = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM read_parquet({_sql_path(path)})").fetchall()]
        except duckdb.Error as exc:
            raise _refused(path, f"not a readable Parquet file ({_first_line(exc)})") from None
        _check_header(path, names)
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' if c in names else f"'' AS \"{c}\""
                          for c in COLUMNS)
        source = f"(SELECT {casts} FROM read_parquet({_sql_path(path)}))"
        first_line = 1  # Parquet rows are numbered from 1
    else:
        header = _csv_header(path)
        _check_header(path, header)
        column_types = "{" + ", ".join(f"'{c}': 'VARCHAR'" for c in header) + "}"
        source = (
            f"read_csv({_sql_path(path)}, header = true, auto_detect = false, columns = {column_types}, "
            "delim = ',', quote = '\"', escape = '\"', strict_mode = true, null_padding = false, "
            "all_varchar = true)"
        )
        first_line = 2  # line 1 is the header
        names = header
    try:
        # Rows keep the file's order (preserve_insertion_order), so a row's rowid gives its line;
        # cheaper than a window function over millions of rows.
        # An optional column the file leaves out is read as empty on every line.
        picked = ", ".join(f'"{c}"' if c in names else f"'' AS \"{c}\"" for c in COLUMNS)
        con.execute(f"CREATE TABLE raw_rows AS SELECT {picked} FROM {source}")
    except duckdb.Error as exc:
        raise _refused(path, *_explain_read_error(path, exc)) from None
    count = con.execute("SELECT count(*) FROM raw_rows").fetchall()[0][0]
    # Lines are physical lines: when a quoted field holds a newline or a line is blank, rows
    # and lines part ways, and each row's line is read from the file (ingest.lines).
    physical = None if first_line == 1 else data_row_lines(path, count)
    if physical is None:
        con.execute(f"CREATE VIEW raw AS SELECT rowid + {first_line} AS line_no, * FROM raw_rows")
    else:
        con.register("row_lines", pa.table({"row_id": pa.array(range(count), pa.int64()),
                                            "line_no": pa.array(physical, pa.int64())}))
        con.execute("CREATE TABLE row_line AS SELECT * FROM row_lines")
        con.unregister("row_lines")
        con.execute("CREATE VIEW raw AS SELECT l.line_no, r.* FROM (SELECT rowid AS row_id, * FROM raw_rows) r "
                    "JOIN row_line l USING (row_id)")
    if count == 0:
        raise _refused(path, "the file has a header but no rows")
    return count


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as handle:
        first = handle.readline()  # only line 1: a bad byte further down is named by its own line
    try:
        header = next(csv.reader([first.decode("utf-8-sig")]), None)
    except UnicodeDecodeError:
        raise _refused(path, "not UTF-8 text; save the file as UTF-8 CSV", 1) from None
    if not header:
        raise _refused(path, "the file is empty; expected a header row naming the columns")
    return [h.strip() for h in header]


def _check_header(path: Path, names: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in names and c not in OPTIONAL_COLUMNS]
    if missing:
        raise _refused(path, f"missing column(s) {', '.join(missing)}; the layout is documented in docs/ingest.md", 1)
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise _refused(path, f"column(s) named twice: {', '.join(duplicated)}", 1)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _refused(path: Path, reason: str, line: int | None = None) -> IngestError:
    """The error refusing a whole file: 'enc.csv: line 1: reason', with its Problem."""
    where = f"line {line}: " if line is not None else ""
    return IngestError(f"{path.name}: {where}{reason}", problems=[Problem(file=str(path), line=line, reason=reason)])


def _explain_read_error(path: Path, exc: Exception) -> tuple[str, int | None]:
    """(reason, line) of a file DuckDB cannot read as CSV."""
    text = str(exc)
    found = re.search(r"[Ll]ine:?\s*(\d+)", text)
    # DuckDB names the record (blank lines counted); the message names the physical line
    line = record_line(path, int(found.group(1))) if found else None
    if "unicode" in text.lower() or "utf" in text.lower():
        bad = first_bad_utf8(path)
        if bad is not None:
            return f"byte {bad[1]} is not UTF-8 text; save the file as UTF-8 CSV", bad[0]
    size = re.search(r"Maximum line size of (\d+) bytes exceeded", text)
    if size:
        return (f"the line is longer than {int(size.group(1)):,} bytes (a field that "
                "large is not an encounter's): nothing was loaded"), line
    text = text.split("\n  file = ")[0]  # the reader's settings follow: they would match 'quote'
    expected = re.search(r"Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)", text)
    if expected:
        return (f"expected {expected.group(1)} fields, found {expected.group(2)}; "
                "the file looks truncated or a row is malformed: nothing was loaded"), line
    if "unicode" in text.lower() or "utf" in text.lower():
        return "not valid UTF-8 text; save the file as UTF-8 CSV", line
    if "quote" in text.lower():
        return "an unterminated quoted field; the file looks truncated: nothing was loaded", line
    return f"cannot be read as CSV ({_first_line(exc)})", line


# ---- validation ----------------------------------------------------------------------------


def _validate(con: duckdb.DuckDBPyConnection, validator: CodeValidator, lake: Lake,
              vocabulary: Vocabulary | None = None) -> None:
    # The layout's rules (the same for every reader of the layout), then the lake's own.
    layout.validate(con, validator, vocabulary)
    # An encounter already in the lake (loaded from another file) is not loaded again.
    _reject_already_in_lake(con, lake, lake.files("encounters"), among="encounters_parsed")
    _split_encounters(con)


def _reject_already_in_lake(con: duckdb.DuckDBPyConnection, lake: Lake, existing: list[Path], *,
                            among: str) -> int:
    """Reject the encounters of `among` that are already in the given lake files; how many."""
    if not existing:
        return 0
    listing = ", ".join(_sql_path(p) for p in existing)
    ids = [row[0] for row in con.execute(
        f"SELECT encounter_id FROM {among} WHERE encounter_id IS NOT NULL").fetchall()]
    con.register("file_keys", pa.table({"encounter_id": ids, "encounter_key": source_keys(ids)}))
    sources = {r.load_id: r.source_name for r in lake.loads()}
    con.register("load_sources", pa.table({"load_id": list(sources), "source_name": list(sources.values())}))
    before = con.execute("SELECT count(*) FROM line_errors").fetchone()[0]
    con.execute(
        f"""
        INSERT INTO line_errors
        SELECT any_value(p.first_line), k.encounter_id, 'encounter_id', k.encounter_id,
               'already in the lake, loaded from ' || any_value(s.source_name)
        FROM file_keys k
        JOIN encounters_parsed p USING (encounter_id)
        JOIN (SELECT encounter_key, load_id FROM read_parquet([{listing}], union_by_name = true)
              WHERE origin = 'coded') e USING (encounter_key)
        LEFT JOIN load_sources s USING (load_id)
        GROUP BY k.encounter_id
        """
    )
    return con.execute("SELECT count(*) FROM line_errors").fetchone()[0] - before


def _split_encounters(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        CREATE OR REPLACE TABLE bad_encounters AS
        SELECT DISTINCT encounter_id FROM line_errors WHERE encounter_id IS NOT NULL;
        CREATE OR REPLACE TABLE good_encounters AS
        SELECT encounter_id FROM encounters_parsed
        WHERE encounter_id IS NOT NULL AND encounter_id NOT IN (SELECT encounter_id FROM bad_encounters);
        """
    )


def _write_rejects(con: duckdb.DuckDBPyConnection, path: Path, sha: str, rejects_dir: Path | None) -> Path:
    # Every line of a rejected encounter is listed: its own faults, or the line that sank it.
    cursor = con.execute(
        """
        SELECT line_no AS line, encounter_id, field, value, reason FROM line_errors
        UNION ALL
        SELECT l.line_no, l.encounter_id, '', NULL,
               'encounter rejected because of line ' || (SELECT min(line_no) FROM line_errors e
                                                           WHERE e.encounter_id = l.encounter_id)
        FROM lines l
        WHERE l.encounter_id IN (SELECT encounter_id FROM bad_encounters)
          AND l.line_no NOT IN (SELECT line_no FROM line_errors)
        ORDER BY line, field
        """
    )

    def problems():
        while rows := cursor.fetchmany(10_000):
            for line, encounter_id, fld, value, reason in rows:
                yield Problem(file=str(path), line=line, record=encounter_id or "", field=fld or "",
                              value="" if value is None else str(value), reason=reason)

    return contract.write_rejects(path, sha, problems(), rejects_dir, record_column="encounter_id")


# ---- MS-DRG --------------------------------------------------------------------------------


_PARALLEL_GROUPING_FROM = 40_000  # below this, starting worker processes costs more than it saves
_worker_grouper: Grouper | None = None


def _group_chunk(rows: list[tuple]) -> list[tuple]:
    """Group a chunk of inpatient encounters: (id, discharge, age, sex, status, dx, poa, px, exempt)."""
    global _worker_grouper
    if _worker_grouper is None:
        _worker_grouper = Grouper()
        atexit.register(_worker_grouper.close)
    return _group_with(_worker_grouper, rows)


def _group_with(grouper: Grouper, rows: list[tuple]) -> list[tuple]:
    out = []
    for encounter_id, discharge, age, sex, status, dx, poa, px, exempt in rows:
        grouped = grouper.group(
            discharge_date=discharge, age=age, sex=sex, discharge_status=status,
            diagnoses=list(zip(dx or [], poa or [], strict=True)), procedures=px or [], poa_exempt=exempt,
        )
        out.append((encounter_id, grouped.drg, grouped.weight, grouped.version,
                    status not in valid_discharge_statuses(discharge), grouped.return_code))
    return out


def _group_drgs(con: duckdb.DuckDBPyConnection, grouper: Grouper, tick: Callable[[float], None],
                exempt: set[str] = frozenset()) -> None:
    rows = con.execute(
        """
        SELECT e.encounter_id, any_value(e.discharge_date), any_value(e.age), any_value(e.sex),
               any_value(e.discharge_status),
               list(l.code ORDER BY l.sequence) FILTER (WHERE l.code_system = 'ICD10CM'),
               list(l.poa ORDER BY l.sequence) FILTER (WHERE l.code_system = 'ICD10CM'),
               list(l.code ORDER BY l.sequence) FILTER (WHERE l.code_system = 'ICD10PCS'),
               any_value(e.facility)
        FROM encounters_parsed e
        JOIN good_encounters g USING (encounter_id)
        JOIN lines l USING (encounter_id)
        WHERE e.encounter_type = 'inpatient'
        GROUP BY e.encounter_id
        """
    ).fetchall()
    rows = [(*row[:8], facility_match_key(row[8]) in exempt) for row in rows]
    chunk = 10_000
    chunks = [rows[i : i + chunk] for i in range(0, len(rows), chunk)]
    grouped: list[tuple] = []
    if len(rows) >= _PARALLEL_GROUPING_FROM and (os.cpu_count() or 1) > 1:
        # The grouper is single-threaded native code behind a JSON interface; worker processes
        # (spawned, not forked: DuckDB's threads are running) use every core.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=os.cpu_count(), mp_context=context) as pool:
            for i, part in enumerate(pool.map(_group_chunk, chunks)):
                grouped.extend(part)
                tick((i + 1) / len(chunks))
    else:
        for i, part in enumerate(chunks):
            grouped.extend(_group_with(grouper, part))
            tick((i + 1) / len(chunks))
    ids, drgs, weights, versions, bad_status, codes = (
        (list(column) for column in zip(*grouped, strict=True)) if grouped else ([], [], [], [], [], []))
    con.register(
        "drg_arrow",
        pa.table(
            {
                "encounter_id": pa.array(ids, pa.string()),
                "drg": pa.array(drgs, pa.int16()),
                "drg_weight": pa.array(weights, pa.decimal128(8, 4)),
                "grouper_version": pa.array(versions, pa.int16()),
                "invalid_status": pa.array(bad_status, pa.bool_()),
                "return_code": pa.array(codes, pa.string()),
            }
        ),
    )
    con.execute("CREATE TABLE drgs AS SELECT * FROM drg_arrow")
    con.unregister("drg_arrow")


# ---- lake tables ---------------------------------------------------------------------------


def _lake_tables(con: duckdb.DuckDBPyConnection, load_id: str) -> tuple[pa.Table, pa.Table]:
    ids = [row[0] for row in con.execute("SELECT encounter_id FROM good_encounters ORDER BY encounter_id").fetchall()]
    con.register(
        "keys_arrow",
        pa.table({"encounter_id": ids, "encounter_key": source_keys(ids), "source_id_enc": encrypt_source_ids(ids)}),
    )
    encounters = con.sql(
        f"""
        SELECT k.encounter_key, k.source_id_enc, 'coded' AS origin,
               e.facility, e.encounter_type, e.specialty, e.admit_date, e.discharge_date,
               coalesce(e.service_date, e.admit_date) AS service_date, e.sex, e.age, e.discharge_status,
               e.coder_id, e.vendor, e.received_at, e.coded_at, e.priority,
               CAST(year(e.code_date) + CASE WHEN month(e.code_date) >= 10 THEN 1 ELSE 0 END AS SMALLINT)
                   AS fiscal_year,
               e.drg_given, d.drg, d.drg_weight,
               CASE WHEN e.drg_given IS NULL OR d.drg IS NULL THEN NULL ELSE e.drg_given <> d.drg END AS drg_mismatch,
               d.grouper_version, '{load_id}' AS load_id
        FROM encounters_parsed e
        JOIN good_encounters USING (encounter_id)
        JOIN keys_arrow k USING (encounter_id)
        LEFT JOIN drgs d USING (encounter_id)
        """
    ).to_arrow_table()
    code_lines = con.sql(
        f"""
        SELECT k.encounter_key, l.code_system, l.code, l.sequence, l.poa,
               l.modifiers, l.units, '{load_id}' AS load_id
        FROM lines l JOIN keys_arrow k USING (encounter_id)
        """
    ).to_arrow_table()
    con.unregister("keys_arrow")
    return encounters.cast(ENCOUNTERS), code_lines.cast(CODE_LINES)


def _summary(con: duckdb.DuckDBPyConnection) -> dict:
    by_vendor = dict(
        con.execute(
            "SELECT vendor, count(*) FROM encounters_parsed JOIN good_encounters USING (encounter_id) "
            "GROUP BY vendor ORDER BY vendor"
        ).fetchall()
    )
    computed, mismatches = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE e.drg_given IS NOT NULL AND e.drg_given <> d.drg)
        FROM drgs d JOIN encounters_parsed e USING (encounter_id) JOIN good_encounters USING (encounter_id)
        """
    ).fetchone()
    missing = {
        missing_label(fiscal_year_of_release(version)): count
        for version, count in con.execute(
            "SELECT grouper_version, count(*) FROM drgs WHERE drg NOT IN (998, 999) AND drg_weight IS NULL "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
    }
    merged: dict[str, int] = {}
    for label, count in missing.items():  # the October and April releases of a year are one year
        merged[label] = merged.get(label, 0) + count
    invalid, invalid_999 = con.execute(
        "SELECT count(*) FILTER (WHERE invalid_status), "
        "count(*) FILTER (WHERE return_code = 'INVALID_DISCHARGE_STATUS') FROM drgs"
    ).fetchone()
    names = layout.new_names(
        con, "SELECT * FROM encounters_parsed WHERE encounter_id IN (SELECT encounter_id FROM good_encounters)"
    )
    return {"encounters_by_vendor": by_vendor, "drg_computed": computed, "drg_mismatches": mismatches,
            "weight_missing": merged, "invalid_discharge_status": invalid, "invalid_status_999": invalid_999,
            "new_names": [n.as_dict() for n in names]}


__all__ = ["COLUMNS", "EncountersResult", "FileResult", "IngestError", "ingest_encounter_file", "ingest_encounter_files"]

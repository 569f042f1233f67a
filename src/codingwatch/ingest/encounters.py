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
- every rejected line is written to a rejects CSV: line, encounter, field, value, reason.
"""

from __future__ import annotations

import atexit
import csv
import multiprocessing
import os
import re
from collections.abc import Callable, Collection
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from codingwatch import config
from codingwatch.codesets import COVERED_FISCAL_YEARS, CodeValidator, Grouper
from codingwatch.codesets.calendar import _RELEASES
from codingwatch.ingest.lines import data_row_lines, first_bad_utf8, record_line
from codingwatch.codesets.cms_tables import valid_discharge_statuses
from codingwatch.codesets.drg import facility_match_key
from codingwatch.codesets.weights import fiscal_year_of_release, missing_label
from codingwatch.lake import Lake
from codingwatch.lake.keys import encrypt_source_ids, source_keys
from codingwatch.lake.schema import CODE_LINES, ENCOUNTERS
from codingwatch.lake.store import file_sha256, new_load_id
from codingwatch.spreadsheet import neutralize_sql
from codingwatch.vocabulary import CODE_SYSTEMS, ENCOUNTER_TYPES, POA_VALUES, SEXES, SPECIALTIES

KIND = "encounters"

COLUMNS: tuple[str, ...] = (
    "encounter_id",
    "facility",
    "encounter_type",
    "specialty",
    "admit_date",
    "discharge_date",
    "service_date",
    "sex",
    "age",
    "discharge_status",
    "coder_id",
    "vendor",
    "received_at",
    "coded_at",
    "code_system",
    "code",
    "sequence",
    "poa",
    "modifiers",
    "units",
    "drg",
)

_ID_SHAPE = r"^[A-Za-z0-9._:/#-]{1,64}$"


class IngestError(ValueError):
    """A whole file cannot be loaded; the message names the file, line and reason."""


@dataclass
class FileResult:
    file: str
    status: str  # loaded | skipped | rejected
    message: str = ""
    load_id: str | None = None
    lines_read: int = 0
    encounters_loaded: int = 0
    lines_loaded: int = 0
    encounters_rejected: int = 0
    lines_rejected: int = 0
    drg_computed: int = 0
    drg_mismatches: int = 0
    weight_missing: dict[str, int] = field(default_factory=dict)  # "weight missing (FY2025)" -> encounters
    invalid_discharge_status: int = 0  # inpatient encounters whose status is not on the CMS list
    rejects_file: str | None = None
    encounters_by_vendor: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


Progress = Callable[[str, float], None]  # (step description, fraction done of this file)


def ingest_encounter_files(
    paths: list[Path],
    *,
    lake: Lake,
    strict: bool = False,
    rejects_dir: Path | None = None,
    progress: Progress | None = None,
    poa_exempt_facilities: Collection[str] = (),
) -> list[FileResult]:
    results = []
    with CodeValidator() as validator, Grouper() as grouper:
        for path in paths:
            results.append(
                ingest_encounter_file(
                    Path(path), lake=lake, strict=strict, rejects_dir=rejects_dir,
                    validator=validator, grouper=grouper, progress=progress,
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
) -> FileResult:
    """`poa_exempt_facilities`: facilities exempt from POA reporting (grouped with the CMS
    EXEMPT hospital status), matched ignoring case, spaces and punctuation."""
    tick = progress or (lambda step, fraction: None)
    result = FileResult(file=str(path), status="rejected")
    if not path.is_file():
        result.message = f"{path}: no such file"
        return result
    tick("checking whether the file is new", 0.02)
    sha = file_sha256(path)
    previous = lake.find_load(KIND, sha)
    if previous is not None:
        return _skipped(result, path, previous)

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
            result.message = str(exc)
            return result
        tick("validating", 0.25)
        checked = set(lake.files("encounters"))
        _validate(con, validator, lake)
        previous = lake.find_load(KIND, sha)  # another load of this file committed while we validated
        if previous is not None:
            return _skipped(result, path, previous)
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
                return _skipped(result, path, previous)
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
        result.encounters_loaded = encounters.num_rows
        result.lines_loaded = code_lines.num_rows
        result.drg_computed = summary["drg_computed"]
        result.drg_mismatches = summary["drg_mismatches"]
        result.weight_missing = summary["weight_missing"]
        result.invalid_discharge_status = summary["invalid_discharge_status"]
        result.encounters_by_vendor = summary["encounters_by_vendor"]
        result.message = f"{path.name}: loaded {encounters.num_rows} encounters ({code_lines.num_rows} code lines)"
        if result.encounters_rejected:
            result.message += f"; rejected {result.encounters_rejected} (see {result.rejects_file})"
        for label, count in result.weight_missing.items():
            result.message += f"; {count} inpatient encounter(s) loaded and grouped but flagged {label}"
        if result.invalid_discharge_status:
            result.message += (f"; {result.invalid_discharge_status} with a discharge status not on the CMS list "
                               f"({summary['invalid_status_999']} grouped to DRG 999, invalid discharge status)")
        tick("done", 1.0)
        return result
    finally:
        con.close()
        if own_validator:
            validator.close()
        if own_grouper:
            grouper.close()


def _skipped(result: FileResult, path: Path, previous) -> FileResult:
    result.status = "skipped"
    result.load_id = previous.load_id
    result.message = f"{path.name}: already loaded on {previous.loaded_at} (load {previous.load_id}); nothing to do"
    return result


def _tally(con: duckdb.DuckDBPyConnection, result: FileResult, path: Path, sha: str, rejects_dir: Path | None,
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
            raise IngestError(f"{path.name}: not a readable Parquet file ({_first_line(exc)})") from None
        _check_header(path, names)
        casts = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in COLUMNS)
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
    try:
        # Rows keep the file's order (preserve_insertion_order), so a row's rowid gives its line;
        # cheaper than a window function over millions of rows.
        con.execute("CREATE TABLE raw_rows AS SELECT " + ", ".join(f'"{c}"' for c in COLUMNS) + f" FROM {source}")
    except duckdb.Error as exc:
        raise IngestError(_explain_read_error(path, exc)) from None
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
        raise IngestError(f"{path.name}: the file has a header but no rows")
    return count


def _csv_header(path: Path) -> list[str]:
    with open(path, "rb") as handle:
        first = handle.readline()  # only line 1: a bad byte further down is named by its own line
    try:
        header = next(csv.reader([first.decode("utf-8-sig")]), None)
    except UnicodeDecodeError:
        raise IngestError(f"{path.name}: line 1: not UTF-8 text; save the file as UTF-8 CSV") from None
    if not header:
        raise IngestError(f"{path.name}: the file is empty; expected a header row naming the columns")
    return [h.strip() for h in header]


def _check_header(path: Path, names: list[str]) -> None:
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise IngestError(
            f"{path.name}: line 1: missing column(s) {', '.join(missing)}; "
            f"the layout is documented in docs/ingest.md"
        )
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise IngestError(f"{path.name}: line 1: column(s) named twice: {', '.join(duplicated)}")


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _explain_read_error(path: Path, exc: Exception) -> str:
    text = str(exc)
    line = re.search(r"[Ll]ine:?\s*(\d+)", text)
    # DuckDB names the record (blank lines counted); the message names the physical line
    where = f"line {record_line(path, int(line.group(1)))}: " if line else ""
    if "unicode" in text.lower() or "utf" in text.lower():
        bad = first_bad_utf8(path)
        if bad is not None:
            return f"{path.name}: line {bad[0]}: byte {bad[1]} is not UTF-8 text; save the file as UTF-8 CSV"
    size = re.search(r"Maximum line size of (\d+) bytes exceeded", text)
    if size:
        return (f"{path.name}: {where}the line is longer than {int(size.group(1)):,} bytes (a field that "
                "large is not an encounter's): nothing was loaded")
    text = text.split("\n  file = ")[0]  # the reader's settings follow: they would match 'quote'
    expected = re.search(r"Expected Number of Columns:\s*(\d+)\s*Found:\s*(\d+)", text)
    if expected:
        return (
            f"{path.name}: {where}expected {expected.group(1)} fields, found {expected.group(2)}; "
            "the file looks truncated or a row is malformed: nothing was loaded"
        )
    if "unicode" in text.lower() or "utf" in text.lower():
        return f"{path.name}: {where}not valid UTF-8 text; save the file as UTF-8 CSV"
    if "quote" in text.lower():
        return f"{path.name}: {where}an unterminated quoted field; the file looks truncated: nothing was loaded"
    return f"{path.name}: {where}cannot be read as CSV ({_first_line(exc)})"


# ---- validation ---------------------------------------------------------------------------


def _in_list(values: tuple[str, ...]) -> str:
    return "(" + ", ".join("'" + v + "'" for v in values) + ")"


def _has_offset(column: str) -> str:
    """SQL: the timestamp text is YYYY-MM-DD, T or a space, a time, and ends in Z or a UTC offset
    (+05:30, -0500, +05) within +-14:00. String tests, not a regular expression, because this
    runs on every encounter of files with millions of lines."""
    text = f"trim({column})"
    return (
        f"(length({text}) >= 16 AND substr({text}, 5, 1) = '-' AND substr({text}, 8, 1) = '-' "
        f"AND substr({text}, 11, 1) IN ('T', ' ') "
        f"AND (right({text}, 1) = 'Z' OR coalesce({_offset_minutes(column)} <= {MAX_OFFSET_MINUTES}, false)))"
    )


# UTC offsets in use run from -12:00 to +14:00 (Kiribati); ISO 8601 allows any, DuckDB and
# pandas accept +23:59 and shift the instant by a day: beyond +-14:00 is a typing mistake.
MAX_OFFSET_MINUTES = 14 * 60


def _offset_minutes(column: str) -> str:
    """SQL: the size in minutes of the text's trailing UTC offset (+05:30, -0500, +05); NULL when
    there is none or its minutes are not 00-59."""
    t = f"trim({column})"
    n = f"length({t})"

    def at(start: str) -> str:
        return f"TRY_CAST(substr({t}, {start}, 2) AS INTEGER)"

    def total(hours: str, minutes: str) -> str:
        return f"CASE WHEN {minutes} < 60 THEN {hours} * 60 + {minutes} END"

    return (
        f"(CASE WHEN substr({t}, {n} - 5, 1) IN ('+', '-') AND substr({t}, {n} - 2, 1) = ':' "
        f"THEN {total(at(f'{n} - 4'), at(f'{n} - 1'))} "
        f"WHEN substr({t}, {n} - 4, 1) IN ('+', '-') THEN {total(at(f'{n} - 3'), at(f'{n} - 1'))} "
        f"WHEN substr({t}, {n} - 2, 1) IN ('+', '-') AND {n} <= 22 THEN {at(f'{n} - 1')} * 60 END)"
    )


def _date(column: str) -> str:
    """SQL: the text as a DATE when it is YYYY-MM-DD (DuckDB also reads 10000-01-01 and 2026-1-5)."""
    return (f"CASE WHEN length({column}) = 10 AND substr({column}, 5, 1) = '-' AND substr({column}, 8, 1) = '-' "
            f"THEN TRY_CAST({column} AS DATE) END")


def _release_case(column: str) -> str:
    """SQL mapping a date to the code-set release in force (NULL outside covered years)."""
    arms = []
    for fy, (october, april) in _RELEASES.items():
        arms.append(f"WHEN {column} BETWEEN DATE '{fy - 1}-10-01' AND DATE '{fy}-03-31' THEN {october}")
        arms.append(f"WHEN {column} BETWEEN DATE '{fy}-04-01' AND DATE '{fy}-09-30' THEN {april}")
    return "CASE " + " ".join(arms) + " ELSE NULL END"


# Encounter fields: repeated on each line of an encounter, parsed once per encounter from its
# first line (the others are only compared with it).
_ENCOUNTER_COLUMNS = COLUMNS[1:14] + ("drg",)


def _line_checks(covered: str) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str, str]]]:
    """(field, value, condition, reason) checks: on the encounter (its first line) and on each line."""
    encounter = [
        ("encounter_id", "encounter_id", f"NOT regexp_matches(encounter_id, '{_ID_SHAPE}')",
         "'must be 1-64 letters, digits or . _ : / # -'"),
        ("facility", "facility", "facility IS NULL", "'required'"),
        ("encounter_type", "encounter_type", f"encounter_type NOT IN {_in_list(ENCOUNTER_TYPES)}",
         f"'must be one of {', '.join(ENCOUNTER_TYPES)}'"),
        ("specialty", "specialty", f"specialty NOT IN {_in_list(SPECIALTIES)}",
         f"'must be one of {', '.join(SPECIALTIES)}'"),
        ("admit_date", "admit_date_raw", "admit_date_raw <> '' AND admit_date IS NULL", "'not a date (YYYY-MM-DD)'"),
        ("admit_date", "admit_date_raw", "encounter_type = 'inpatient' AND coalesce(admit_date_raw, '') = ''",
         "'required for inpatient encounters'"),
        ("discharge_date", "discharge_date_raw", "discharge_date_raw <> '' AND discharge_date IS NULL",
         "'not a date (YYYY-MM-DD)'"),
        ("discharge_date", "discharge_date_raw",
         "encounter_type = 'inpatient' AND coalesce(discharge_date_raw, '') = ''",
         "'required for inpatient encounters'"),
        ("discharge_date", "discharge_date_raw", "discharge_date < admit_date",
         "'before admit_date ' || admit_date::VARCHAR"),
        ("service_date", "service_date_raw", "service_date_raw <> '' AND service_date IS NULL",
         "'not a date (YYYY-MM-DD)'"),
        ("service_date", "service_date_raw",
         "encounter_type <> 'inpatient' AND coalesce(service_date_raw, '') = ''",
         "'required for ' || encounter_type || ' encounters'"),
        ("service_date", "service_date_raw",
         "encounter_type = 'inpatient' AND service_date IS NOT NULL AND admit_date IS NOT NULL "
         "AND discharge_date IS NOT NULL AND (service_date < admit_date OR service_date > discharge_date)",
         "'outside the stay ' || admit_date::VARCHAR || ' to ' || discharge_date::VARCHAR"),
        ("sex", "sex", f"sex NOT IN {_in_list(SEXES)}", "'must be M, F or U'"),
        ("age", "age_raw", "age IS NULL OR age < 0 OR age > 124", "'must be a whole number of years, 0 to 124'"),
        ("discharge_status", "discharge_status_raw",
         "discharge_status_raw <> '' AND (discharge_status IS NULL OR discharge_status < 0 OR discharge_status > 99)",
         "'must be a CMS discharge status code such as 01'"),
        ("discharge_status", "discharge_status_raw",
         "encounter_type = 'inpatient' AND coalesce(discharge_status_raw, '') = ''",
         "'required for inpatient encounters'"),
        ("coder_id", "coder_id", "coder_id IS NULL", "'required'"),
        ("vendor", "vendor", "vendor IS NULL", "'required (use the in-house team''s name for employees)'"),
        ("received_at", "received_at_raw", f"received_at IS NULL AND NOT coalesce({_offset_minutes('received_at_raw')} > {MAX_OFFSET_MINUTES}, false)",
         "'not an ISO 8601 timestamp with a UTC offset (e.g. 2026-01-05T09:30:00-05:00)'"),
        ("received_at", "received_at_raw", f"{_offset_minutes('received_at_raw')} > {MAX_OFFSET_MINUTES}",
         "'UTC offset beyond +-14:00 (the widest in use): the time would move by a day or more'"),
        ("coded_at", "coded_at_raw", f"coded_at IS NULL AND NOT coalesce({_offset_minutes('coded_at_raw')} > {MAX_OFFSET_MINUTES}, false)",
         "'not an ISO 8601 timestamp with a UTC offset (e.g. 2026-01-05T09:30:00-05:00)'"),
        ("coded_at", "coded_at_raw", f"{_offset_minutes('coded_at_raw')} > {MAX_OFFSET_MINUTES}",
         "'UTC offset beyond +-14:00 (the widest in use): the time would move by a day or more'"),
        ("coded_at", "coded_at_raw", "coded_at < received_at", "'before received_at ' || received_at_raw"),
        ("drg", "drg_raw", "drg_raw IS NOT NULL AND (drg_given IS NULL OR drg_given < 1 OR drg_given > 999)",
         "'must be an MS-DRG number from 001 to 999'"),
    ]
    line = [
        ("encounter_id", "encounter_id", "encounter_id IS NULL", "'required'"),
        ("code_system", "code_system", f"code_system NOT IN {_in_list(CODE_SYSTEMS)}",
         f"'must be one of {', '.join(CODE_SYSTEMS)}'"),
        ("code", "code", "coalesce(code, '') = ''", "'required'"),
        ("code", "code",
         "code_date IS NOT NULL AND release IS NULL AND code_system IN ('ICD10CM', 'ICD10PCS')",
         f"'date ' || code_date::VARCHAR || ' is outside the installed code sets ({covered})'"),
        ("code", "code", "code_reason IS NOT NULL", "code_reason"),
        ("code_system", "code_system",
         "encounter_type = 'inpatient' AND code_system IN ('CPT', 'HCPCS')",
         "'inpatient procedures are coded in ICD10PCS'"),
        ("code_system", "code_system",
         "encounter_type <> 'inpatient' AND code_system = 'ICD10PCS'",
         "'ICD10PCS is for inpatient procedures; use CPT or HCPCS'"),
        ("sequence", "sequence_raw", "sequence IS NULL OR sequence < 1", "'must be a whole number from 1'"),
        ("poa", "poa", f"poa <> '' AND poa NOT IN {_in_list(POA_VALUES)}", "'must be Y, N, U, W, 1 or blank'"),
        ("poa", "poa", "encounter_type = 'inpatient' AND code_system = 'ICD10CM' AND poa = ''",
         "'required on inpatient diagnoses (Y, N, U, W or 1 for exempt)'"),
        ("units", "units_raw", "units IS NULL OR units <= 0", "'must be a positive number'"),
    ]
    return encounter, line


def _failures(checks: list[tuple[str, str, str, str]], source: str, line_column: str) -> str:
    """SQL listing (line_no, encounter_id, field, value, reason) of every failed check, in one pass."""
    arms = ",\n".join(
        f"CASE WHEN ({condition}) THEN {{'field': '{fld}', 'value': CAST({value} AS VARCHAR), 'reason': {reason}}} END"
        for fld, value, condition, reason in checks
    )
    return f"""
        SELECT line_no, encounter_id, e.field, e.value, e.reason
        FROM (
            SELECT {line_column} AS line_no, encounter_id,
                   unnest(list_filter([{arms}], lambda x: x IS NOT NULL)) AS e
            FROM {source}
        )
    """


def _validate(con: duckdb.DuckDBPyConnection, validator: CodeValidator, lake: Lake) -> None:
    raw_columns = ", ".join(_ENCOUNTER_COLUMNS)
    firsts = ", ".join(f"trim(r.{c}) AS {c}" for c in _ENCOUNTER_COLUMNS)
    # One row per encounter from its first line; `disagree` when another line's fields hash
    # differently (only those encounters are compared field by field below).
    con.execute(
        f"""
        CREATE TABLE encounter_text AS
        WITH groups AS (
            SELECT encounter_id, min(line_no) AS first_line, min(fields_hash) <> max(fields_hash) AS disagree
            FROM (SELECT line_no, nullif(trim(encounter_id), '') AS encounter_id,
                         hash({raw_columns}) AS fields_hash FROM raw)
            GROUP BY encounter_id
        )
        SELECT g.encounter_id, g.first_line, g.disagree, {firsts}
        FROM groups g JOIN raw r ON r.line_no = g.first_line
        """
    )
    con.execute(
        f"""
        CREATE TABLE encounters_parsed AS
        SELECT *, {_release_case("code_date")} AS release FROM (
        SELECT *, CASE WHEN encounter_type = 'inpatient' THEN discharge_date ELSE service_date END AS code_date
        FROM (SELECT
            encounter_id, first_line, disagree,
            nullif(facility, '') AS facility,
            lower(encounter_type) AS encounter_type,
            lower(specialty) AS specialty,
            admit_date AS admit_date_raw, {_date('admit_date')} AS admit_date,
            discharge_date AS discharge_date_raw, {_date('discharge_date')} AS discharge_date,
            service_date AS service_date_raw, {_date('service_date')} AS service_date,
            upper(sex) AS sex,
            age AS age_raw, TRY_CAST(age AS SMALLINT) AS age,
            discharge_status AS discharge_status_raw, TRY_CAST(discharge_status AS SMALLINT) AS discharge_status,
            nullif(coder_id, '') AS coder_id,
            nullif(vendor, '') AS vendor,
            received_at AS received_at_raw,
            CASE WHEN {_has_offset('received_at')} THEN TRY_CAST(received_at AS TIMESTAMPTZ) END AS received_at,
            coded_at AS coded_at_raw,
            CASE WHEN {_has_offset('coded_at')} THEN TRY_CAST(coded_at AS TIMESTAMPTZ) END AS coded_at,
            nullif(drg, '') AS drg_raw, TRY_CAST(nullif(drg, '') AS SMALLINT) AS drg_given
        FROM encounter_text))
        """
    )
    con.execute(
        """
        CREATE TABLE lines AS
        SELECT r.line_no, e.encounter_type, e.code_date, e.release,
            nullif(trim(r.encounter_id), '') AS encounter_id,
            upper(trim(r.code_system)) AS code_system,
            upper(replace(trim(r.code), '.', '')) AS code,
            trim(r.sequence) AS sequence_raw, TRY_CAST(trim(r.sequence) AS SMALLINT) AS sequence,
            upper(coalesce(trim(r.poa), '')) AS poa,
            upper(replace(replace(replace(coalesce(trim(r.modifiers), ''), ' ', ''), ',', ';'), ';;', ';')) AS modifiers,
            coalesce(nullif(trim(r.units), ''), '1') AS units_raw,
            TRY_CAST(coalesce(nullif(trim(r.units), ''), '1') AS DECIMAL(9, 2)) AS units
        FROM raw r LEFT JOIN encounters_parsed e ON e.encounter_id = nullif(trim(r.encounter_id), '')
        """
    )
    # Code validity: one Medicare Code Editor question per distinct (system, code, release).
    distinct = con.execute(
        "SELECT code_system, code, release, min(code_date) FROM lines "
        f"WHERE code_system IN {_in_list(CODE_SYSTEMS)} AND code <> '' AND code_date IS NOT NULL "
        "GROUP BY ALL"
    ).fetchall()
    verdicts = []
    for system, code, release, day in distinct:
        check = validator.check(system, code, day)
        if not check.ok:
            verdicts.append((system, code, -1 if release is None else release, check.reason))
    con.execute("CREATE TABLE code_verdicts (code_system VARCHAR, code VARCHAR, release INTEGER, reason VARCHAR)")
    if verdicts:
        con.executemany("INSERT INTO code_verdicts VALUES (?, ?, ?, ?)", verdicts)

    encounter_checks, line_checks = _line_checks(f"FY{COVERED_FISCAL_YEARS[0]}-FY{COVERED_FISCAL_YEARS[-1]}")
    con.execute(
        "CREATE TABLE line_errors AS "
        + _failures(encounter_checks, "encounters_parsed WHERE encounter_id IS NOT NULL", "first_line")
        + " UNION ALL "
        + _failures(
            line_checks,
            "(SELECT c.*, v.reason AS code_reason FROM lines c LEFT JOIN code_verdicts v "
            "ON v.code_system = c.code_system AND v.code = c.code AND v.release = coalesce(c.release, -1))",
            "line_no",
        )
    )

    # Lines of one encounter must agree on the encounter's fields: compare, column by column,
    # only the encounters whose lines did not all hash alike.
    disagree = ",\n".join(
        f"CASE WHEN trim(r.{c}) IS DISTINCT FROM f.{c} THEN {{'field': '{c}', "
        f"'value': trim(r.{c}), 'reason': 'differs from line ' || f.first_line || "
        f"' of the same encounter (' || coalesce(nullif(f.{c}, ''), 'blank') || ')'}} END"
        for c in _ENCOUNTER_COLUMNS
    )
    con.execute(
        f"""
        INSERT INTO line_errors
        SELECT line_no, encounter_id, e.field, e.value, e.reason FROM (
            SELECT r.line_no, f.encounter_id, unnest(list_filter([{disagree}], lambda x: x IS NOT NULL)) AS e
            FROM raw r JOIN (SELECT * FROM encounter_text WHERE disagree) f
              ON f.encounter_id = nullif(trim(r.encounter_id), '')
        )
        """
    )
    con.execute(
        """
        INSERT INTO line_errors
        SELECT l.line_no, l.encounter_id, 'sequence', CAST(l.sequence AS VARCHAR),
               'sequence ' || l.sequence || ' of ' || l.code_system || ' also on line ' || d.first_line
        FROM lines l JOIN (
            SELECT encounter_id, code_system, sequence, min(line_no) AS first_line
            FROM lines WHERE sequence IS NOT NULL GROUP BY ALL HAVING count(*) > 1
        ) d USING (encounter_id, code_system, sequence)
        WHERE l.line_no <> d.first_line;

        INSERT INTO line_errors
        SELECT e.first_line, e.encounter_id, 'sequence', NULL,
               'inpatient encounter has no principal diagnosis (ICD10CM line with sequence 1)'
        FROM encounters_parsed e
        WHERE e.encounter_type = 'inpatient' AND e.encounter_id NOT IN (
            SELECT encounter_id FROM lines WHERE code_system = 'ICD10CM' AND sequence = 1 AND encounter_id IS NOT NULL
        );
        """
    )
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
    directory = rejects_dir or (config.var_dir() / "rejects")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{path.stem}-{sha[:8]}.rejects.csv"
    # Every line of a rejected encounter is listed: its own faults, or the line that sank it.
    con.execute(
        f"""
        COPY (
            SELECT line_no AS line, {neutralize_sql("encounter_id")} AS encounter_id, field,
                   {neutralize_sql("value")} AS value, reason FROM line_errors
            UNION ALL
            SELECT l.line_no, {neutralize_sql("l.encounter_id")}, '', NULL,
                   'encounter rejected because of line ' || (SELECT min(line_no) FROM line_errors e
                                                               WHERE e.encounter_id = l.encounter_id)
            FROM lines l
            WHERE l.encounter_id IN (SELECT encounter_id FROM bad_encounters)
              AND l.line_no NOT IN (SELECT line_no FROM line_errors)
            ORDER BY line, field
        ) TO {_sql_path(target)} (HEADER, DELIMITER ',')
        """
    )
    return target


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
               e.coder_id, e.vendor, e.received_at, e.coded_at,
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
    return {"encounters_by_vendor": by_vendor, "drg_computed": computed, "drg_mismatches": mismatches,
            "weight_missing": merged, "invalid_discharge_status": invalid, "invalid_status_999": invalid_999}


__all__ = ["COLUMNS", "FileResult", "IngestError", "ingest_encounter_file", "ingest_encounter_files"]

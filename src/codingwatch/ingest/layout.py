"""The encounters layout: one row per code line; its columns, allowed values and rules, in one place.

Every reader of the layout uses this module: `ingest encounters` (into the lake), the audit
reader (`audit score`, `audit compare`, bulk import into an audit) and the chart review
screen (one encounter's lines as the auditor types them). So a file one of them accepts is
accepted by the others, with the same values: standards' spellings normalized (`I` ->
`inpatient`, `ICD-10-CM` -> `ICD10CM`, `y` -> `Y`), the organization's names turned into its
canonical names (`codingwatch.vocabulary`).

The rules run in DuckDB over the whole file. A reader loads its file as text into a table or
view `raw` (`line_no` and every column of `COLUMNS` as VARCHAR) and calls `validate`, which
creates:

- `encounters_parsed`: one row per encounter (from its first line), typed and normalized;
- `lines`: one row per code line, normalized, with its encounter's type and date of service;
- `line_errors`: (line_no, encounter_id, field, value, reason) for every rule a line breaks.

The docs' column table (docs/ingest.md) is generated from `COLUMN_DOCS`:
`python -m codingwatch.ingest.layout docs/ingest.md` rewrites it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from codingwatch.codesets import COVERED_FISCAL_YEARS, CodeValidator
from codingwatch.codesets.calendar import RELEASES
from codingwatch.vocabulary import (
    CODE_SYSTEMS,
    ENCOUNTER_TYPES,
    POA_VALUES,
    PRIORITIES,
    SEXES,
    SPECIALTIES,
    SPELLINGS,
    Vocabulary,
    spelling_table,
)

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
    "priority",
)

# Columns a file may leave out (read as empty on every line).
OPTIONAL_COLUMNS: tuple[str, ...] = ("priority",)

# Encounter fields: repeated on each line of an encounter, parsed once per encounter from its
# first line (the others must agree with it).
ENCOUNTER_COLUMNS: tuple[str, ...] = COLUMNS[1:14] + ("drg", "priority")
LINE_COLUMNS: tuple[str, ...] = COLUMNS[14:20]

ID_SHAPE = r"^[A-Za-z0-9._:/#-]{1,64}$"
MODIFIERS_SHAPE = r"^[0-9A-Z]{2}(;[0-9A-Z]{2})*$"
# A discharge status the layout takes: a whole number 0-99 in digits, 00 included. Whether it is on the
# CMS list is the grouper's question: an off-list status (00, 08, ...) groups to 999, as the CMS
# grouper does. The audit review screen takes the same range.
DISCHARGE_STATUS_RANGE = (0, 99)


def _spellings(kind: str) -> str:
    """The accepted spellings of a standard, for the docs: `inpatient` (`I`, `IP`, ...)."""
    parts = []
    for canonical, spellings in SPELLINGS[kind].items():
        others = [s for s in spellings if s != canonical.upper()]
        parts.append(f"`{canonical}`" + (f" ({', '.join(f'`{s}`' for s in others)})" if others else ""))
    return ", ".join(parts)


# (columns, required, meaning): the docs' column table, in the order of the table.
COLUMN_DOCS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("encounter_id",), "yes", "the source system's encounter (chart) id; 1-64 letters, digits or `. _ : / # -`. "
     "Keyed with HMAC at ingest and kept only encrypted"),
    (("facility",), "yes", "the facility's name or code, the organization's own (mapped to its canonical name, "
     "see below)"),
    (("encounter_type",), "yes", "one of " + _spellings("encounter_type")),
    (("specialty",), "yes", "the organization's own specialty name, any name with a letter or digit (e.g. "
     "`Hospital Medicine`); matched ignoring case, spaces, underscores and punctuation and stored as its "
     "canonical name (see below)"),
    (("admit_date", "discharge_date"), "inpatient", "`YYYY-MM-DD` (four-digit year: `10000-01-01` is not a date); "
     "discharge not before admit"),
    (("service_date",), "outpatient, ed, profee", "`YYYY-MM-DD`; for inpatient, optional and inside the stay"),
    (("sex",), "yes", _spellings("sex")),
    (("age",), "yes", "whole years in digits, 0-124 (`72.5` or `+7` is refused)"),
    (("discharge_status",), "inpatient", "CMS patient discharge status code (`01` home, `20` expired, ...)"),
    (("coder_id",), "yes", "the login of the coder who coded the chart"),
    (("vendor",), "yes", "the vendor's name (the in-house team's name for employees)"),
    (("received_at", "coded_at"), "yes", "ISO 8601 timestamps **with a UTC offset** "
     "(`2026-01-05T09:30:00-05:00` or `...Z`), the offset within +-14:00 (the widest in use; `+23:00` is refused, "
     "not read as a day's shift); coded not before received"),
    (("code_system",), "yes", _spellings("code_system") + "; `ICD10PCS` for inpatient procedures only, "
     "`CPT` and `HCPCS` not inpatient"),
    (("code",), "yes", "the code, dots optional (`I50.21` = `I5021`)"),
    (("sequence",), "yes", "1, 2, ... within the encounter's code system; ICD10CM sequence 1 is the principal "
     "(first-listed) diagnosis, required for inpatient; unique per encounter and code system"),
    (("poa",), "inpatient diagnoses", "present on admission: " + _spellings("poa") + "; `1` is exempt"),
    (("modifiers",), "no", "CPT/HCPCS modifiers, 2 letters or digits each, separated by `;` or `,` (`25;59`)"),
    (("units",), "no", "positive number, default 1"),
    (("drg",), "no", "the MS-DRG the source system stated (001-999, in digits: `291.5` is refused); if it differs from the CMS grouper's, "
     "the encounter is flagged (`drg_mismatch`)"),
    (("priority",), "no", "the chart's coding priority, measured against the contract's turnaround "
     "SLA of that priority: " + _spellings("priority") + "; blank or no column: `standard`"),
)

DOCS_BEGIN = "<!-- columns: generated from codingwatch.ingest.layout (python -m codingwatch.ingest.layout docs/ingest.md) -->"
DOCS_END = "<!-- end of generated columns -->"


def column_table() -> str:
    """The docs' column table, in Markdown."""
    rows = ["| column | required | meaning |", "|---|---|---|"]
    for columns, required, meaning in COLUMN_DOCS:
        rows.append(f"| {', '.join(f'`{c}`' for c in columns)} | {required} | {meaning} |")
    return "\n".join(rows)


def with_column_table(text: str) -> str:
    """`text` (docs/ingest.md) with the generated table between its markers replaced."""
    begin, end = text.index(DOCS_BEGIN) + len(DOCS_BEGIN), text.index(DOCS_END)
    return text[:begin] + "\n" + column_table() + "\n" + text[end:]


def missing_columns(names: list[str]) -> list[str]:
    """The required columns not among `names` (an optional column may be left out)."""
    return [c for c in COLUMNS if c not in names and c not in OPTIONAL_COLUMNS]


def duplicated_columns(names: list[str]) -> list[str]:
    return sorted({n for n in names if names.count(n) > 1})


# ---- SQL pieces -----------------------------------------------------------------------------


def in_list(values) -> str:
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def has_offset(column: str) -> str:
    """SQL: the timestamp text is YYYY-MM-DD, T or a space, a time, and ends in Z or a UTC offset
    (+05:30, -0500, +05) within +-14:00. String tests, not a regular expression, because this
    runs on every encounter of files with millions of lines."""
    text = f"trim({column})"
    return (
        f"(length({text}) >= 16 AND substr({text}, 5, 1) = '-' AND substr({text}, 8, 1) = '-' "
        f"AND substr({text}, 11, 1) IN ('T', ' ') "
        f"AND (right({text}, 1) = 'Z' OR coalesce({offset_minutes(column)} <= {MAX_OFFSET_MINUTES}, false)))"
    )


# UTC offsets in use run from -12:00 to +14:00 (Kiribati); ISO 8601 allows any, DuckDB and
# pandas accept +23:59 and shift the instant by a day: beyond +-14:00 is a typing mistake.
MAX_OFFSET_MINUTES = 14 * 60


def offset_minutes(column: str) -> str:
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


def as_date(column: str) -> str:
    """SQL: the text as a DATE when it is YYYY-MM-DD (DuckDB also reads 10000-01-01 and 2026-1-5)."""
    return (f"CASE WHEN length({column}) = 10 AND substr({column}, 5, 1) = '-' AND substr({column}, 8, 1) = '-' "
            f"THEN TRY_CAST({column} AS DATE) END")


def release_case(column: str) -> str:
    """SQL mapping a date to the code-set release in force (NULL outside covered years)."""
    arms = []
    for fy, (october, april) in RELEASES.items():
        arms.append(f"WHEN {column} BETWEEN DATE '{fy - 1}-10-01' AND DATE '{fy}-03-31' THEN {october}")
        arms.append(f"WHEN {column} BETWEEN DATE '{fy}-04-01' AND DATE '{fy}-09-30' THEN {april}")
    return "CASE " + " ".join(arms) + " ELSE NULL END"


def standard_sql(kind: str, expr: str, canonical: tuple[str, ...], otherwise: str) -> str:
    """SQL turning a standard's spelling into its canonical value (`otherwise` when it is none).
    The canonical value itself is tested first, so the spelling rules run only on the others."""
    arms = " ".join(f"WHEN '{spelling}' THEN '{value}'" for spelling, value in spelling_table(kind).items())
    return (
        f"CASE WHEN {expr} IN {in_list(canonical)} THEN {expr} "
        f"ELSE CASE regexp_replace(upper({expr}), '[^A-Z0-9]', '', 'g') {arms} ELSE {otherwise} END END"
    )


_DATE_REASON = "'not a date (YYYY-MM-DD)'"
_TIMESTAMP_REASON = "'not an ISO 8601 timestamp with a UTC offset (e.g. 2026-01-05T09:30:00-05:00)'"
_OFFSET_REASON = "'UTC offset beyond +-14:00 (the widest in use): the time would move by a day or more'"


def _offset_too_wide(column: str) -> str:
    return f"coalesce({offset_minutes(column)} > {MAX_OFFSET_MINUTES}, false)"


def _digits(column: str) -> str:
    """A whole number written in digits alone: a bare cast would take 72.5 as 73, 0x10 as 16, +1 as 1."""
    return f"regexp_full_match(trim({column}), '[0-9]+')"


def encounter_checks() -> list[tuple[str, str, str, str]]:
    """(field, value, condition, reason) checks of an encounter, on `encounters_parsed`."""
    return [
        ("encounter_id", "encounter_id", f"NOT regexp_matches(encounter_id, '{ID_SHAPE}')",
         "'must be 1-64 letters, digits or . _ : / # -'"),
        ("facility", "facility_raw", "facility IS NULL", "'required (a name with a letter or digit)'"),
        ("encounter_type", "encounter_type", f"encounter_type NOT IN {in_list(ENCOUNTER_TYPES)}",
         f"'must be one of {', '.join(ENCOUNTER_TYPES)}'"),
        ("specialty", "specialty_raw", "specialty IS NULL", "'required (a name with a letter or digit)'"),
        ("admit_date", "admit_date_raw", "admit_date_raw <> '' AND admit_date IS NULL", _DATE_REASON),
        ("admit_date", "admit_date_raw", "encounter_type = 'inpatient' AND admit_date_raw = ''",
         "'required for inpatient encounters'"),
        ("discharge_date", "discharge_date_raw", "discharge_date_raw <> '' AND discharge_date IS NULL", _DATE_REASON),
        ("discharge_date", "discharge_date_raw", "encounter_type = 'inpatient' AND discharge_date_raw = ''",
         "'required for inpatient encounters'"),
        ("discharge_date", "discharge_date_raw", "discharge_date < admit_date",
         "'before admit_date ' || admit_date::VARCHAR"),
        ("service_date", "service_date_raw", "service_date_raw <> '' AND service_date IS NULL", _DATE_REASON),
        ("service_date", "service_date_raw",
         f"encounter_type <> 'inpatient' AND encounter_type IN {in_list(ENCOUNTER_TYPES)} AND service_date_raw = ''",
         "'required for ' || encounter_type || ' encounters'"),
        ("service_date", "service_date_raw",
         "encounter_type = 'inpatient' AND service_date IS NOT NULL AND admit_date IS NOT NULL "
         "AND discharge_date IS NOT NULL AND (service_date < admit_date OR service_date > discharge_date)",
         "'outside the stay ' || admit_date::VARCHAR || ' to ' || discharge_date::VARCHAR"),
        ("sex", "sex", f"sex NOT IN {in_list(SEXES)}", "'must be M, F or U'"),
        # digits only, as the discharge status: a cast alone would read 72.5 as 73
        ("age", "age_raw", f"age IS NULL OR NOT {_digits('age_raw')} OR age < 0 OR age > 124",
         "'must be a whole number of years in digits, 0-124 (no decimals or signs)'"),
        ("discharge_status", "discharge_status_raw",
         # digits only: a cast alone would read 1.5 as 2 and 0x10 as 16
         f"discharge_status_raw <> '' AND (discharge_status IS NULL "
         f"OR NOT {_digits('discharge_status_raw')} "
         f"OR discharge_status < {DISCHARGE_STATUS_RANGE[0]} OR discharge_status > {DISCHARGE_STATUS_RANGE[1]})",
         "'must be a CMS discharge status code such as 01'"),
        ("discharge_status", "discharge_status_raw",
         "encounter_type = 'inpatient' AND discharge_status_raw = ''",
         "'required for inpatient encounters'"),
        ("coder_id", "coder_id", "coder_id IS NULL", "'required'"),
        ("vendor", "vendor", "vendor IS NULL", "'required (use the in-house team''s name for employees)'"),
        ("received_at", "received_at_raw", f"received_at IS NULL AND NOT {_offset_too_wide('received_at_raw')}",
         _TIMESTAMP_REASON),
        ("received_at", "received_at_raw", _offset_too_wide("received_at_raw"), _OFFSET_REASON),
        ("coded_at", "coded_at_raw", f"coded_at IS NULL AND NOT {_offset_too_wide('coded_at_raw')}",
         _TIMESTAMP_REASON),
        ("coded_at", "coded_at_raw", _offset_too_wide("coded_at_raw"), _OFFSET_REASON),
        ("coded_at", "coded_at_raw", "coded_at < received_at", "'before received_at ' || received_at_raw"),
        ("priority", "priority_raw", f"priority NOT IN {in_list(PRIORITIES)}",
         f"'must be one of {', '.join(PRIORITIES)} (or blank for standard)'"),
        ("drg", "drg_raw",
         f"drg_raw IS NOT NULL AND (drg_given IS NULL OR NOT {_digits('drg_raw')} OR drg_given < 1 OR drg_given > 999)",
         "'must be an MS-DRG number from 001 to 999, in digits (no decimals or signs)'"),
    ]


def line_checks() -> list[tuple[str, str, str, str]]:
    """(field, value, condition, reason) checks of a code line, on `lines` joined to its code verdict."""
    covered = f"FY{COVERED_FISCAL_YEARS[0]}-FY{COVERED_FISCAL_YEARS[-1]}"
    return [
        ("encounter_id", "encounter_id", "encounter_id IS NULL", "'required'"),
        ("code_system", "code_system", f"code_system NOT IN {in_list(CODE_SYSTEMS)}",
         f"'must be one of {', '.join(CODE_SYSTEMS)}'"),
        ("code", "code", "code = ''", "'required'"),
        ("code", "code",
         "code_date IS NOT NULL AND release IS NULL AND code_system IN ('ICD10CM', 'ICD10PCS')",
         f"'date ' || code_date::VARCHAR || ' is outside the installed code sets ({covered})'"),
        ("code", "code", "code_reason IS NOT NULL", "code_reason"),
        ("code_system", "code_system",
         "encounter_type = 'inpatient' AND code_system IN ('CPT', 'HCPCS')",
         "'inpatient procedures are coded in ICD10PCS'"),
        ("code_system", "code_system",
         f"encounter_type <> 'inpatient' AND encounter_type IN {in_list(ENCOUNTER_TYPES)} AND code_system = 'ICD10PCS'",
         "'ICD10PCS is for inpatient procedures; use CPT or HCPCS'"),
        ("sequence", "sequence_raw", "sequence IS NULL OR sequence < 1", "'must be a whole number from 1'"),
        ("poa", "poa", f"poa <> '' AND poa NOT IN {in_list(POA_VALUES)}", "'must be Y, N, U, W, 1 or blank'"),
        ("poa", "poa", "encounter_type = 'inpatient' AND code_system = 'ICD10CM' AND poa = ''",
         "'required on inpatient diagnoses (Y, N, U, W or 1 for exempt)'"),
        ("modifiers", "modifiers_raw", f"modifiers <> '' AND NOT regexp_full_match(modifiers, '{MODIFIERS_SHAPE}')",
         "'must be 2-character modifiers separated by ; (e.g. 25;59)'"),
        ("units", "units_raw", "units IS NULL OR units <= 0", "'must be a positive number'"),
    ]


def failures(checks: list[tuple[str, str, str, str]], source: str, line_column: str) -> str:
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


# ---- the whole file -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewName:
    """A name the organization's vocabulary does not know: loaded under `canonical`, reported."""

    kind: str  # specialty | facility
    canonical: str
    spellings: tuple[str, ...]  # as written in the file
    encounters: int

    def as_dict(self) -> dict:
        return {"kind": self.kind, "canonical": self.canonical, "spellings": list(self.spellings),
                "encounters": self.encounters}

    def describe(self) -> str:
        written = ", ".join(repr(s) for s in self.spellings)
        return f"new {self.kind} {self.canonical!r} (written {written}; {self.encounters} encounters)"


def validate(con: duckdb.DuckDBPyConnection, validator: CodeValidator, vocabulary: Vocabulary | None = None) -> None:
    """Runs every rule of the layout over `raw`; creates encounters_parsed, lines and line_errors."""
    vocabulary = vocabulary or Vocabulary()
    raw_columns = ", ".join(ENCOUNTER_COLUMNS)
    firsts = ", ".join(f"coalesce(trim(r.{c}), '') AS {c}" for c in ENCOUNTER_COLUMNS)
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
    _register_names(con, vocabulary)
    encounter_type = standard_sql("encounter_type", "t.encounter_type", ENCOUNTER_TYPES, "lower(t.encounter_type)")
    sex = standard_sql("sex", "t.sex", SEXES, "upper(t.sex)")
    priority = standard_sql("priority", "t.priority", PRIORITIES, "lower(t.priority)")
    con.execute(
        f"""
        CREATE TABLE encounters_parsed AS
        SELECT *, {release_case("code_date")} AS release FROM (
        SELECT *, CASE WHEN encounter_type = 'inpatient' THEN discharge_date ELSE service_date END AS code_date
        FROM (SELECT
            t.encounter_id, t.first_line, t.disagree,
            t.facility AS facility_raw, f.canonical AS facility, coalesce(f.known, true) AS facility_known,
            {encounter_type} AS encounter_type,
            t.specialty AS specialty_raw, s.canonical AS specialty, coalesce(s.known, true) AS specialty_known,
            t.admit_date AS admit_date_raw, {as_date('t.admit_date')} AS admit_date,
            t.discharge_date AS discharge_date_raw, {as_date('t.discharge_date')} AS discharge_date,
            t.service_date AS service_date_raw, {as_date('t.service_date')} AS service_date,
            {sex} AS sex,
            t.age AS age_raw, TRY_CAST(t.age AS SMALLINT) AS age,
            t.discharge_status AS discharge_status_raw, TRY_CAST(t.discharge_status AS SMALLINT) AS discharge_status,
            nullif(t.coder_id, '') AS coder_id,
            nullif(t.vendor, '') AS vendor,
            t.received_at AS received_at_raw,
            CASE WHEN {has_offset('t.received_at')} THEN TRY_CAST(t.received_at AS TIMESTAMPTZ) END AS received_at,
            t.coded_at AS coded_at_raw,
            CASE WHEN {has_offset('t.coded_at')} THEN TRY_CAST(t.coded_at AS TIMESTAMPTZ) END AS coded_at,
            nullif(t.drg, '') AS drg_raw, TRY_CAST(nullif(t.drg, '') AS SMALLINT) AS drg_given,
            t.priority AS priority_raw,
            CASE WHEN t.priority = '' THEN 'standard' ELSE {priority} END AS priority
        FROM encounter_text t
        LEFT JOIN names_map f ON f.kind = 'facility' AND f.written = t.facility
        LEFT JOIN names_map s ON s.kind = 'specialty' AND s.written = t.specialty))
        """
    )
    make_lines(con)
    code_verdicts(con, validator)
    con.execute(
        "CREATE TABLE line_errors AS "
        + failures(encounter_checks(), "encounters_parsed WHERE encounter_id IS NOT NULL", "first_line")
        + " UNION ALL "
        + line_failures()
    )

    # Lines of one encounter must agree on the encounter's fields: compare, column by column,
    # only the encounters whose lines did not all hash alike.
    disagree = ",\n".join(
        f"CASE WHEN coalesce(trim(r.{c}), '') <> f.{c} THEN {{'field': '{c}', "
        f"'value': trim(r.{c}), 'reason': 'differs from line ' || f.first_line || "
        f"' of the same encounter (' || coalesce(nullif(f.{c}, ''), 'blank') || '); "
        f"encounter fields must agree on every line'}} END"
        for c in ENCOUNTER_COLUMNS
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
    insert_set_errors(con)


def make_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Table `lines`: `raw`'s code lines normalized, with their encounter's type, date and release."""
    code_system = standard_sql("code_system", "trim(r.code_system)", CODE_SYSTEMS, "upper(trim(r.code_system))")
    poa = standard_sql("poa", "upper(trim(r.poa))", POA_VALUES + ("",), "upper(trim(r.poa))")
    con.execute(
        f"""
        CREATE TABLE lines AS
        SELECT r.line_no, e.encounter_type, e.code_date, e.release,
            nullif(trim(r.encounter_id), '') AS encounter_id,
            coalesce({code_system}, '') AS code_system,
            upper(replace(coalesce(trim(r.code), ''), '.', '')) AS code,
            trim(r.sequence) AS sequence_raw, TRY_CAST(trim(r.sequence) AS SMALLINT) AS sequence,
            coalesce({poa}, '') AS poa,
            trim(r.modifiers) AS modifiers_raw,
            upper(replace(replace(replace(coalesce(trim(r.modifiers), ''), ' ', ''), ',', ';'), ';;', ';')) AS modifiers,
            coalesce(nullif(trim(r.units), ''), '1') AS units_raw,
            TRY_CAST(coalesce(nullif(trim(r.units), ''), '1') AS DECIMAL(9, 2)) AS units
        FROM raw r LEFT JOIN encounters_parsed e ON e.encounter_id = nullif(trim(r.encounter_id), '')
        """
    )


def code_verdicts(con: duckdb.DuckDBPyConnection, validator: CodeValidator) -> None:
    """Table `code_verdicts`: one Medicare Code Editor question per distinct (system, code, release)."""
    distinct = con.execute(
        "SELECT code_system, code, release, min(code_date) FROM lines "
        f"WHERE code_system IN {in_list(CODE_SYSTEMS)} AND code <> '' AND code_date IS NOT NULL "
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


def line_failures() -> str:
    return failures(
        line_checks(),
        "(SELECT c.*, v.reason AS code_reason FROM lines c LEFT JOIN code_verdicts v "
        "ON v.code_system = c.code_system AND v.code = c.code AND v.release = coalesce(c.release, -1))",
        "line_no",
    )


def insert_set_errors(con: duckdb.DuckDBPyConnection) -> None:
    """The rules on an encounter's set of lines: sequences unique per code system, and an
    inpatient encounter's principal diagnosis (ICD10CM sequence 1)."""
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


def _register_names(con: duckdb.DuckDBPyConnection, vocabulary: Vocabulary) -> None:
    """Table `names_map` (kind, written, canonical, known): each distinct facility and specialty
    of the file turned into its canonical name by the vocabulary (a few hundred names at most)."""
    kinds, written, canonical, known = [], [], [], []
    for kind in ("facility", "specialty"):
        for (text,) in con.execute(f"SELECT DISTINCT {kind} FROM encounter_text").fetchall():
            kinds.append(kind)
            written.append(text)
            canonical.append(vocabulary.canonical(kind, text) if any(ch.isalnum() for ch in text) else None)
            known.append(vocabulary.is_known(kind, text))
    con.register("names_arrow", pa.table({"kind": pa.array(kinds, pa.string()), "written": pa.array(written, pa.string()),
                                          "canonical": pa.array(canonical, pa.string()),
                                          "known": pa.array(known, pa.bool_())}))
    con.execute("CREATE TABLE names_map AS SELECT * FROM names_arrow")
    con.unregister("names_arrow")


def new_names(con: duckdb.DuckDBPyConnection, encounters: str = "encounters_parsed") -> list[NewName]:
    """The facilities and specialties of `encounters` (a table or query with the columns of
    encounters_parsed) that the vocabulary did not know, with how many encounters use each."""
    out = []
    for kind in ("specialty", "facility"):
        rows = con.execute(
            f"SELECT {kind}, list(DISTINCT {kind}_raw ORDER BY {kind}_raw), count(*) FROM ({encounters}) "
            f"WHERE NOT {kind}_known AND {kind} IS NOT NULL GROUP BY 1 ORDER BY 1"
        ).fetchall()
        out += [NewName(kind, name, tuple(spellings), n) for name, spellings, n in rows]
    return out


def check_lines(
    encounter_type: str, code_date, rows: list[dict], validator: CodeValidator
) -> dict[int, list[tuple[str, str]]]:
    """One encounter's code lines, as typed (dicts of the layout's line columns, text), checked
    with the layout's line and set rules. Returns {row index: [(field, reason), ...]} for the
    rows that break a rule; reasons name rows as lines from 1 (an encounter's missing principal
    diagnosis is put on the first)."""
    con = duckdb.connect()
    try:
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.register("rows_arrow", pa.table(
            {"line_no": pa.array(range(1, len(rows) + 1), pa.int64()),  # the form's lines, from 1
             "encounter_id": pa.array(["case"] * len(rows), pa.string()),
             **{c: pa.array([str(r.get(c) or "") for r in rows], pa.string()) for c in LINE_COLUMNS}}
        ))
        con.execute("CREATE TABLE raw AS SELECT * FROM rows_arrow")
        con.execute(
            "CREATE TABLE encounters_parsed AS SELECT 'case' AS encounter_id, 1 AS first_line, encounter_type, "
            f"code_date, {release_case('code_date')} AS release "
            "FROM (SELECT ?::VARCHAR AS encounter_type, ?::DATE AS code_date)",
            [encounter_type, code_date],
        )
        make_lines(con)
        code_verdicts(con, validator)
        con.execute("CREATE TABLE line_errors AS " + line_failures())
        insert_set_errors(con)
        errors: dict[int, list[tuple[str, str]]] = {}
        for line_no, fld, reason in con.execute(
            "SELECT line_no, field, reason FROM line_errors ORDER BY line_no, field"
        ).fetchall():
            errors.setdefault(int(line_no) - 1, []).append((fld, reason))
        return errors
    finally:
        con.close()


def main(argv: list[str]) -> int:
    """`python -m codingwatch.ingest.layout docs/ingest.md`: rewrites the generated column table."""
    for name in argv or ["docs/ingest.md"]:
        path = Path(name)
        path.write_text(with_column_table(path.read_text()))
    return 0


__all__ = ["COLUMNS", "COLUMN_DOCS", "ENCOUNTER_COLUMNS", "OPTIONAL_COLUMNS", "SPECIALTIES", "NewName", "check_lines", "column_table",
           "new_names", "validate"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

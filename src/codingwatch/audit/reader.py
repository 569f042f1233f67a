"""Reads encounters in the ingest layout (CSV or Parquet, one row per code line) into cases.

Reading and checking are columnar: pyarrow parses the file and DuckDB runs each check as one
query over all rows, so a file of a million lines is checked in about a second; Python only
walks the rows once, already sorted, to build the dataclasses. Every error names the file,
the line (the header is line 1), the field and the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from codingwatch.audit.model import Case, CodeLine, Encounter, gc_paused
from codingwatch.codesets import CodeValidator
from codingwatch.ingest.encounters import COLUMNS
from codingwatch.vocabulary import CODE_SYSTEMS, ENCOUNTER_TYPES, POA_VALUES, SEXES, SPECIALTIES

REQUIRED = ("encounter_id", "encounter_type", "specialty", "code_system", "code", "sequence")
# The encounter fields of the layout (facility .. vendor) that must agree across an encounter's lines.
ENCOUNTER_FIELDS = COLUMNS[1:12]
MAX_ERRORS = 20


class EncounterFileError(ValueError):
    """A file in the encounters layout has bad rows; `problems` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(problems[0] + more)


class CodedEncounter(NamedTuple):
    encounter: Encounter
    lines: tuple[CodeLine, ...]
    line_number: int  # the encounter's first line in its file
    stated_drg: int | None = None


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _read_table(path: Path) -> pa.Table:
    if not path.exists():
        raise EncounterFileError([f"{path}: no such file"])
    try:
        if path.suffix.lower() == ".parquet":
            table = pq.read_table(path)
            table = pa.table({name: table[name].cast(pa.string()) for name in table.column_names})
        else:
            table = pacsv.read_csv(
                path,
                convert_options=pacsv.ConvertOptions(
                    column_types={name: pa.string() for name in COLUMNS},
                    strings_can_be_null=False,
                ),
            )
    except (pa.ArrowInvalid, OSError) as exc:
        raise EncounterFileError([f"{path}: cannot be read as {path.suffix.lstrip('.') or 'CSV'}: {exc}"]) from exc
    missing = [name for name in REQUIRED if name not in table.column_names]
    if missing:
        raise EncounterFileError([f"{path} line 1: missing column(s) {', '.join(missing)}"])
    columns = {}
    for name in COLUMNS:
        if name in table.column_names:
            col = table[name]
            if col.type != pa.string():
                col = col.cast(pa.string())
            if col.null_count:
                col = pc.coalesce(col, pa.scalar("", pa.string()))
            columns[name] = col
        else:
            columns[name] = pa.array([""] * table.num_rows, pa.string())
    columns["row_no"] = pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))  # (range() is slow)
    return pa.table(columns)


# Each check: (field, SQL condition that marks a bad row, reason).


def _row_checks() -> list[tuple[str, str, str]]:
    return [
        ("encounter_id", "trim(encounter_id) = ''", "is empty"),
        ("encounter_type", f"encounter_type NOT IN ({_sql_list(ENCOUNTER_TYPES)})",
         f"must be one of {', '.join(ENCOUNTER_TYPES)}"),
        ("specialty", f"specialty NOT IN ({_sql_list(SPECIALTIES)})", "is not a known specialty"),
        ("code_system", f"code_system NOT IN ({_sql_list(CODE_SYSTEMS)})",
         f"must be one of {', '.join(CODE_SYSTEMS)}"),
        ("code", "trim(code) = ''", "is empty"),
        ("sequence", "TRY_CAST(sequence AS INTEGER) IS NULL OR TRY_CAST(sequence AS INTEGER) < 1",
         "must be a whole number from 1"),
        *[
            (name, f"{name} <> '' AND (length({name}) <> 10 OR TRY_CAST({name} AS DATE) IS NULL)",
             "must be a date YYYY-MM-DD")
            for name in ("admit_date", "discharge_date", "service_date")
        ],
        ("discharge_date", "encounter_type = 'inpatient' AND discharge_date = ''", "is required for inpatient"),
        ("service_date", "encounter_type <> 'inpatient' AND service_date = ''",
         "is required for outpatient, ed and profee"),
        ("sex", f"sex NOT IN ({_sql_list(SEXES)})", "must be M, F or U"),
        ("age", "TRY_CAST(age AS INTEGER) IS NULL OR TRY_CAST(age AS INTEGER) NOT BETWEEN 0 AND 124",
         "must be a whole number 0-124"),
        ("discharge_status",
         "encounter_type = 'inpatient' AND NOT regexp_full_match(discharge_status, '^\\d{1,2}$')",
         "must be the CMS 2-digit status (required for inpatient)"),
        ("discharge_status",
         "encounter_type <> 'inpatient' AND discharge_status <> '' AND NOT regexp_full_match(discharge_status, '^\\d{1,2}$')",
         "must be the CMS 2-digit status"),
        ("poa", f"poa <> '' AND upper(poa) NOT IN ({_sql_list(POA_VALUES)})", "must be Y, N, U, W, 1 or blank"),
        ("poa", "encounter_type = 'inpatient' AND code_system = 'ICD10CM' AND poa = ''",
         "is required on inpatient diagnoses"),
        ("units", "units <> '' AND (TRY_CAST(units AS DECIMAL(9,2)) IS NULL OR TRY_CAST(units AS DECIMAL(9,2)) <= 0)",
         "must be a positive number"),
        ("modifiers", "modifiers <> '' AND NOT regexp_full_match(upper(modifiers), '^[0-9A-Z]{2}(;[0-9A-Z]{2})*$')",
         "must be 2-character modifiers separated by ';' (e.g. 25;59)"),
        ("drg", "drg <> '' AND TRY_CAST(drg AS INTEGER) IS NULL", "must be a DRG number"),
    ]


def _problems(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    problems: list[str] = []
    checks = _row_checks()
    # One scan finds the first offending row of every check; details only for those that fail.
    firsts = con.execute(
        "SELECT " + ", ".join(f"min(row_no) FILTER (WHERE {cond})" for _, cond, _ in checks) + " FROM lines"
    ).fetchone()
    for (name, condition, reason), first in zip(checks, firsts, strict=True):
        if first is None:
            continue
        rows = con.execute(
            f"SELECT row_no, {name} FROM lines WHERE {condition} ORDER BY row_no LIMIT 3"
        ).fetchall()
        problems += [f"{path} line {row_no}, field {name}: {value!r} {reason}" for row_no, value in rows]
    fields = ", ".join(ENCOUNTER_FIELDS)
    per_encounter, encounters = con.execute(
        f"SELECT (SELECT count(*) FROM (SELECT DISTINCT encounter_id, {fields} FROM lines)), "
        "count(DISTINCT encounter_id) FROM lines"
    ).fetchone()
    disagree = [per_encounter != encounters] * len(ENCOUNTER_FIELDS)
    for name, bad in zip(ENCOUNTER_FIELDS, disagree, strict=True):
        if not bad:
            continue
        rows = con.execute(
            f"SELECT encounter_id, min(row_no), count(DISTINCT {name}) FROM lines GROUP BY encounter_id "
            f"HAVING count(DISTINCT {name}) > 1 ORDER BY 2 LIMIT 3"
        ).fetchall()
        problems += [
            f"{path} line {row_no}, field {name}: encounter {eid!r} has {n} different values; "
            "encounter fields must agree on every line"
            for eid, row_no, n in rows
        ]
    rows = con.execute(
        "SELECT max(row_no), encounter_id, code_system, sequence FROM lines "
        "GROUP BY encounter_id, code_system, sequence HAVING count(*) > 1 ORDER BY 1 LIMIT 3"
    ).fetchall()
    problems += [
        f"{path} line {row_no}, field sequence: encounter {eid!r} repeats {system} sequence {seq}"
        for row_no, eid, system, seq in rows
    ]
    return problems


def _code_problems(con: duckdb.DuckDBPyConnection, path: Path, validator: CodeValidator) -> list[str]:
    # One MCE check per distinct (system, code, month of service); the code set changes only on
    # the first of a month (October and April), so the month stands for the date.
    distinct = con.execute(
        """
        SELECT code_system, upper(replace(trim(code), '.', '')) AS code,
               min(CAST(CASE WHEN encounter_type = 'inpatient' THEN discharge_date ELSE service_date END AS DATE)) AS day,
               min(row_no) AS row_no
        FROM lines
        GROUP BY 1, 2, date_trunc('month', CAST(CASE WHEN encounter_type = 'inpatient'
                 THEN discharge_date ELSE service_date END AS DATE))
        """
    ).fetchall()
    problems = []
    for system, code, day, row_no in sorted(distinct, key=lambda r: r[3]):
        check = validator.check(system, code, day)
        if not check.ok:
            problems.append(f"{path} line {row_no}, field code: {check.reason}")
            if len(problems) >= MAX_ERRORS:
                break
    return problems


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def read_encounters(path: Path | str, validator: CodeValidator | None = None) -> dict[str, CodedEncounter]:
    """Reads and checks a file in the encounters layout; returns encounters by encounter_id.

    Raises EncounterFileError listing every problem found (up to a few per check), each naming
    file, line, field and reason. Codes are checked against the code set in force on the
    discharge date (inpatient) or service date.
    """
    path = Path(path)
    table = _read_table(path)
    if table.num_rows == 0:
        raise EncounterFileError([f"{path}: has a header but no code lines"])
    con = duckdb.connect()
    try:
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.register("lines", table)
        problems = _problems(con, path)
        if problems:
            raise EncounterFileError(problems[:MAX_ERRORS])
        own = validator is None
        validator = validator or CodeValidator()
        try:
            problems = _code_problems(con, path, validator)
        finally:
            if own:
                validator.close()
        if problems:
            raise EncounterFileError(problems)
        ordered = con.sql(
            """
            SELECT encounter_id, facility, encounter_type, specialty, admit_date, discharge_date,
                   service_date, sex, CAST(age AS INTEGER) AS age,
                   TRY_CAST(discharge_status AS INTEGER) AS discharge_status, coder_id, vendor,
                   code_system, upper(replace(trim(code), '.', '')) AS code,
                   CAST(sequence AS INTEGER) AS sequence, upper(poa) AS poa, upper(modifiers) AS modifiers,
                   units, TRY_CAST(drg AS INTEGER) AS drg, row_no
            FROM lines ORDER BY encounter_id, row_no
            """
        ).to_arrow_table()
    finally:
        con.close()
    with gc_paused():
        return _build(ordered)


class _Parsed(dict):
    """A dict that parses a text the first time it is asked for it (texts repeat a lot)."""

    def __init__(self, parse):
        super().__init__()
        self._parse = parse

    def __missing__(self, text):
        value = self[text] = self._parse(text)
        return value


def _units(text: str) -> Decimal:
    try:
        return Decimal(text.strip() or 1)
    except InvalidOperation:  # already refused by the checks
        return Decimal(1)


def _build(table: pa.Table) -> dict[str, CodedEncounter]:
    cols = {name: table[name].to_pylist() for name in table.column_names}
    units = _Parsed(_units)
    mods = _Parsed(lambda text: tuple(text.split(";")) if text else ())
    dates = _Parsed(_date)
    lines = [
        CodeLine(system, code, seq, poa, mods[m], units[u])
        for system, code, seq, poa, m, u in zip(
            cols["code_system"], cols["code"], cols["sequence"], cols["poa"], cols["modifiers"], cols["units"],
            strict=True,
        )
    ]
    ids = cols["encounter_id"]
    starts = [0] + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]] + [len(ids)]
    out: dict[str, CodedEncounter] = {}
    for start, end in zip(starts, starts[1:], strict=False):
        i = start
        encounter = Encounter(
            encounter_id=ids[i],
            encounter_type=cols["encounter_type"][i],
            specialty=cols["specialty"][i],
            facility=cols["facility"][i],
            coder_id=cols["coder_id"][i],
            vendor=cols["vendor"][i],
            admit_date=dates[cols["admit_date"][i]],
            discharge_date=dates[cols["discharge_date"][i]],
            service_date=dates[cols["service_date"][i]],
            sex=cols["sex"][i],
            age=cols["age"][i],
            discharge_status=cols["discharge_status"][i],
        )
        out[ids[i]] = CodedEncounter(encounter, tuple(lines[start:end]), cols["row_no"][i], cols["drg"][i])
    return out


def match_cases(
    coded: dict[str, CodedEncounter],
    audited: dict[str, CodedEncounter],
    *,
    coded_name: str = "coded file",
    audited_name: str = "audited file",
    require_all: bool = True,
) -> list[Case]:
    """Pairs as-coded and as-audited encounters on encounter_id into cases.

    Every audited encounter must exist among the coded ones (bulk import into an audit: the
    coded side is the audit's cases). With `require_all`, every coded encounter must also be
    audited. The auditor may change the discharge status; the encounter type must agree.
    """
    problems: list[str] = []
    unknown = [eid for eid in audited if eid not in coded]
    if unknown:
        problems.append(
            f"{audited_name} line {audited[unknown[0]].line_number}, field encounter_id: "
            f"{len(unknown)} encounter(s) not in {coded_name}, first {unknown[0]!r}"
        )
    if require_all:
        missing = [eid for eid in coded if eid not in audited]
        if missing:
            problems.append(
                f"{coded_name} line {coded[missing[0]].line_number}, field encounter_id: "
                f"{len(missing)} encounter(s) not in {audited_name}, first {missing[0]!r}"
            )
    cases: list[Case] = []
    for eid, a in audited.items():
        c = coded.get(eid)
        if c is None:
            continue
        if c.encounter.encounter_type != a.encounter.encounter_type:
            problems.append(
                f"{audited_name} line {a.line_number}, field encounter_type: encounter {eid!r} is "
                f"{a.encounter.encounter_type} here but {c.encounter.encounter_type} in {coded_name}"
            )
            continue
        status = a.encounter.discharge_status
        cases.append(
            Case(
                encounter=c.encounter,
                coded=c.lines,
                audited=a.lines,
                audited_discharge_status=status if status != c.encounter.discharge_status else None,
            )
        )
    if problems:
        raise EncounterFileError(problems[:MAX_ERRORS])
    return cases

"""Reads encounters in the ingest layout (CSV or Parquet, one row per code line) into cases.

pyarrow parses the file; the rules are the encounters layout's (`codingwatch.ingest.layout`),
run by DuckDB as a few queries over all rows, the same rules `ingest encounters` applies, so
a file `audit score` accepts is one `ingest encounters` loads whole. Python only walks the
rows once, already sorted, to build the dataclasses. Every error names the file, the line (the
header is line 1), the field and the reason.
"""

from __future__ import annotations

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
from codingwatch.errors import CodingwatchError
from codingwatch.ingest import layout
from codingwatch.ingest.layout import COLUMNS, NewName
from codingwatch.vocabulary import Vocabulary

MAX_ERRORS = 20


class EncounterFileError(CodingwatchError, ValueError):
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


class EncounterFile(NamedTuple):
    encounters: dict[str, CodedEncounter]  # by encounter_id, in the file's order of first lines
    new_names: list[NewName]  # specialties and facilities the organization's vocabulary did not know


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
    names = [name.strip() for name in table.column_names]
    missing = layout.missing_columns(names)
    if missing:
        raise EncounterFileError([f"{path} line 1: missing column(s) {', '.join(missing)}"])
    duplicated = layout.duplicated_columns(names)
    if duplicated:
        raise EncounterFileError([f"{path} line 1: column(s) named twice: {', '.join(duplicated)}"])
    table = table.rename_columns(names)
    columns = {"line_no": pa.array(np.arange(2, table.num_rows + 2, dtype=np.int64))}  # (range() is slow)
    for name in COLUMNS:
        if name not in table.column_names:  # an optional column left out: empty on every line
            columns[name] = pa.array([""] * table.num_rows, pa.string())
            continue
        col = table[name]
        if col.type != pa.string():
            col = col.cast(pa.string())
        if col.null_count:
            col = pc.coalesce(col, pa.scalar("", pa.string()))
        columns[name] = col
    return pa.table(columns)


def _problem(path: Path, line_no: int, field: str, value: str | None, reason: str) -> str:
    got = f" (got {value!r})" if value and value not in reason else ""
    return f"{path} line {line_no}, field {field}: {reason}{got}"


def read_encounter_file(
    path: Path | str, validator: CodeValidator | None = None, vocabulary: Vocabulary | None = None
) -> EncounterFile:
    """Reads and checks a file in the encounters layout, with the layout's rules.

    Raises EncounterFileError listing the problems found (the first MAX_ERRORS by line), each
    naming file, line, field and reason. Codes are checked against the code set in force on the
    discharge date (inpatient) or service date. Standard values come back canonical and the
    organization's names as its canonical names (`vocabulary`).
    """
    path = Path(path)
    table = _read_table(path)
    if table.num_rows == 0:
        raise EncounterFileError([f"{path}: has a header but no code lines"])
    con = duckdb.connect()
    own = validator is None
    validator = validator or CodeValidator()
    try:
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.register("raw_arrow", table)
        con.execute("CREATE TABLE raw AS SELECT * FROM raw_arrow")  # scanned several times: once into DuckDB
        con.unregister("raw_arrow")
        layout.validate(con, validator, vocabulary)
        problems = con.execute(
            f"SELECT line_no, field, value, reason FROM line_errors ORDER BY line_no, field LIMIT {MAX_ERRORS + 1}"
        ).fetchall()
        if problems:
            listed = [_problem(path, *row) for row in problems[:MAX_ERRORS]]
            if len(problems) > MAX_ERRORS:
                total = con.execute("SELECT count(*) FROM line_errors").fetchone()[0]
                listed.append(f"{path}: ... {total - MAX_ERRORS} more problem(s)")
            raise EncounterFileError(listed)
        names = layout.new_names(con)
        ordered = con.sql(
            """
            SELECT e.encounter_id, e.facility, e.encounter_type, e.specialty, e.admit_date, e.discharge_date,
                   e.service_date, e.sex, CAST(e.age AS INTEGER) AS age,
                   CAST(e.discharge_status AS INTEGER) AS discharge_status, e.coder_id, e.vendor,
                   l.code_system, l.code, CAST(l.sequence AS INTEGER) AS sequence, l.poa, l.modifiers,
                   l.units_raw AS units, CAST(e.drg_given AS INTEGER) AS drg, l.line_no AS row_no
            FROM lines l JOIN encounters_parsed e USING (encounter_id)
            ORDER BY e.first_line, l.line_no
            """
        ).to_arrow_table()
    finally:
        con.close()
        if own:
            validator.close()
    with gc_paused():
        return EncounterFile(_build(ordered), names)


def read_encounters(
    path: Path | str, validator: CodeValidator | None = None, vocabulary: Vocabulary | None = None
) -> dict[str, CodedEncounter]:
    """The encounters of a file in the encounters layout, by encounter_id (see `read_encounter_file`)."""
    return read_encounter_file(path, validator, vocabulary).encounters


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
            admit_date=cols["admit_date"][i],
            discharge_date=cols["discharge_date"][i],
            service_date=cols["service_date"][i],
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

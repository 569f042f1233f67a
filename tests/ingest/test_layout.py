"""One encounters layout: `ingest encounters` and the audit reader accept and refuse the same
files, with the same values; the organization's names and the standards' spellings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codingwatch.audit.reader import EncounterFileError, read_encounter_file
from codingwatch.cli import app
from codingwatch.codesets import CodeValidator
from codingwatch.commands.common import UserError
from codingwatch.ingest import layout
from codingwatch.ingest.encounters import ingest_encounter_file
from codingwatch.lake import open_lake
from codingwatch.vocabulary import Vocabulary, VocabularyError, name_key, standard
from tests.ingest.conftest import inpatient, outpatient, write_csv

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ingest.md"


@pytest.fixture(scope="module")
def validator():
    with CodeValidator() as v:
        yield v


def base_rows() -> list[dict]:
    """ENC-1 inpatient on lines 2-3 (I50.21, N17.9), ENC-2 outpatient on lines 4-5 (R07.9, CPT 71046)."""
    return (inpatient("ENC-1", [("ICD10CM", "I50.21", "Y"), ("ICD10CM", "N17.9", "Y")])
            + outpatient("ENC-2", [("ICD10CM", "R07.9"), ("CPT", "71046")]))


def changed(rows: list[dict], encounter: str, index: int | None = None, **fields) -> list[dict]:
    """The rows with `fields` changed on every line of `encounter`, or only on its `index`th line."""
    out, seen = [], 0
    for row in rows:
        row = dict(row)
        if row["encounter_id"] == encounter:
            if index is None or seen == index:
                row.update(fields)
            seen += 1
        out.append(row)
    return out


def lake_rows(table: str) -> list[dict]:
    return open_lake().connect().table(table).execute().to_dict("records")


# (encounter, line index or None for every line, changes, field, line of the file)
RULES = [
    ("ENC-1", None, {"encounter_id": "ENC 1!"}, "encounter_id", 2),
    ("ENC-1", None, {"facility": ""}, "facility", 2),
    ("ENC-1", None, {"encounter_type": "surgery"}, "encounter_type", 2),
    ("ENC-1", None, {"specialty": "--"}, "specialty", 2),
    ("ENC-1", None, {"admit_date": "2026-01-32"}, "admit_date", 2),
    ("ENC-1", None, {"admit_date": ""}, "admit_date", 2),
    ("ENC-1", None, {"discharge_date": "2026-01-01"}, "discharge_date", 2),
    ("ENC-2", None, {"service_date": ""}, "service_date", 4),
    ("ENC-2", None, {"service_date": "2026-02-30"}, "service_date", 4),
    ("ENC-1", None, {"service_date": "2026-03-01"}, "service_date", 2),
    ("ENC-1", None, {"sex": "X"}, "sex", 2),
    ("ENC-1", None, {"sex": ""}, "sex", 2),
    ("ENC-1", None, {"age": "130"}, "age", 2),
    ("ENC-1", None, {"age": ""}, "age", 2),
    ("ENC-1", None, {"age": "72.5"}, "age", 2),  # a cast alone would read 73
    ("ENC-1", None, {"age": "+7"}, "age", 2),
    ("ENC-1", None, {"age": "0x10"}, "age", 2),
    ("ENC-1", None, {"discharge_status": ""}, "discharge_status", 2),
    ("ENC-1", None, {"discharge_status": "100"}, "discharge_status", 2),
    ("ENC-1", None, {"discharge_status": "1.5"}, "discharge_status", 2),
    ("ENC-1", None, {"discharge_status": "0x10"}, "discharge_status", 2),
    ("ENC-1", None, {"coder_id": ""}, "coder_id", 2),
    ("ENC-1", None, {"vendor": ""}, "vendor", 2),
    ("ENC-1", None, {"received_at": "2026-01-05T10:00:00"}, "received_at", 2),
    ("ENC-1", None, {"coded_at": "2026-01-04T10:00:00+00:00"}, "coded_at", 2),
    ("ENC-1", None, {"drg": "1000"}, "drg", 2),
    ("ENC-1", None, {"drg": "291.5"}, "drg", 2),  # a cast alone would read 292
    ("ENC-1", None, {"drg": "+291"}, "drg", 2),
    ("ENC-1", 1, {"coder_id": "c9"}, "coder_id", 3),
    ("ENC-2", 0, {"code_system": "SNOMED"}, "code_system", 4),
    ("ENC-2", 0, {"code_system": ""}, "code_system", 4),
    ("ENC-2", 1, {"code": ""}, "code", 5),
    ("ENC-1", 0, {"code": "I50"}, "code", 2),
    ("ENC-1", None, {"admit_date": "2021-02-26", "discharge_date": "2021-03-01"}, "code", 2),
    ("ENC-1", 1, {"code_system": "CPT", "code": "71046", "poa": ""}, "code_system", 3),
    ("ENC-2", 1, {"code_system": "ICD10PCS", "code": "02HV33Z"}, "code_system", 5),
    ("ENC-1", 1, {"sequence": "x"}, "sequence", 3),
    ("ENC-1", 1, {"sequence": "1"}, "sequence", 3),
    ("ENC-1", 0, {"sequence": "3"}, "sequence", 2),
    ("ENC-1", 0, {"poa": "Q"}, "poa", 2),
    ("ENC-1", 0, {"poa": ""}, "poa", 2),
    ("ENC-2", 1, {"modifiers": "2-6"}, "modifiers", 5),
    ("ENC-2", 1, {"units": "0"}, "units", 5),
]


@pytest.mark.parametrize("encounter,index,fields,field,line", RULES,
                         ids=[f"{r[3]}-{'-'.join(f'{k}={v}' for k, v in r[2].items())}" for r in RULES])
def test_a_file_breaking_a_rule_is_refused_by_both_readers_naming_line_and_field(
    lake_root, tmp_path, validator, encounter, index, fields, field, line
):
    path = write_csv(tmp_path / "coded.csv", changed(base_rows(), encounter, index, **fields))
    with pytest.raises(EncounterFileError) as refused:
        read_encounter_file(path, validator)
    assert any(f"coded.csv line {line}, field {field}:" in p for p in refused.value.problems), refused.value.problems

    result = ingest_encounter_file(path, lake=open_lake(), validator=validator)
    assert result.encounters_rejected >= 1
    with open(result.rejects_file, newline="") as handle:
        listed = {(r["line"], r["field"]) for r in csv.DictReader(handle)}
    assert (str(line), field) in listed
    loaded = {r["encounter_key"] for r in lake_rows("encounters")} if result.status == "loaded" else set()
    assert len(loaded) == 2 - result.encounters_rejected


@pytest.mark.parametrize(("fields", "problem"), [
    ({"age": "72.5"}, "field age: must be a whole number of years in digits, 0-124 (no decimals or signs) "
                      "(got '72.5')"),
    ({"drg": "291.5"}, "field drg: must be an MS-DRG number from 001 to 999, in digits (no decimals or signs) "
                       "(got '291.5')"),
])
def test_an_age_or_drg_with_a_fraction_is_refused_not_rounded(lake_root, tmp_path, validator, fields, problem):
    path = write_csv(tmp_path / "coded.csv", changed(base_rows(), "ENC-1", **fields))
    with pytest.raises(EncounterFileError) as refused:
        read_encounter_file(path, validator)
    assert f"{path} line 2, {problem}" in refused.value.problems
    whole = write_csv(tmp_path / "whole.csv", changed(base_rows(), "ENC-1", age="072", drg="291"))
    [enc] = [e for e in read_encounter_file(whole, validator).encounters.values() if e.encounter.age == 72]
    assert enc.stated_drg == 291


def test_a_file_the_audit_reader_accepts_is_loaded_whole_with_the_same_values(lake_root, tmp_path, validator):
    rows = changed(base_rows(), "ENC-1", encounter_type="Inpatient", specialty="Hospital Medicine", sex="m")
    rows = changed(rows, "ENC-1", 0, code_system="ICD-10-CM", poa="y")
    rows = changed(rows, "ENC-2", encounter_type="OP", specialty="RADIOLOGY")
    rows = changed(rows, "ENC-2", 1, code_system="cpt-4", modifiers="26, 59")
    path = write_csv(tmp_path / "coded.csv", rows)
    found = read_encounter_file(path, validator).encounters
    result = ingest_encounter_file(path, lake=open_lake(), validator=validator)
    assert (result.status, result.encounters_loaded, result.encounters_rejected) == ("loaded", 2, 0)

    ours = sorted((e.encounter.encounter_type, e.encounter.specialty, e.encounter.sex) for e in found.values())
    lake = sorted((r["encounter_type"], r["specialty"], r["sex"]) for r in lake_rows("encounters"))
    assert ours == lake == [("inpatient", "hospital_medicine", "M"), ("outpatient", "radiology", "M")]
    lines = sorted((r["code_system"], r["code"], r["poa"], r["modifiers"]) for r in lake_rows("code_lines"))
    assert lines == sorted((line.code_system, line.code, line.poa, ";".join(line.modifiers))
                           for e in found.values() for line in e.lines)
    assert ("CPT", "71046", "", "26;59") in lines and ("ICD10CM", "I5021", "Y", "") in lines


@pytest.mark.parametrize("written", ["hospital medicine", "Hospital Medicine", "HOSPITAL_MEDICINE",
                                     "hospital-medicine", " Hospital  Medicine. "])
def test_specialty_spellings_are_one_specialty(lake_root, tmp_path, validator, written):
    path = write_csv(tmp_path / "coded.csv", changed(base_rows(), "ENC-1", specialty=written))
    (first, _) = read_encounter_file(path, validator).encounters.values()
    assert first.encounter.specialty == "hospital_medicine"
    result = ingest_encounter_file(path, lake=open_lake(), validator=validator)
    assert result.status == "loaded" and result.encounters_rejected == 0
    assert "hospital_medicine" in {r["specialty"] for r in lake_rows("encounters")}
    assert not [n for n in result.new_names if n["kind"] == "specialty"]  # a default specialty: known


def test_a_specialty_the_vocabulary_does_not_know_is_loaded_and_reported(lake_root, tmp_path, validator):
    rows = changed(base_rows(), "ENC-1", specialty="Pediatric Cardiology")
    path = write_csv(tmp_path / "coded.csv", rows)
    result = ingest_encounter_file(path, lake=open_lake(), validator=validator)
    assert (result.status, result.encounters_loaded, result.encounters_rejected) == ("loaded", 2, 0)
    assert {"kind": "specialty", "canonical": "pediatric_cardiology", "spellings": ["Pediatric Cardiology"],
            "encounters": 1} in result.new_names
    assert "new specialty 'pediatric_cardiology' (written 'Pediatric Cardiology'; 1 encounters)" in result.message
    assert "pediatric_cardiology" in {r["specialty"] for r in lake_rows("encounters")}
    reported = read_encounter_file(path, validator).new_names
    assert [(n.kind, n.canonical, n.encounters) for n in reported if n.kind == "specialty"] == [
        ("specialty", "pediatric_cardiology", 1)]


def write_mapping(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kind", "source", "canonical"])
        writer.writerows(rows)
    return path


def test_a_mapping_file_turns_source_names_into_the_organizations_names(lake_root, tmp_path, validator):
    mapping = write_mapping(tmp_path / "names.csv", [
        ("specialty", "HOSP MED", "hospital_medicine"),
        ("specialty", "Imaging", "Diagnostic Radiology"),
        ("facility", "F1", "North Campus"),
    ])
    vocabulary = Vocabulary.from_file(mapping)
    rows = changed(base_rows(), "ENC-1", specialty="hosp-med")
    rows = changed(rows, "ENC-2", specialty="IMAGING", facility="f1")
    path = write_csv(tmp_path / "coded.csv", rows)
    found = read_encounter_file(path, validator, vocabulary)
    assert sorted((e.encounter.specialty, e.encounter.facility) for e in found.encounters.values()) == [
        ("Diagnostic Radiology", "North Campus"), ("hospital_medicine", "North Campus")]
    assert found.new_names == []
    result = ingest_encounter_file(path, lake=open_lake(), validator=validator, vocabulary=vocabulary)
    assert result.status == "loaded" and result.new_names == []
    assert sorted((r["specialty"], r["facility"]) for r in lake_rows("encounters")) == [
        ("Diagnostic Radiology", "North Campus"), ("hospital_medicine", "North Campus")]
    # A later file writing the canonical name its own way matches it.
    assert vocabulary.canonical("specialty", "diagnostic radiology") == "Diagnostic Radiology"


@pytest.mark.parametrize("rows,message", [
    ([("ward", "A", "B")], "names.csv: line 2, field kind: 'ward' must be one of specialty, facility, payer"),
    ([("specialty", "--", "cardiology")], "names.csv: line 2, field source: needs a letter or digit"),
    ([("specialty", "Cardio", "cardiology"), ("specialty", "CARDIO", "oncology")],
     "names.csv: line 3, field source: 'CARDIO' is mapped to 'cardiology' on line 2 and to 'oncology' here"),
])
def test_a_bad_mapping_file_is_refused_naming_line_and_field(tmp_path, rows, message):
    with pytest.raises(VocabularyError) as refused:
        Vocabulary.from_file(write_mapping(tmp_path / "names.csv", rows))
    assert str(refused.value) == message


@pytest.mark.parametrize("kind,spellings,canonical", [
    ("encounter_type", ["I", "i", "IP", "Inpatient", "INPATIENT"], "inpatient"),
    ("encounter_type", ["O", "OP", "Outpatient"], "outpatient"),
    ("encounter_type", ["ER", "E.D.", "Emergency"], "ed"),
    ("encounter_type", ["Pro Fee", "profee", "Professional"], "profee"),
    ("code_system", ["ICD-10-CM", "ICD10CM", "icd10cm", "ICD 10 CM"], "ICD10CM"),
    ("code_system", ["ICD-10-PCS", "PCS"], "ICD10PCS"),
    ("code_system", ["CPT-4", "cpt"], "CPT"),
    ("code_system", ["HCPCS Level II", "hcpcs"], "HCPCS"),
    ("sex", ["f", "Female"], "F"),
    ("poa", ["y", "Yes"], "Y"),
    ("poa", ["n", "w", "1"], None),
])
def test_standard_spellings_are_read_as_the_canonical_value(kind, spellings, canonical):
    for spelling in spellings:
        assert standard(kind, spelling) == (canonical or spelling.upper()), spelling


def test_standard_spellings_are_normalized_on_load_by_both_readers(lake_root, tmp_path, validator):
    rows = changed(base_rows(), "ENC-1", encounter_type="I", sex="f")
    rows = changed(rows, "ENC-1", 0, code_system="ICD-10-CM", poa="y")
    rows = changed(rows, "ENC-1", 1, code_system="icd10cm", poa="n")
    rows = changed(rows, "ENC-2", encounter_type="Outpatient")
    path = write_csv(tmp_path / "coded.csv", rows)
    enc = read_encounter_file(path, validator).encounters["ENC-1"]
    assert (enc.encounter.encounter_type, enc.encounter.sex) == ("inpatient", "F")
    assert [(line.code_system, line.poa) for line in enc.lines] == [("ICD10CM", "Y"), ("ICD10CM", "N")]
    result = ingest_encounter_file(path, lake=open_lake(), validator=validator)
    assert result.encounters_loaded == 2 and result.drg_computed == 1  # grouped: it is inpatient
    assert {(r["code_system"], r["poa"]) for r in lake_rows("code_lines")} >= {("ICD10CM", "Y"), ("ICD10CM", "N")}


def test_the_cli_reports_new_names_and_reads_a_mapping_file(lake_root, tmp_path):
    mapping = write_mapping(tmp_path / "names.csv", [("specialty", "HOSP MED", "hospital_medicine")])
    rows = changed(base_rows(), "ENC-1", specialty="Hosp Med")
    rows = changed(rows, "ENC-2", specialty="Interventional Radiology")
    path = write_csv(tmp_path / "coded.csv", rows)
    result = runner.invoke(app, ["ingest", "encounters", str(path), "--vocabulary", str(mapping),
                                 "--format", "json", "--rejects-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["encounters_loaded"] == 2
    specialties = [n for n in out["new_names"] if n["kind"] == "specialty"]
    assert specialties == [{"kind": "specialty", "canonical": "interventional_radiology",
                            "spellings": ["Interventional Radiology"], "encounters": 1}]
    assert {r["specialty"] for r in lake_rows("encounters")} == {"hospital_medicine", "interventional_radiology"}


def test_the_cli_refuses_a_bad_mapping_file_clearly(lake_root, tmp_path):
    mapping = tmp_path / "names.csv"
    mapping.write_text("kind,name\nspecialty,x\n")
    path = write_csv(tmp_path / "coded.csv", base_rows())
    result = runner.invoke(app, ["ingest", "encounters", str(path), "--vocabulary", str(mapping)])
    assert isinstance(result.exception, UserError)  # main() prints it on one line and exits 2
    assert "names.csv: line 1: missing column(s) source, canonical" in str(result.exception)
    assert not open_lake().loads()


def test_names_are_matched_ignoring_case_spaces_underscores_and_punctuation():
    assert {name_key(n) for n in ["Hospital Medicine", "hospital_medicine", "HOSPITAL-MEDICINE",
                                  "hospital  medicine.", "Hospital/Medicine"]} == {"hospital_medicine"}
    assert name_key("Pédiatrie générale") == "pédiatrie_générale"


def test_the_docs_column_table_is_the_layouts():
    text = DOCS.read_text()
    assert layout.with_column_table(text) == text, (
        "docs/ingest.md's column table differs from codingwatch.ingest.layout; "
        "run: uv run python -m codingwatch.ingest.layout docs/ingest.md"
    )
    documented = {c for columns, _, _ in layout.COLUMN_DOCS for c in columns}
    assert documented == set(layout.COLUMNS)

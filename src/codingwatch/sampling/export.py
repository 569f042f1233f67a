"""Draws and appraisals as auditors keep them: text reports, CSV, and XLSX laid out like
RAT-STATS' output files (a header block naming the audit, date, seed and frame, then the table).
"""

from __future__ import annotations

import io
from pathlib import Path

from codingwatch.sampling.attribute import AttributeAppraisal
from codingwatch.sampling.draws import RandomDraw, SetsDraw, StratifiedDraw
from codingwatch.sampling.variable import StratifiedAppraisal, VariableAppraisal
from codingwatch.spreadsheet import csv_writer, put

LEVEL_NAMES = {"80": "80% two-sided", "90": "90% two-sided", "95": "95% two-sided"}


def _value_cells(value) -> list:
    return list(value) if isinstance(value, tuple) else [value]


# ---- header blocks ---------------------------------------------------------------------------
def draw_header(draw: RandomDraw | SetsDraw, title: str) -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = [
        ("Audit/Review", draw.audit_name or "(unnamed)"),
        ("Date", draw.drawn_at[:10]),
        ("Time", draw.drawn_at[11:19]),
        ("Seed", draw.seed),
    ]
    if isinstance(draw, RandomDraw):
        rows += [("Frame low", draw.low), ("Frame high", draw.high), ("Frame size", draw.frame_size)]
    else:
        for column, (low, high) in enumerate(draw.ranges, start=1):
            rows.append((f"Set {column} frame", f"{low} to {high}"))
    rows += [("Quantity in sequential order", draw.count), ("Quantity of spares", draw.spares)]
    if isinstance(draw, RandomDraw):
        rows.append(("Sum of all numbers drawn", draw.total))
    return [(title, "")] + rows


# ---- text ------------------------------------------------------------------------------------
def draw_text(draw: RandomDraw | SetsDraw, title: str = "Single Stage Random Numbers") -> str:
    lines = [f"{k}: {v}" if v != "" else k for k, v in draw_header(draw, title)]
    lines.append("")
    lines.append(f"{'Selection order':>16}  Value")
    for row in draw.sample:
        lines.append(f"{row.order:>16}  {' '.join(str(v) for v in _value_cells(row.value))}")
    if draw.spare_rows:
        lines.append("")
        lines.append("Spares")
        for row in draw.spare_rows:
            lines.append(f"{row.order:>16}  {' '.join(str(v) for v in _value_cells(row.value))}")
    return "\n".join(lines)


def stratified_text(design: StratifiedDraw) -> str:
    parts = [f"Stratified Random Numbers\nAudit/Review: {design.audit_name or '(unnamed)'}\n"
             f"Date: {design.drawn_at[:10]}  Time: {design.drawn_at[11:19]}\nSeed: {design.seed}"]
    for request, draw in design.strata:
        parts.append(draw_text(draw, title=f"Stratum {request.stratum}"))
    return "\n\n".join(parts)


def attribute_text(result: AttributeAppraisal, audit_name: str = "") -> str:
    lines = [
        "Unrestricted Attribute Appraisal",
        f"Audit/Review: {audit_name or '(unnamed)'}",
        f"Universe size: {result.universe}",
        f"Sample size: {result.sample}",
        f"Sample items with the attribute: {result.hits}",
        f"Point estimate: {float(result.point_estimate):.4f} items ({float(result.rate) * 100:.4f}%)",
        "",
        f"{'Confidence':<16}{'Lower':>14}{'Upper':>14}{'Lower %':>11}{'Upper %':>11}",
    ]
    for level, (low, high) in result.limits.items():
        lines.append(
            f"{LEVEL_NAMES[level]:<16}{low:>14}{high:>14}"
            f"{low / result.universe * 100:>10.4f}%{high / result.universe * 100:>10.4f}%"
        )
    return "\n".join(lines)


def variable_text(results: dict[str, VariableAppraisal], title: str = "Unrestricted Variable Appraisal",
                  audit_name: str = "") -> str:
    names = list(results)
    first = results[names[0]]
    width = 18
    lines = [title, f"Audit/Review: {audit_name or '(unnamed)'}", f"Universe size: {first.universe}",
             f"Sample size: {first.sample}", ""]
    lines.append(f"{'':<24}" + "".join(f"{n.capitalize():>{width}}" for n in names))
    dicts = {n: r.as_dict() for n, r in results.items()}

    formats = {"nonzero": ",d", "mean": ",.4f", "std_dev": ",.4f", "std_err_mean": ",.4f",
               "precision_percent": ".4f", "t": ".6f"}

    def cell(value, key):
        if value is None:
            return f"{'-':>{width}}"
        return f"{value:>{width}{formats.get(key, ',.2f')}}"

    def row(label, key):
        lines.append(f"{label:<24}" + "".join(cell(dicts[n][key], key) for n in names))

    row("Nonzero items", "nonzero")
    row("Sample total", "sample_total")
    row("Mean", "mean")
    row("Standard deviation", "std_dev")
    row("Std error (mean)", "std_err_mean")
    row("Std error (total)", "std_err_total")
    row("Point estimate", "point_estimate")
    for level in ("80", "90", "95"):
        lines.append("")
        lines.append(LEVEL_NAMES[level])
        for label, key in (("  Lower limit", "lower"), ("  Upper limit", "upper"), ("  Precision amount", "precision"),
                           ("  Precision percent", "precision_percent"), ("  t / z value", "t")):
            lines.append(f"{label:<24}" + "".join(cell(dicts[n]["levels"][level][key], key) for n in names))
    return "\n".join(lines)


def stratified_variable_text(result: StratifiedAppraisal, audit_name: str = "") -> str:
    parts = []
    for name, stratum in result.strata.items():
        parts.append(variable_text({"values": stratum}, title=f"Stratum {name}", audit_name=audit_name))
    parts.append(variable_text({"values": result.combined}, title="Stratified Variable Appraisal: combined",
                               audit_name=audit_name))
    return "\n\n".join(parts)


# ---- CSV -------------------------------------------------------------------------------------
def draw_csv(draw: RandomDraw | SetsDraw) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    if isinstance(draw, SetsDraw):
        writer.writerow(["kind", "order"] + [f"value_{i}" for i in range(1, len(draw.ranges) + 1)])
    else:
        writer.writerow(["kind", "order", "value"])
    for row in draw.rows:
        writer.writerow([row.kind, row.order, *_value_cells(row.value)])
    return out.getvalue()


def stratified_csv(design: StratifiedDraw) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["stratum", "kind", "order", "value"])
    for request, draw in design.strata:
        for row in draw.rows:
            writer.writerow([request.stratum, row.kind, row.order, row.value])
    return out.getvalue()


def attribute_csv(result: AttributeAppraisal) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["confidence", "lower", "upper", "lower_rate", "upper_rate", "point_estimate", "point_rate"])
    for level, (low, high) in result.limits.items():
        writer.writerow([level, low, high, low / result.universe, high / result.universe,
                         float(result.point_estimate), float(result.rate)])
    return out.getvalue()


def variable_csv(results: dict[str, VariableAppraisal]) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(["values", "confidence", "lower", "upper", "precision", "precision_percent", "t",
                     "point_estimate", "mean", "std_dev", "std_err_mean", "std_err_total", "nonzero", "sample"])
    for name, result in results.items():
        d = result.as_dict()
        for level, figures in d["levels"].items():
            writer.writerow([name, level, figures["lower"], figures["upper"], figures["precision"],
                             figures["precision_percent"], figures["t"], d["point_estimate"], d["mean"],
                             d["std_dev"], d["std_err_mean"], d["std_err_total"], d["nonzero"], d["sample"]])
    return out.getvalue()


# ---- XLSX ------------------------------------------------------------------------------------
def _sheet_header(sheet, rows: list[tuple[str, object]]) -> int:
    from openpyxl.styles import Font

    for i, (label, value) in enumerate(rows, start=1):
        put(sheet, i, 1, label)
        if value != "":
            put(sheet, i, 2, value)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=12)
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 18
    return len(rows) + 2


def _draw_sheet(sheet, draw: RandomDraw | SetsDraw, title: str) -> None:
    from openpyxl.styles import Font

    row = _sheet_header(sheet, draw_header(draw, title))
    width = len(draw.ranges) if isinstance(draw, SetsDraw) else 1
    headings = ["Selection Order"] + (["Value"] if width == 1 else [f"Set {i}" for i in range(1, width + 1)])
    for column, heading in enumerate(headings, start=1):
        put(sheet, row, column, heading).font = Font(bold=True)
    row += 1
    for selection in draw.sample:
        for column, value in enumerate([selection.order, *_value_cells(selection.value)], start=1):
            put(sheet, row, column, value)
        row += 1
    if draw.spare_rows:
        row += 1
        put(sheet, row, 1, "Spares").font = Font(bold=True)
        row += 1
        for selection in draw.spare_rows:
            for column, value in enumerate([selection.order, *_value_cells(selection.value)], start=1):
                put(sheet, row, column, value)
            row += 1


def _save(book, path: Path) -> None:
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp")
    book.save(temporary)
    temporary.replace(path)


def draw_xlsx(draw: RandomDraw | SetsDraw, path: Path, title: str = "Single Stage Random Numbers") -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Random Numbers"
    _draw_sheet(sheet, draw, title)
    _save(book, path)


def stratified_xlsx(design: StratifiedDraw, path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = "Strata"
    row = _sheet_header(summary, [("Stratified Random Numbers", ""), ("Audit/Review", design.audit_name or "(unnamed)"),
                                  ("Date", design.drawn_at[:10]), ("Time", design.drawn_at[11:19]), ("Seed", design.seed)])
    for column, heading in enumerate(["Stratum", "Low", "High", "Sample", "Spares", "Sum"], start=1):
        put(summary, row, column, heading)
    for request, draw in design.strata:
        row += 1
        for column, value in enumerate([request.stratum, draw.low, draw.high, draw.count, draw.spares, draw.total], start=1):
            put(summary, row, column, value)
        sheet = book.create_sheet(title=f"Stratum {request.stratum}"[:31])
        _draw_sheet(sheet, draw, f"Stratum {request.stratum}")
    _save(book, path)


def attribute_xlsx(result: AttributeAppraisal, path: Path, audit_name: str = "") -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Attribute Appraisal"
    row = _sheet_header(sheet, [
        ("Unrestricted Attribute Appraisal", ""), ("Audit/Review", audit_name or "(unnamed)"),
        ("Universe size", result.universe), ("Sample size", result.sample),
        ("Sample items with the attribute", result.hits),
        ("Point estimate (items)", float(result.point_estimate)), ("Point estimate (rate)", float(result.rate)),
    ])
    for column, heading in enumerate(["Confidence", "Lower limit", "Upper limit", "Lower rate", "Upper rate"], start=1):
        put(sheet, row, column, heading)
    for level, (low, high) in result.limits.items():
        row += 1
        for column, value in enumerate([LEVEL_NAMES[level], low, high, low / result.universe, high / result.universe], start=1):
            put(sheet, row, column, value)
    _save(book, path)


def _variable_sheet(sheet, results: dict[str, VariableAppraisal], title: str, audit_name: str) -> None:
    first = next(iter(results.values()))
    row = _sheet_header(sheet, [(title, ""), ("Audit/Review", audit_name or "(unnamed)"),
                                ("Universe size", first.universe), ("Sample size", first.sample)])
    names = list(results)
    for column, name in enumerate(names, start=2):
        put(sheet, row, column, name.capitalize())
    dicts = {n: r.as_dict() for n, r in results.items()}
    labels = [("Nonzero items", "nonzero"), ("Sample total", "sample_total"), ("Mean", "mean"),
              ("Standard deviation", "std_dev"), ("Std error (mean)", "std_err_mean"),
              ("Std error (total)", "std_err_total"), ("Point estimate", "point_estimate")]
    for label, key in labels:
        row += 1
        put(sheet, row, 1, label)
        for column, name in enumerate(names, start=2):
            put(sheet, row, column, dicts[name][key])
    for level in ("80", "90", "95"):
        row += 2
        put(sheet, row, 1, LEVEL_NAMES[level])
        for label, key in (("Lower limit", "lower"), ("Upper limit", "upper"), ("Precision amount", "precision"),
                           ("Precision percent", "precision_percent"), ("t / z value", "t")):
            row += 1
            put(sheet, row, 1, label)
            for column, name in enumerate(names, start=2):
                put(sheet, row, column, dicts[name]["levels"][level][key])


def variable_xlsx(results: dict[str, VariableAppraisal], path: Path, audit_name: str = "") -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Variable Appraisal"
    _variable_sheet(sheet, results, "Unrestricted Variable Appraisal", audit_name)
    _save(book, path)


def stratified_variable_xlsx(result: StratifiedAppraisal, path: Path, audit_name: str = "") -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Combined"
    _variable_sheet(sheet, {"values": result.combined}, "Stratified Variable Appraisal: combined", audit_name)
    for name, stratum in result.strata.items():
        _variable_sheet(book.create_sheet(title=f"Stratum {name}"[:31]), {"values": stratum}, f"Stratum {name}", audit_name)
    _save(book, path)

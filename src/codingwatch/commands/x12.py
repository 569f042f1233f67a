"""`codingwatch ingest claims` (X12 837I/837P) and `codingwatch ingest remits` (X12 835)."""

from __future__ import annotations

from pathlib import Path

import typer

from codingwatch.commands.common import (
    FORMAT_OPTION,
    OutputFormat,
    console,
    err_console,
    ingest_app,
    print_json,
    progress,
)
from codingwatch.commands.vocabulary import ORGANIZATION_OPTION, VOCABULARY_OPTION

FILES = typer.Argument(..., exists=False, help="X12 files; each loads whole or not at all")


def _run(kind: str, files: list[Path], fmt: OutputFormat, lenient: bool = False, vocabulary=None) -> None:
    from codingwatch.commands.vocabulary import app_database
    from codingwatch.ingest.x12.load import ingest_claims, ingest_remits

    app_database()  # the app's pages are warmed for the new load, when there is an app
    with progress(quiet=False) as bar:
        task = bar.add_task(f"reading {kind}", total=len(files))

        def step(_step: str, fraction: float) -> None:
            if fraction >= 1.0:
                bar.advance(task)

        if kind == "claims":
            report = ingest_claims(files, lenient=lenient, progress=step)
        else:
            report = ingest_remits(files, lenient=lenient, progress=step, vocabulary=vocabulary)
    payload = report.as_dict()
    if fmt == OutputFormat.json:
        print_json(payload)
    else:
        line = (f"loaded {report.files} file(s): {report.claims} claims, {report.service_lines} service "
                f"lines, charges {report.charge_total}")
        if kind == "remits":
            line += f", paid {report.paid_total}, {report.adjustments} adjustments"
        console.print(line)
        if report.unknown_carcs or report.unknown_rarcs:
            console.print("[yellow]codes not in the CARC/RARC catalog (kept):[/] "
                          + ", ".join(sorted(report.unknown_carcs) + sorted(report.unknown_rarcs)))
        for result in report.results:
            if result.status == "skipped":
                console.print(f"[yellow]skipped[/] {result.message}", highlight=False)
        for warning in report.warnings:
            console.print(f"[yellow]warning[/] {warning['file']} segment {warning['segment']}: {warning['reason']}")
        if report.warnings_total > len(report.warnings):
            console.print(f"[yellow]... {report.warnings_total - len(report.warnings)} more warning(s)[/]")
    for reject in report.rejected:
        err_console.print(f"[bold red]rejected[/] {reject['file']} segment {reject['segment']}: {reject['reason']}")
    if report.rejected:
        raise typer.Exit(1)


@ingest_app.command("claims")
def ingest_claims_command(
    files: list[Path] = FILES,
    lenient: bool = typer.Option(
        False, "--lenient",
        help="load files whose counts (SE01, GE01, IEA01), control numbers (SE02, GE02, IEA02) or HL "
        "numbering are wrong, with a warning naming the segment; structure and required elements are still "
        "enforced"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Load X12 5010 837I/837P claims into the lake as billed encounters and code lines.

    Each claim (CLM) becomes an encounter with origin 'billed', keyed by its patient control
    number (CLM01) so that remittances and coded encounters join it; its HI diagnoses and
    ICD-10-PCS procedures (with qualifiers and POA) and its service lines (CPT/HCPCS,
    modifiers, units, charges) are kept. A file with a broken envelope, a segment in the
    wrong place or a missing required element is rejected whole, naming the segment; the
    other files still load; the exit code is 1 when anything was rejected.

    Example: codingwatch ingest claims claims/2026-01-*.837 --format json
    """
    _run("claims", files, fmt, lenient)


@ingest_app.command("remits")
def ingest_remits_command(
    files: list[Path] = FILES,
    lenient: bool = typer.Option(
        False, "--lenient",
        help="load files whose envelope counts (SE01, GE01, IEA01) or control numbers (SE02, GE02, IEA02) "
        "disagree with their headers, with a warning naming the segment; structure (truncation, segments out "
        "of place, no ISA) is still enforced"),
    fmt: OutputFormat = FORMAT_OPTION,
    vocabulary_file: Path = VOCABULARY_OPTION,
    organization: str = ORGANIZATION_OPTION,
) -> None:
    """Load X12 5010 835 remittances into the lake: payments, claims, adjustments, remarks.

    Keeps BPR/TRN payments, payer and payee, each CLP (status, charge, payment, patient
    responsibility, filing indicator, DRG), claim- and line-level CAS (group, CARC, amount,
    quantity), SVC service lines, LQ/MOA/MIA remark codes and PLB provider adjustments. The
    patient control number (CLP01) is kept only as a key that joins the 837 claim. Prints
    files, claims, service_lines, adjustments, charge_total, paid_total and rejected.

    A file with a broken envelope or a segment out of place is rejected whole, naming the
    segment; --lenient loads one whose counts or control numbers are wrong, with a warning.

    Payers are the organization's names: a payer (N1*PR) the vocabulary maps is stored under its
    canonical name (--vocabulary, or the mapping imported with `codingwatch manage
    import_vocabulary`).

    Example: codingwatch ingest remits era/*.835 --format json --vocabulary names.csv
    """
    from codingwatch.commands.vocabulary import load_vocabulary

    _run("remits", files, fmt, lenient, load_vocabulary(vocabulary_file, organization))


# ---- codingwatch denials ---------------------------------------------------------------------
app = typer.Typer(help="Denials traced to coding: rates, reason codes, rework and recoveries.",
                  no_args_is_help=True)


def _frame_payload(frame) -> list[dict]:
    import math
    from decimal import Decimal

    rows = []
    for row in frame.to_dict("records"):
        clean = {}
        for key, value in row.items():
            if value is None or (isinstance(value, float) and math.isnan(value)):
                clean[key] = None
            elif isinstance(value, Decimal):
                clean[key] = str(value)
            elif isinstance(value, float):
                clean[key] = round(value, 6)
            elif hasattr(value, "isoformat"):
                clean[key] = value.isoformat()[:10]
            elif hasattr(value, "item"):
                clean[key] = value.item()
            else:
                clean[key] = value
        rows.append(clean)
    return rows


def _show(title: str, rows: list[dict], fmt: OutputFormat) -> None:
    from rich.table import Table

    if fmt == OutputFormat.json:
        print_json({"rows": rows})
        return
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*["" if row[c] is None else str(row[c]) for c in columns])
    console.print(table if rows else f"{title}: no remittances in the lake")


def _lake_tables():
    from codingwatch import denials
    from codingwatch.lake import open_lake

    con = open_lake().connect()
    return con, denials.from_lake(con)


@app.command("rates")
def denial_rates_command(
    by: str = typer.Option("vendor", help="comma-separated: vendor, coder_id, specialty, payer_id, month"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Denial rate and coding-related denial rate of remitted claims, by the given dimensions.

    A claim is denied when CLP02 is 4 or nothing is paid on a positive charge; it is
    coding-related when a reason code on it is coding-related in the CARC/RARC catalog. Vendor,
    coder and specialty come from the coded encounter with the same patient control number.

    Example: codingwatch denials rates --by vendor,month --format json
    """
    from codingwatch import denials
    from codingwatch.commands.common import UserError

    dimensions = [d.strip() for d in by.split(",") if d.strip()]
    unknown = set(dimensions) - set(denials.DIMENSIONS)
    if unknown:
        raise UserError(f"--by: unknown dimension(s) {', '.join(sorted(unknown))}; "
                        f"use {', '.join(denials.DIMENSIONS)}")
    _, t = _lake_tables()
    rows = _frame_payload(denials.denial_rates(t["linked"], dimensions).execute())
    _show("Denial rates", rows, fmt)


@app.command("pareto")
def denial_pareto_command(
    coding_only: bool = typer.Option(False, "--coding-only", help="only coding-related denials"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """The reason codes (CARC) behind denials, most frequent first, with cumulative share.

    Example: codingwatch denials pareto --coding-only
    """
    from codingwatch import denials

    con, t = _lake_tables()
    expr = denials.carc_pareto(t["outcomes"], con.table("remit_adjustments"), coding_only=coding_only)
    _show("Reason codes behind denials", _frame_payload(expr.execute()), fmt)


@app.command("recoveries")
def denial_recoveries_command(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Denied claims that a later remittance paid (amount recovered on resubmission).

    Example: codingwatch denials recoveries --format json
    """
    from codingwatch import denials

    _, t = _lake_tables()
    _show("Recovered on resubmission", _frame_payload(denials.recoveries(t["outcomes"]).execute()), fmt)

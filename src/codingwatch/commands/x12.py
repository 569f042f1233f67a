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

FILES = typer.Argument(..., exists=False, help="X12 files; each loads whole or not at all")


def _run(kind: str, files: list[Path], fmt: OutputFormat, lenient: bool = False) -> None:
    from codingwatch.ingest.x12.load import ingest_claims, ingest_remits

    with progress(quiet=False) as bar:
        task = bar.add_task(f"reading {kind}", total=len(files))

        def step(_path: Path) -> None:
            bar.advance(task)

        if kind == "claims":
            report = ingest_claims(files, lenient=lenient, on_file=step)
        else:
            report = ingest_remits(files, on_file=step)
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
        for path in report.skipped:
            console.print(f"[yellow]skipped[/] {path}: already loaded (same SHA-256)")
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
        help="load files whose counts (SE01, GE01, IEA01) or HL numbering are wrong, with a warning; "
        "control numbers, structure and required elements are still enforced"),
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
def ingest_remits_command(files: list[Path] = FILES, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Load X12 5010 835 remittances into the lake: payments, claims, adjustments, remarks.

    Keeps BPR/TRN payments, payer and payee, each CLP (status, charge, payment, patient
    responsibility, filing indicator, DRG), claim- and line-level CAS (group, CARC, amount,
    quantity), SVC service lines, LQ/MOA/MIA remark codes and PLB provider adjustments. The
    patient control number (CLP01) is kept only as a key that joins the 837 claim. Prints
    files, claims, service_lines, adjustments, charge_total, paid_total and rejected.

    Example: codingwatch ingest remits era/*.835 --format json
    """
    _run("remits", files, fmt)

"""`codingwatch synth`: write a synthetic health system with known ground truth."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from codingwatch.commands.common import FORMAT_OPTION, OutputFormat, UserError, console, print_json, progress


def synth(
    outdir: Path = typer.Argument(..., help="folder to write the files into (created if missing; files are replaced)"),
    encounters: int = typer.Option(20_000, "--encounters", "-n", min=1, help="number of encounters (about 8 code lines each)"),
    seed: int = typer.Option(2026, "--seed", help="random seed: the same seed and options give byte-identical files"),
    year: int = typer.Option(2026, "--year", help="federal fiscal year to simulate (FY2026 = 2025-10-01 to 2026-09-30)"),
    output_format: OutputFormat = FORMAT_OPTION,
) -> None:
    """Write a realistic synthetic health system with known ground truth.

    One fiscal year at three hospitals: an in-house team, a domestic vendor and a "split" vendor that declares a US team but codes mostly offshore; coders with credentials, specialties, locations, turnover and work queues; encounters of every type with real ICD-10-CM/PCS, CPT/HCPCS codes and CMS MS-DRGs.

    Beside the charts as coded (encounters.csv, the ingest layout, coder errors included) it writes the auditor's truth (audited.csv), every injected error (errors.csv), the roster CSVs, the claims as billed (claims/*.837: 837I for inpatient, outpatient and ED, 837P for professional fees) with the payers' remittances (remits/*.835: coding denials follow each coder's injected errors; claims_truth.csv says which claim was denied and why), and world.json with the true error rate and location of every coder, and the login taken over by another person mid-year with its date. docs/synth.md describes every column.

    Example:

        codingwatch synth var/synth --encounters 20000 --seed 7

        codingwatch ingest encounters var/synth/encounters.csv

        codingwatch ingest claims var/synth/claims/*.837; codingwatch ingest remits var/synth/remits/*.835
    """
    from codingwatch.codesets import COVERED_FISCAL_YEARS
    from codingwatch.reports import format as fmt
    from codingwatch.synth.params import WorldParams
    from codingwatch.synth.world import generate_world

    if year not in COVERED_FISCAL_YEARS:
        raise UserError(f"--year {year}: the installed code sets cover fiscal years "
                        f"{COVERED_FISCAL_YEARS[0]}-{COVERED_FISCAL_YEARS[-1]}")
    if outdir.exists() and not outdir.is_dir():
        raise UserError(f"{outdir} exists and is not a folder")
    params = WorldParams(encounters=encounters, seed=seed, year=year)
    started = time.perf_counter()
    quiet = output_format == OutputFormat.json
    with progress(quiet=quiet) as bar:

        def report(description: str, total: int | None):
            task = bar.add_task(description, total=total if total else 1)

            def advance(n: int) -> None:
                bar.advance(task, n)

            return advance

        try:
            summary = generate_world(params, outdir, report)
        except ValueError as exc:
            raise UserError(str(exc)) from exc
    elapsed = time.perf_counter() - started
    counts = summary["counts"]
    if output_format == OutputFormat.json:
        print_json({"outdir": str(outdir), "seconds": round(elapsed, 2), "counts": counts,
                    "takeover": summary["takeover"], "split_vendor": summary["split_vendor"],
                    "files": summary["files"]})
        return
    table = Table(title=f"Synthetic FY{year} world, seed {seed}",
                  caption="errors: share of the true code lines coded wrong; CMI of the inpatient stays "
                          "as coded and as audited (--format json: counts by encounter type)")
    table.add_column("vendor", no_wrap=True)
    for col in ("encounters", "inpatient", "errors", "CMI coded", "CMI audited"):
        table.add_column(col, justify="right", no_wrap=True)
    for name, v in counts["by_vendor"].items():
        table.add_row(name, fmt.count(v["encounters"]), fmt.count(v["encounters_by_type"]["inpatient"]),
                      fmt.percent(v["observed_error_rate"], 2), v["cmi_coded"], v["cmi_audited"])
    console.print(table)
    tk = summary["takeover"]
    console.print(f"{fmt.count(counts['encounters'])} encounters, {fmt.count(counts['coded_lines'])} code lines as coded, "
                  f"{fmt.count(counts['errors'])} injected errors, {counts['logins']} logins, {counts['work_queues']} work queues")
    console.print(f"takeover: login {tk['login_id']} ({tk['vendor']}) used by another person from {tk['date']}")
    console.print(f"split vendor: {summary['split_vendor']['name']} declares "
                  f"{', '.join(summary['split_vendor']['declared_locations'])}; really "
                  f"{', '.join(f'{k} x{v}' for k, v in summary['split_vendor']['true_locations'].items())}")
    console.print(f"wrote {', '.join(summary['files'])} to {outdir} in {elapsed:.1f} s")

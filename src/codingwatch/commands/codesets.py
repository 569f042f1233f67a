"""`codingwatch codesets ...`: the reference tables codingwatch weighs and groups with."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from codingwatch.commands import engine
from codingwatch.commands.common import FORMAT_OPTION, OutputFormat, UserError, console, print_json

weights = engine("codingwatch.codesets.weights")  # imported when a command runs, not for --help

app = typer.Typer(help="Reference tables: CMS Table 5 relative weights by fiscal year.", no_args_is_help=True)


@app.command("add-weights")
def add_weights_command(
    file: Path = typer.Argument(..., help="CMS Table 5 of the IPPS Final Rule: the .txt (tab separated) or .xlsx"),
    fiscal_year: int = typer.Option(..., "--fiscal-year", help="the federal fiscal year the table is for, e.g. 2025"),
    replace: bool = typer.Option(False, "--replace", help="replace weights already imported for that year"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Import CMS Table 5 relative weights for a fiscal year.

    The table is checked before anything is stored: every MS-DRG of that year's grouper
    release has a weight, every weight is positive, no DRG is unknown to that release. It is
    kept in $CODINGWATCH_VAR/codesets/weights/ with its SHA-256 and import date; discharges
    of that year are weighted with it from then on (loads already in the lake keep the weight
    they were loaded with).

    Example: codingwatch codesets add-weights "FY 2025 FR Table 5.txt" --fiscal-year 2025
    """
    try:
        table, status = weights.add_weights(file, fiscal_year, replace=replace)
    except weights.WeightTableError as exc:
        raise UserError(str(exc)) from None
    if output is OutputFormat.json:
        print_json({"status": status, "fiscal_year": table.fiscal_year, "source": table.source,
                    "sha256": table.sha256, "imported_at": table.imported_at, "drgs": len(table.weights),
                    "store": str(weights.store_dir())})
        return
    verb = {"imported": "imported", "replaced": "replaced", "unchanged": "already imported, nothing to do"}[status]
    console.print(f"FY{table.fiscal_year} weights {verb}: {len(table.weights)} MS-DRGs from {table.source} "
                  f"(SHA-256 {table.sha256[:12]}..., {table.imported_at})", highlight=False)


@app.command("weights")
def list_weights(output: OutputFormat = FORMAT_OPTION) -> None:
    """The Table 5 in force for each fiscal year (shipped or imported); a year not listed has no
    weights: its discharges are grouped and flagged `weight missing (FYyyyy)`."""
    tables = weights.available_tables()
    if output is OutputFormat.json:
        print_json([{"fiscal_year": t.fiscal_year, "source": t.source, "sha256": t.sha256,
                     "imported_at": t.imported_at or None, "shipped": t.shipped, "drgs": len(t.weights)}
                    for t in tables])
        return
    grid = Table("fiscal year", "source", "MS-DRGs", "SHA-256", "imported")
    for t in tables:
        grid.add_row(f"FY{t.fiscal_year}", t.source, str(len(t.weights)), t.sha256[:12],
                     t.imported_at or "shipped with codingwatch")
    console.print(grid)

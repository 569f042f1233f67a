"""`codingwatch ingest encounters`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from codingwatch.commands.common import (
    FORMAT_OPTION,
    OutputFormat,
    console,
    err_console,
    ingest_app,
    print_json,
    progress,
)
from codingwatch.commands.vocabulary import (
    ORGANIZATION_OPTION,
    VOCABULARY_OPTION,
    app_database,
    exempt_facilities,
    load_vocabulary,
)


@ingest_app.command("encounters")
def ingest_encounters(
    files: list[Path] = typer.Argument(..., help="CSV or Parquet files, one row per code line"),
    strict: bool = typer.Option(False, "--strict", help="refuse a whole file if any line is bad"),
    rejects_dir: Path = typer.Option(None, "--rejects-dir", help="where rejects files go (default var/rejects)"),
    poa_exempt_facility: list[str] = typer.Option(
        [], "--poa-exempt-facility",
        help="a facility exempt from POA reporting (CMS EXEMPT hospital status: HAC codes are not checked "
             "for POA); repeat for each; matched ignoring case, spaces and punctuation; facilities marked "
             "POA exempt in the app database count as well"),
    output: OutputFormat = FORMAT_OPTION,
    vocabulary_file: Path = VOCABULARY_OPTION,
    organization: str = ORGANIZATION_OPTION,
) -> None:
    """Load coded encounters into the lake: validated, MS-DRG grouped, whole file or nothing.

    Every line is checked (codes valid and billable on the date of service per the CMS code
    editor for FY2023-FY2027, required fields, dates in order). An encounter with any bad line
    is rejected whole and listed in a rejects file (line, field, value, reason); --strict
    refuses the file instead. The as-coded MS-DRG of each inpatient encounter comes from the
    CMS grouper; a stated `drg` that differs is flagged. Loading the same file again does
    nothing. Exit code 0 when every file loaded (or was loaded before), 1 when a file loaded
    nothing. A discharge whose fiscal year has no CMS Table 5 is loaded and grouped, and flagged
    `weight missing (FY2025)` (see `codingwatch codesets add-weights`); a discharge status not on
    the CMS list groups to DRG 999 where the CMS grouper's logic reads it. Specialties and
    facilities are the organization's own names: any name is loaded as its canonical name
    (--vocabulary, or the mapping imported with `codingwatch manage import_vocabulary`), and a
    name the vocabulary does not know is listed, never refused.

    Example: codingwatch ingest encounters var/synth/encounters.csv --vocabulary names.csv
    --poa-exempt-facility "Shriners Children's"
    """
    from codingwatch.ingest.encounters import ingest_encounter_files
    from codingwatch.lake import open_lake

    app_database()  # the app's pages are warmed for the new load, when there is an app
    vocabulary = load_vocabulary(vocabulary_file, organization)
    exempt = exempt_facilities(poa_exempt_facility)
    lake = open_lake()
    with progress(quiet=output is OutputFormat.json) as bar:
        task = bar.add_task("ingest", total=len(files) * 100)
        state = {"done": 0}

        def tick(step: str, fraction: float) -> None:
            bar.update(task, completed=state["done"] * 100 + int(fraction * 100), description=step)

        results = []
        for path in files:
            bar.update(task, description=f"{path.name}")
            results.extend(ingest_encounter_files([path], lake=lake, strict=strict, rejects_dir=rejects_dir,
                                                  progress=tick, poa_exempt_facilities=exempt,
                                                  vocabulary=vocabulary))
            state["done"] += 1
            bar.update(task, completed=state["done"] * 100)

    failed = [r for r in results if r.status == "rejected"]
    if output is OutputFormat.json:
        print_json(
            {
                "files": [r.as_dict() for r in results],
                "encounters_loaded": sum(r.encounters_loaded for r in results),
                "lines_loaded": sum(r.lines_loaded for r in results),
                "encounters_rejected": sum(r.encounters_rejected for r in results),
                "lines_rejected": sum(r.lines_rejected for r in results),
                "new_names": [n for r in results for n in r.new_names],
            }
        )
    else:
        table = Table(title="ingest encounters")
        for column in ("file", "status", "enc. loaded", "lines loaded", "enc. rejected",
                       "lines rejected", "DRG mismatch"):
            table.add_column(column, justify="left" if column in ("file", "status") else "right")
        for r in results:
            table.add_row(Path(r.file).name, r.status, str(r.encounters_loaded), str(r.lines_loaded),
                          str(r.encounters_rejected), str(r.lines_rejected), str(r.drg_mismatches))
        console.print(table)
        for r in results:
            (err_console if r.status == "rejected" else console).print(r.message, highlight=False, soft_wrap=True)
    if failed:
        raise typer.Exit(1)

"""`codingwatch lake check [--repair]`: what is wrong with the lake, and the safe repairs."""

from __future__ import annotations

import typer
from rich.markup import escape

from codingwatch.commands.common import FORMAT_OPTION, OutputFormat, console, err_console, print_json

app = typer.Typer(help="Look after the Parquet lake.", no_args_is_help=True)

LABELS = {
    "missing_file": "missing file",
    "unreadable_file": "unreadable file",
    "row_count_mismatch": "row count mismatch",
    "unreadable_manifest": "unreadable manifest",
    "orphan_file": "orphan file",
}


@app.command("check")
def check(
    repair: bool = typer.Option(
        False, "--repair",
        help="remove orphan files; set aside (quarantine) each load whose files are missing or damaged, "
        "so that its source file can be loaded again"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Check every manifest and Parquet file of the lake: missing files, orphans, unreadable
    manifests or files, row counts that differ from the manifest.

    Runs under the lake's write lock (it waits for a load in progress to finish). With
    --repair, orphan files are removed and each damaged load is moved, manifest and files,
    to _quarantine/<load_id>/ (never deleted). Exit code 0 when the lake is sound (after the
    repair, with --repair), 1 when problems remain.

    Example: codingwatch lake check --repair --format json
    """
    from codingwatch.lake import open_lake
    from codingwatch.lake.check import check_lake

    report = check_lake(open_lake(), repair=repair)
    if fmt == OutputFormat.json:
        print_json(report.as_dict())
    else:
        console.print(f"lake {escape(report.root)}: {report.loads} load(s), {report.files} data file(s) checked; "
                      f"{len(report.problems)} problem(s) found", highlight=False, soft_wrap=True)
        for problem in report.problems:
            where = f" (load {problem.load_id}, {problem.source_name})" if problem.source_name else ""
            console.print(f"[yellow]{LABELS[problem.kind]}[/] {escape(problem.path)}{escape(where)}: "
                          f"{escape(problem.detail)}", highlight=False, soft_wrap=True)
        for done in report.repairs:
            console.print(f"[green]{done.action}[/] {escape(done.path)}: {escape(done.detail)}",
                          highlight=False, soft_wrap=True)
        if report.repairs:
            console.print(f"repaired {len(report.repairs)}: "
                          f"{sum(r.action == 'removed' for r in report.repairs)} orphan file(s) removed, "
                          f"{sum(r.action == 'quarantined' for r in report.repairs)} load(s) quarantined",
                          highlight=False)
        if report.ok:
            console.print("[green]the lake is sound[/]")
        elif not repair:
            err_console.print("run `codingwatch lake check --repair` to remove orphans and set damaged loads aside",
                              highlight=False)
        else:
            err_console.print(f"[bold red]{len(report.remaining)} problem(s) remain[/]", highlight=False)
    if not report.ok:
        raise typer.Exit(1)

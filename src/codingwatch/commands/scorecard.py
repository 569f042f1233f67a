"""`codingwatch ingest queries` and `codingwatch scorecard`: contract terms measured monthly."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.table import Table

from codingwatch.commands.common import (
    FORMAT_OPTION,
    OutputFormat,
    UserError,
    console,
    err_console,
    ingest_app,
    print_json,
)

app = typer.Typer(help="Vendor scorecards: every contract term each month, its state and the credits owed.",
                  no_args_is_help=True)


@ingest_app.command("queries")
def ingest_queries(
    files: list[Path] = typer.Argument(..., help="CDI / physician query logs (CSV, docs/scorecard.md)"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Load CDI and physician query logs into the lake: whole file or nothing, each file once.

    Layout: query_id, encounter_id, coder_id, sent_at, answered_at (ISO 8601 with an offset;
    answered_at empty while open), and optionally kind (cdi or physician). Encounter ids are
    stored only keyed (HMAC). Exit code 1 when a file loaded nothing.

    Example: codingwatch ingest queries var/demo/world/queries.csv
    """
    from codingwatch.commands.vocabulary import app_database
    from codingwatch.ingest.queries import ingest_query_file
    from codingwatch.lake import open_lake

    app_database()  # the app's pages are warmed for the new load, when there is an app
    lake = open_lake()
    results = [ingest_query_file(path, lake=lake) for path in files]
    if output is OutputFormat.json:
        print_json({"files": [r.as_dict() for r in results], "queries_loaded": sum(r.queries_loaded for r in results)})
    else:
        for r in results:
            (err_console if r.status == "rejected" else console).print(r.message, highlight=False, soft_wrap=True)
            for x in r.rejects[:10]:
                err_console.print(f"  line {x.line}: {x.field} {x.value!r}: {x.reason}", highlight=False)
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(1)


def _month(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise UserError(f"{option} {text!r} is not a month (YYYY-MM)") from None


@app.command("months")
def months(
    terms: Path = typer.Option(..., "--terms", help="contract terms (YAML, docs/scorecard.md)"),
    first: str = typer.Option(..., "--from", help="first month, YYYY-MM"),
    last: str = typer.Option(..., "--to", help="last month, YYYY-MM"),
    audited: Path = typer.Option(None, "--audited", help="audited charts (CSV, docs/scorecard.md)"),
    vendor: str = typer.Option(None, "--vendor", help="only this vendor (as the lake names it)"),
    output: OutputFormat = FORMAT_OPTION,
) -> None:
    """Each month of each contract: every term met, breached or not enough evidence, and credits.

    KPIs come from the lake (encounters, claims, remittances, queries, access logs); accuracy
    from the audited charts given with --audited (the web app uses its final audits).

    Example: codingwatch scorecard months --terms contract.yaml --from 2025-10 --to 2026-09
    """
    from codingwatch.lake import open_lake
    from codingwatch.scorecard import audited as audited_io
    from codingwatch.scorecard import kpis, sla
    from codingwatch.scorecard.terms import TermsError, load_yaml, month_end

    try:
        contracts = load_yaml(terms)
        charts = audited_io.read_audited_csv(audited) if audited else []
    except (TermsError, audited_io.AuditedFileError) as exc:
        raise UserError(str(exc)) from None
    if vendor:
        contracts = [c for c in contracts if c.vendor == vendor]
        if not contracts:
            raise UserError(f"{terms} has no contract of vendor {vendor!r}")
    start, end = _month(first, "--from"), month_end(_month(last, "--to"))
    lake = open_lake()
    sources = kpis.Sources.from_lake(lake.connect(), audited=charts, lake=lake)
    evaluated = sla.evaluate_contracts(sources, contracts, start, end)
    if output is OutputFormat.json:
        print_json({"months": [m.as_dict() for m in evaluated]})
        return
    table = Table(title="scorecard")
    for column in ("vendor", "month", "term", "state", "value", "limits", "charts needed"):
        table.add_column(column)
    for m in evaluated:
        for r in m.results:
            limits = "" if r.lower is None else f"{r.lower:.4f}-{r.upper:.4f}"
            needed = "" if r.needed is None or r.needed.additional is None else f"+{r.needed.additional}"
            value = "" if r.value is None else f"{r.value:.4f}"
            table.add_row(m.vendor, m.month.strftime("%Y-%m"), r.label, r.state, value, limits, needed)
        table.add_row(m.vendor, m.month.strftime("%Y-%m"), "credits owed", "", str(m.credits.total), "", "")
    console.print(table)

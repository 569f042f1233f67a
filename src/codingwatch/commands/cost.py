"""`codingwatch cost`: the total cost of coding, option by option, with every component shown."""

from __future__ import annotations

import datetime as dt
import shutil
from decimal import Decimal, InvalidOperation
from pathlib import Path

import typer
from rich.table import Table

from codingwatch.commands import engine
from codingwatch.commands.common import (
    FORMAT_OPTION,
    OutputFormat,
    UserError,
    console,
    err_console,
    print_json,
)
from codingwatch.reports.format import count, percent

# The engine, imported when a command runs (not for `codingwatch cost --help`).
cost_engine = engine("codingwatch.cost")
cost_inputs = engine("codingwatch.cost.inputs")

app = typer.Typer(
    help=(
        "The total cost of coding: compare in-house, onshore, offshore and hybrid options with every "
        "component shown, see where the answer turns (tornado, break-even), simulate the uncertainty, "
        "and put measured figures beside a proposal's promises. Start from a preset: "
        "`codingwatch cost preset public-2025 --write my.yaml`."
    ),
    no_args_is_help=True,
)

SCENARIO_ARG = typer.Argument(..., help="scenario YAML file, or the name of a preset (e.g. public-2025)")
OPTIONS_OPTION = typer.Option(None, "--options", help="two options to compare, e.g. in_house,offshore "
                              "(default: the cheapest and the runner-up)")


def _load(source: str, fmt: OutputFormat | None = None):
    try:
        path = Path(source)
        if not path.exists() and source in cost_engine.preset_names():
            path = cost_engine.preset_path(source)
        if not path.exists():
            raise UserError(f"{source}: no such file (and no preset of that name: {', '.join(cost_engine.preset_names())})")
        scenario = cost_engine.load_scenario(path)
    except cost_engine.ScenarioError as exc:
        raise UserError(str(exc)) from None
    if fmt is OutputFormat.text:
        stated = scenario.stated_paths()
        ranged = scenario.ranged_paths()
        err_console.print(f"read {path.name}: {len(scenario.options)} options, {len(stated)} inputs stated "
                          f"({len(ranged)} with a range), encounter types {', '.join(scenario.coded_types)}")
    return scenario


def _pair(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) != 2:
        raise UserError(f"--options: name exactly two options separated by a comma (got {text!r})")
    return parts[0], parts[1]


def _usd(value: Decimal | float | None, signed: bool = False) -> str:
    from codingwatch.reports.format import money

    return money(value, signed=signed, missing="")


def _usd0(value: Decimal | float | None, signed: bool = False) -> str:
    """Whole dollars, for wide tables of uncertain figures."""
    from codingwatch.reports.format import money

    return money(value, cents=False, signed=signed, missing="")


def _guard(call, *args, **kwargs):
    try:
        return call(*args, **kwargs)
    except cost_engine.ScenarioError as exc:
        raise UserError(str(exc)) from None


# ---- preset -----------------------------------------------------------------------------------


@app.command("preset")
def preset_command(
    name: str = typer.Argument(None, help="preset name; leave out to list the presets"),
    write: Path = typer.Option(None, "--write", help="copy the preset's YAML here, to edit it"),
    force: bool = typer.Option(False, "--force", help="overwrite an existing --write file"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Show a preset's headline figures per domestic-equivalent hour, or copy it to edit.

    `hfma-2018` reproduces the HFMA / KIWI-TEK 2018 study from its primitives ($35/h at 34% lower
    productivity -> $52.85; audit $1.87; total $63.10 against $60.00), with its rounding shown
    step by step beside the exact figures. `public-2025` carries today's public figures, each
    with its source.

    Example: codingwatch cost preset hfma-2018 --format json
             codingwatch cost preset public-2025 --write my-scenario.yaml
    """
    if not name:
        names = cost_engine.preset_names()
        if fmt is OutputFormat.json:
            print_json({"presets": names})
        else:
            for preset in names:
                console.print(f"{preset}\t{_load(preset).name}")
        return
    scenario = _load(name)
    if write:
        if write.exists() and not force:
            raise UserError(f"{write}: exists; use --force to overwrite it")
        shutil.copyfile(cost_engine.preset_path(name), write)
        err_console.print(f"wrote {write} (preset {name}); edit it and run `codingwatch cost compare {write}`")
        return
    if name == "hfma-2018":
        from codingwatch.cost.hfma import study_figures

        figures = _guard(study_figures, scenario)
        figures["model"] = _guard(cost_engine.headline, scenario)
    else:
        figures = _guard(cost_engine.headline, scenario)
    figures = {"preset": name, "scenario": scenario.name, **figures}
    if fmt is OutputFormat.json:
        print_json(figures)
        return
    console.print(f"[bold]{scenario.name}[/]")
    table = Table("per domestic-equivalent hour", "figure")
    for key in ("offshore_effective_rate", "audit_cost_per_hour", "offshore_total_per_hour",
                "domestic_total_per_hour", "difference_per_hour"):
        if key in figures:
            table.add_row(key.replace("_", " "), _usd(figures[key], signed=key.startswith("difference")))
    console.print(table)
    for line in figures.get("derivation", []):
        console.print(f"  {line}")
    for note in scenario.notes:
        console.print(f"[dim]note: {note}[/]")


# ---- compare ----------------------------------------------------------------------------------


@app.command("compare")
def compare_command(
    scenario_file: str = SCENARIO_ARG,
    actuals_from_lake: bool = typer.Option(False, "--actuals-from-lake",
                                           help="replace promised productivity with what the lake measured"),
    date_from: str = typer.Option(None, "--from", help="first coded date measured (YYYY-MM-DD)"),
    date_to: str = typer.Option(None, "--to", help="last coded date measured (YYYY-MM-DD)"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Every cost component of every option a year, cost per chart, per domestic-equivalent hour
    and per year, and each option's difference from the baseline.

    Example: codingwatch cost compare public-2025
             codingwatch cost compare my.yaml --actuals-from-lake --from 2026-01-01 --to 2026-03-31
    """
    scenario = _load(scenario_file, fmt)
    if actuals_from_lake:
        scenario = _apply_lake_actuals(scenario, date_from, date_to, fmt)
    result = _guard(cost_engine.compare, scenario)
    if scenario.measured:
        result["measured"] = scenario.measured
    if fmt is OutputFormat.json:
        print_json(result)
        return
    names = list(result["options"])
    table = Table(title=f"{scenario.name}: yearly cost by component", title_justify="left")
    table.add_column("component")
    for name in names:
        table.add_column(name, justify="right")
    for component in cost_inputs.COMPONENTS:
        amounts = [result["options"][n]["components"][component] for n in names]
        if any(amounts):
            table.add_row(cost_inputs.COMPONENT_LABELS[component], *(_usd(a) for a in amounts))
    table.add_section()
    rows = [
        ("total per year", "total_per_year"),
        ("cost per chart", "cost_per_chart"),
        ("per domestic-equivalent hour", "cost_per_reference_hour"),
    ]
    for label, key in rows:
        table.add_row(f"[bold]{label}[/]", *(f"[bold]{_usd(result['options'][n][key])}[/]" for n in names))
    table.add_row("coders (FTE)", *(str(result["options"][n]["coders_fte"]) for n in names))
    table.add_section()
    table.add_row(f"vs {result['baseline']} per year",
                  *(_usd(result["options"][n]["difference_from_baseline"]["per_year"], signed=True)
                    for n in names))
    table.add_row(f"vs {result['baseline']} per chart",
                  *(_usd(result["options"][n]["difference_from_baseline"]["per_chart"], signed=True)
                    for n in names))
    console.print(table)
    for name in names:
        console.print(f"[dim]{name}: {result['options'][name]['label']}[/]")
    console.print(f"cheapest at the stated values: [bold]{result['options'][result['cheapest']]['label']}[/]")
    if scenario.measured:
        _print_measured(scenario.measured)


# ---- sensitivity ------------------------------------------------------------------------------


@app.command("sensitivity")
def sensitivity_command(
    scenario_file: str = SCENARIO_ARG,
    options: str = OPTIONS_OPTION,
    top: int = typer.Option(0, "--top", help="show only the N inputs that move the answer most (0: all)"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Tornado: swing each input over its stated low..high range, the others at their values, and
    sort by how far the yearly cost difference between two options moves. `flips` marks the
    inputs whose range reverses which option is cheaper.

    Example: codingwatch cost sensitivity public-2025 --options in_house,offshore --top 10
    """
    scenario = _load(scenario_file, fmt)
    result = _guard(cost_engine.sensitivity, scenario, _pair(options))
    if top:
        result["inputs"] = result["inputs"][:top]
    if fmt is OutputFormat.json:
        print_json(result)
        return
    a, b = result["pair"]
    table = Table(title=f"Tornado: {result['measure']} (at stated values {_usd(result['base_difference'], True)})",
                  title_justify="left")
    table.add_column("input", no_wrap=True)
    for column in ("low", "value", "high", f"{a} - {b} at low", "at high", "swing", "flips"):
        table.add_column(column, justify="right")
    for row in result["inputs"]:
        table.add_row(row["input"], str(row["low"]), str(row["value"]), str(row["high"]),
                      _usd0(row["difference_at_low"], True), _usd0(row["difference_at_high"], True),
                      _usd0(row["swing"]), "[bold red]yes[/]" if row["flips"] else "")
    console.print(table)
    if not result["inputs"]:
        console.print("no input states a range (low, high): nothing to swing")


# ---- simulate ---------------------------------------------------------------------------------


@app.command("simulate")
def simulate_command(
    scenario_file: str = SCENARIO_ARG,
    draws: int = typer.Option(10_000, "--draws", help="number of Monte Carlo draws"),
    seed: int = typer.Option(0, "--seed", help="random seed: the same seed gives the same figures"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Monte Carlo over every input's stated distribution: percentiles of each option's yearly cost
    and cost per chart, and the probability each option is the cheapest.

    Example: codingwatch cost simulate public-2025 --draws 100000 --seed 7
    """
    scenario = _load(scenario_file, fmt)
    result = _guard(cost_engine.simulate, scenario, draws=draws, seed=seed)
    result = {k: v for k, v in result.items() if k != "histogram_edges"}
    for option in result["options"].values():
        option.pop("histogram", None)
    if fmt is OutputFormat.json:
        print_json(result)
        return
    table = Table(title=f"{count(draws)} draws, seed {seed}: yearly cost (all percentiles: --format json)",
                  title_justify="left")
    for column in ("option", "p5", "median", "p95", "median per chart", "P(cheapest)",
                   f"P(< {scenario.baseline})"):
        table.add_column(column, justify="left" if column == "option" else "right")
    for name, option in result["options"].items():
        pct = option["percentiles_per_year"]
        cheaper = option["probability_cheaper_than_baseline"]
        table.add_row(name, _usd0(pct["p5"]), _usd0(pct["p50"]), _usd0(pct["p95"]), _usd(option["percentiles_per_chart"]["p50"]),
                      percent(option["probability_cheapest"]), percent(cheaper, missing=""))
    console.print(table)
    console.print(f"uncertain inputs drawn: {len(result['uncertain_inputs'])}")


# ---- breakeven --------------------------------------------------------------------------------


def _decimal_option(name: str, text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        raise UserError(f"{name}: must be a number (got {text!r})") from None


@app.command("breakeven")
def breakeven_command(
    scenario_file: str = SCENARIO_ARG,
    input_name: str = typer.Option(..., "--input", help="the input to solve for, e.g. offshore.hourly_pay"),
    options: str = OPTIONS_OPTION,
    low: str = typer.Option(None, "--low", help="search from (default: the input's stated low)"),
    high: str = typer.Option(None, "--high", help="search to (default: the input's stated high)"),
    tolerance: str = typer.Option("1", "--tolerance", help="dollars a year within which the two costs count "
                                  "as the same"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """The value of one input at which two options cost the same a year (within --tolerance
    dollars), searched over its stated range; says so when there is none in the range.

    Example: codingwatch cost breakeven public-2025 --input offshore.productivity_vs_reference \\
             --options onshore,hybrid
    """
    scenario = _load(scenario_file, fmt)
    result = _guard(cost_engine.breakeven, scenario, input_name, _pair(options), low=_decimal_option("--low", low),
                    high=_decimal_option("--high", high), tolerance=_decimal_option("--tolerance", tolerance))
    if fmt is OutputFormat.json:
        print_json(result)
        return
    console.print(result["message"])
    for solution in result["breakeven"]:
        console.print(f"  {input_name} = {solution['value']} {result['unit']}: cost difference "
                      f"{_usd(solution['cost_difference_at_value'], True)} a year")


# ---- brief ------------------------------------------------------------------------------------


@app.command("brief")
def brief_command(
    scenario_file: str = SCENARIO_ARG,
    out: Path = typer.Option(..., "--out", help="brief.pdf or brief.html"),
    options: str = OPTIONS_OPTION,
    draws: int = typer.Option(10_000, "--draws", help="Monte Carlo draws for the distribution chart"),
    seed: int = typer.Option(0, "--seed", help="random seed"),
    actuals_from_lake: bool = typer.Option(False, "--actuals-from-lake",
                                           help="use (and show) the productivity and turnaround the lake measured"),
    date_from: str = typer.Option(None, "--from", help="first coded date measured (YYYY-MM-DD)"),
    date_to: str = typer.Option(None, "--to", help="last coded date measured (YYYY-MM-DD)"),
    from_scorecard: bool = typer.Option(False, "--measured-from-scorecard",
                                        help="show each option's cost per correctly coded, paid chart over "
                                             "--from/--to, measured by the scorecard engine"),
    audited: Path = typer.Option(None, "--audited", help="audited charts (CSV, docs/scorecard.md): the measured "
                                                         "accuracy for --measured-from-scorecard"),
) -> None:
    """Write the decision brief: comparison table, tornado chart, Monte Carlo distribution and every
    input with its source (and promised vs measured figures with --actuals-from-lake; the cost per
    correctly coded, paid chart with --measured-from-scorecard), as PDF or HTML (by the --out
    file's suffix).

    Example: codingwatch cost brief public-2025 --out brief.pdf
    """
    from codingwatch.cost.brief import write_brief

    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        raise UserError(f"--out: must end in .pdf or .html (got {out.name})")
    scenario = _load(scenario_file, OutputFormat.text)
    if actuals_from_lake:
        scenario = _apply_lake_actuals(scenario, date_from, date_to, OutputFormat.text)
    scorecard = _scorecard_measured(date_from, date_to, audited) if from_scorecard else None
    _guard(write_brief, scenario, out, pair=_pair(options), draws=draws, seed=seed, scorecard=scorecard)
    err_console.print(f"wrote {out}")


def _scorecard_measured(date_from, date_to, audited: Path | None) -> dict:
    """The period's measured figures per lake vendor, from the scorecard's monthly KPIs."""
    from codingwatch.cost.actuals import measured_from_scorecard
    from codingwatch.lake import open_lake
    from codingwatch.scorecard import audited as audited_io
    from codingwatch.scorecard import kpis

    start, end = _parse_date("--from", date_from), _parse_date("--to", date_to)
    if end < start:
        raise UserError(f"--to {end} is before --from {start}")
    try:
        charts = audited_io.read_audited_csv(audited) if audited else []
        sources = kpis.Sources.from_lake(open_lake().connect(), audited=charts)
    except (audited_io.AuditedFileError, kpis.KpiError) as exc:
        raise UserError(str(exc)) from None
    return measured_from_scorecard(kpis.monthly(sources, start, end, by=("vendor",)))


# ---- actuals ----------------------------------------------------------------------------------


def _assignments(values: list[str] | None, label: str, *, as_number: bool = True) -> dict:
    out = {}
    for item in values or []:
        if "=" not in item:
            raise UserError(f"{label}: write OPTION=VALUE (got {item!r})")
        key, _, value = item.partition("=")
        if as_number:
            try:
                out[key.strip()] = Decimal(value.strip())
            except InvalidOperation:
                raise UserError(f"{label}: {value!r} is not a number") from None
        else:
            out[key.strip()] = value.strip()
    return out


def _parse_date(label: str, text: str | None) -> dt.date:
    if not text:
        raise UserError(f"{label}: required (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{label}: not a date YYYY-MM-DD (got {text!r})") from None


def _apply_lake_actuals(scenario, date_from, date_to, fmt, accuracy=None, denial_rate=None, hours=None,
                        vendors=None):
    from codingwatch.cost.actuals import apply_actuals, measure_from_lake
    from codingwatch.lake import open_lake

    start, end = _parse_date("--from", date_from), _parse_date("--to", date_to)
    if end < start:
        raise UserError("--to: must not be before --from")
    for option, vendor in (vendors or {}).items():
        if option not in scenario.options:
            raise UserError(f"--vendor: `{option}` is not an option ({', '.join(scenario.options)})")
        scenario.options[option].lake_vendor = vendor
    lake = open_lake()
    measured = measure_from_lake(lake, start, end, hours_by_vendor=hours)
    if fmt is not OutputFormat.json:
        err_console.print(f"read {count(measured['charts'])} coded encounters from the lake ({lake.root}) "
                          f"coded {start} to {end}; {count(measured['rejected'])} without a coder id could not be "
                          "timed and were left out of productivity")
    try:
        return apply_actuals(scenario, measured, accuracy=accuracy or {}, denial_rate=denial_rate or {})
    except cost_engine.ScenarioError as exc:
        raise UserError(str(exc)) from None


def _print_measured(measured: dict) -> None:
    table = Table(title="Promised vs measured", title_justify="left")
    for column in ("option", "figure", "promised", "measured", "basis"):
        table.add_column(column)
    for option, rows in measured.items():
        for row in rows:
            table.add_row(option, row["figure"], "" if row["promised"] is None else str(row["promised"]),
                          "" if row["measured"] is None else str(row["measured"]), row["basis"])
    console.print(table)


@app.command("actuals")
def actuals_command(
    scenario_file: str = SCENARIO_ARG,
    date_from: str = typer.Option(None, "--from", help="first coded date measured (YYYY-MM-DD)"),
    date_to: str = typer.Option(None, "--to", help="last coded date measured (YYYY-MM-DD)"),
    vendor: list[str] = typer.Option(None, "--vendor", help="OPTION=VENDOR: the lake's vendor name for an "
                                     "option (default: the option's lake_vendor)"),
    accuracy: list[str] = typer.Option(None, "--accuracy", help="OPTION=SHARE measured by an audit, e.g. "
                                       "offshore=0.93"),
    denial_rate: list[str] = typer.Option(None, "--denial-rate", help="OPTION=SHARE of charts denied for "
                                          "coding, e.g. offshore=0.021"),
    hours: list[str] = typer.Option(None, "--hours", help="VENDOR=HOURS worked in the period (declared hours "
                                    "basis instead of coded_at spacing)"),
    write: Path = typer.Option(None, "--write", help="write the scenario with measured figures to this YAML"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Put what codingwatch measured beside a proposal's promises: productivity (charts per hour
    by encounter type, from the spacing of coded_at times or declared hours), turnaround
    (received_at to coded_at) from the lake; accuracy and denial rate from audits and denials.
    The measured figures replace the promised ones in the scenario, and the comparison is re-run.

    Example: codingwatch cost actuals my.yaml --from 2026-01-01 --to 2026-03-31 \\
             --vendor offshore=Acme --accuracy offshore=0.93 --denial-rate offshore=0.021
    """
    import yaml

    scenario = _load(scenario_file)
    scenario = _apply_lake_actuals(
        scenario, date_from, date_to, fmt,
        accuracy=_assignments(accuracy, "--accuracy"),
        denial_rate=_assignments(denial_rate, "--denial-rate"),
        hours={k: float(v) for k, v in _assignments(hours, "--hours").items()},
        vendors=_assignments(vendor, "--vendor", as_number=False),
    )
    result = _guard(cost_engine.compare, scenario)
    if write:
        write.write_text(yaml.safe_dump(scenario.to_dict(), sort_keys=False, allow_unicode=True))
        err_console.print(f"wrote {write}")
    if fmt is OutputFormat.json:
        print_json({"measured": scenario.measured, "comparison": result})
        return
    _print_measured(scenario.measured)
    table = Table("option", "total per year", "cost per chart", "per domestic-equivalent hour",
                  title="With measured figures", title_justify="left")
    for option in result["options"].values():
        table.add_row(option["label"], _usd(option["total_per_year"]), _usd(option["cost_per_chart"]),
                      _usd(option["cost_per_reference_hour"]))
    console.print(table)

"""`codingwatch sample ...` and `codingwatch appraise ...`: RAT-STATS-exact draws and appraisals."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer

from codingwatch.commands import engine
from codingwatch.commands.common import (
    FORMAT_OPTION,
    OutputFormat,
    UserError,
    console,
    err_console,
    print_json,
)

# The engines, imported when a command runs (not for `codingwatch sample --help`).
attribute_engine = engine("codingwatch.sampling.attribute")
draws = engine("codingwatch.sampling.draws")
export = engine("codingwatch.sampling.export")
frames = engine("codingwatch.sampling.frames")
inputs = engine("codingwatch.sampling.inputs")
rng = engine("codingwatch.sampling.rng")
size = engine("codingwatch.sampling.size")
variable = engine("codingwatch.sampling.variable")

app = typer.Typer(
    help="Draw reproducible random samples exactly as RAT-STATS does, and build sampling frames from the lake.",
    no_args_is_help=True,
)
size_app = typer.Typer(help="Sample size determination (attribute and variable).", no_args_is_help=True)
app.add_typer(size_app, name="size")
appraise_app = typer.Typer(
    help="Appraise a sample exactly as RAT-STATS does: error rates (attribute) and dollar totals (variable).",
    no_args_is_help=True,
)


class DrawFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


DRAW_FORMAT = typer.Option(DrawFormat.text, "--format", help="text (a RAT-STATS-style report), json, or csv")
AUDIT_NAME = typer.Option("", "--audit-name", help="the audit's name, printed on the report")
OUT = typer.Option(None, "--out", help="also write the result to this file: .csv or .xlsx (RAT-STATS layout)")
CONFIDENCE = typer.Option("90", "--confidence", help="two-sided confidence: 80, 90 or 95")


def _seed(text: str) -> str:
    try:
        rng.parse_seed(text)
    except rng.SeedError as exc:
        raise UserError(str(exc)) from None
    return text.strip()


def _write(out: Path | None, csv_text, xlsx_writer) -> None:
    if out is None:
        return
    suffix = out.suffix.lower()
    if suffix == ".csv":
        out.write_text(csv_text(), encoding="utf-8")
    elif suffix == ".xlsx":
        xlsx_writer(out)
    else:
        raise UserError(f"--out {out}: use a .csv or .xlsx file name")
    err_console.print(f"wrote {out}", markup=False, highlight=False)


def _draw_payload(draw) -> dict:
    return {
        "audit_name": draw.audit_name,
        "seed": draw.seed,
        "drawn_at": draw.drawn_at,
        "count": draw.count,
        "spares": draw.spares,
        **({"low": draw.low, "high": draw.high, "frame_size": draw.frame_size, "sum": draw.total}
           if hasattr(draw, "low") else {"ranges": [list(r) for r in draw.ranges]}),
        "sample": [{"order": r.order, "value": list(r.value) if isinstance(r.value, tuple) else r.value}
                   for r in draw.sample],
        "spares_drawn": [{"order": r.order, "value": list(r.value) if isinstance(r.value, tuple) else r.value}
                         for r in draw.spare_rows],
    }


def _emit_draw(draw, fmt: DrawFormat, title: str) -> None:
    if fmt is DrawFormat.json:
        print_json(_draw_payload(draw))
    elif fmt is DrawFormat.csv:
        print(export.draw_csv(draw), end="")
    else:
        console.print(export.draw_text(draw, title), highlight=False, markup=False, soft_wrap=True)


# ---- sample ----------------------------------------------------------------------------------
@app.command("random")
def sample_random(
    seed: str = typer.Option(..., "--seed", help="a decimal seed, e.g. 4967669.23 (record it: it reproduces the draw)"),
    count: int = typer.Option(..., "--count", help="quantity in sequential order (the sample size)"),
    low: int = typer.Option(..., "--low", help="low value of the frame (may be negative)"),
    high: int = typer.Option(..., "--high", help="high value of the frame"),
    spares: int = typer.Option(0, "--spares", help="quantity of spares, drawn after the sample"),
    audit_name: str = AUDIT_NAME,
    fmt: DrawFormat = DRAW_FORMAT,
    out: Path | None = OUT,
) -> None:
    """Single-stage random numbers, exactly as RAT-STATS draws them.

    The sample is listed sorted by value with each value's selection order, then the spares in
    selection order (numbered after the sample). RAT-STATS given the same seed and frame draws
    the very same numbers.

    Example: codingwatch sample random --seed 10661935.55 --count 100 --spares 1 --low 0 --high 101 --format csv
    """
    try:
        draw = draws.random_numbers(_seed(seed), count, low, high, spares, audit_name)
    except draws.DrawError as exc:
        raise UserError(str(exc)) from None
    _emit_draw(draw, fmt, "Single Stage Random Numbers")
    _write(out, lambda: export.draw_csv(draw), lambda p: export.draw_xlsx(draw, p))


@app.command("stratified")
def sample_stratified(
    seed: str = typer.Option(..., "--seed", help="the design's seed (a stratum may carry its own in a seed column)"),
    strata: Path = typer.Option(..., "--strata", help="CSV with columns stratum, count, low, high[, spares][, seed]"),
    audit_name: str = AUDIT_NAME,
    fmt: DrawFormat = DRAW_FORMAT,
    out: Path | None = OUT,
) -> None:
    """Stratified random numbers: one single-stage draw per stratum, each over its own frame.

    Each stratum's sequence starts afresh from the seed (or the stratum's own seed), so each can
    be checked in RAT-STATS' single-stage random numbers with that stratum's frame.

    Example: codingwatch sample stratified --seed 4967669.23 --strata strata.csv --format csv
    (strata.csv: stratum,count,low,high,spares / inpatient,30,1,1200,2 / outpatient,40,1,5400,2)
    """
    try:
        design = draws.stratified_random_numbers(_seed(seed), inputs.read_stratified_design(strata), audit_name)
    except (draws.DrawError, inputs.InputFileError) as exc:
        raise UserError(str(exc)) from None
    if fmt is DrawFormat.json:
        print_json({"seed": design.seed, "audit_name": audit_name, "drawn_at": design.drawn_at,
                    "strata": {request.stratum: _draw_payload(draw) for request, draw in design.strata}})
    elif fmt is DrawFormat.csv:
        print(export.stratified_csv(design), end="")
    else:
        console.print(export.stratified_text(design), highlight=False, markup=False, soft_wrap=True)
    _write(out, lambda: export.stratified_csv(design), lambda p: export.stratified_xlsx(design, p))


def _parse_range(text: str) -> tuple[int, int]:
    parts = text.rsplit(":", 1) if ":" in text else None
    try:
        if parts is None:
            raise ValueError
        return int(parts[0]), int(parts[1])
    except ValueError:
        raise UserError(f"--set {text!r}: give LOW:HIGH, e.g. 1:50") from None


@app.command("sets")
def sample_sets(
    seed: str = typer.Option(..., "--seed", help="a decimal seed"),
    count: int = typer.Option(..., "--count", help="number of sets in the sample"),
    set_ranges: list[str] = typer.Option(..., "--set", help="LOW:HIGH of one column; give 2, 3 or 4 of them, in order"),
    spares: int = typer.Option(0, "--spares", help="spare sets, drawn after the sample"),
    audit_name: str = AUDIT_NAME,
    fmt: DrawFormat = DRAW_FORMAT,
    out: Path | None = OUT,
) -> None:
    """Random numbers in sets of 2, 3 or 4 (e.g. box, folder, page), no set drawn twice.

    Example: codingwatch sample sets --seed 123.45 --count 20 --set 1:12 --set 1:40 --set 1:300
    """
    ranges = [_parse_range(r) for r in set_ranges]
    try:
        draw = draws.random_number_sets(_seed(seed), count, ranges, spares, audit_name)
    except draws.DrawError as exc:
        raise UserError(str(exc)) from None
    _emit_draw(draw, fmt, f"Random Numbers in Sets of {len(ranges)}")
    _write(out, lambda: export.draw_csv(draw), lambda p: export.draw_xlsx(draw, p, f"Random Numbers in Sets of {len(ranges)}"))


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} {text!r}: give a date as YYYY-MM-DD") from None


@app.command("frame")
def sample_frame(
    date_from: str = typer.Option(..., "--from", help="first date included (YYYY-MM-DD)"),
    date_to: str = typer.Option(..., "--to", help="last date included (YYYY-MM-DD)"),
    out: Path = typer.Option(..., "--out", help="the frame CSV to write (its sidecar <out>.json is written beside it)"),
    vendor: str | None = typer.Option(None, "--vendor", help="only this vendor's encounters"),
    specialty: str | None = typer.Option(None, "--specialty", help="only this specialty"),
    encounter_type: str | None = typer.Option(None, "--encounter-type", help="inpatient, outpatient, ed or profee"),
    strata: str | None = typer.Option(None, "--strata", help="stratify by specialty, encounter_type or drg_band"),
    coding_denials: str | None = typer.Option(
        None, "--coding-denials",
        help="use the payers' coding-related denials (835s in the lake): 'only' keeps the encounters with "
        "one, 'exclude' leaves them out, 'stratum' puts them in a stratum of their own (coding_denied / "
        "no_coding_denial, joined to --strata with '+')"),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Number the lake's matching encounters 1..N (per stratum) into a frame file.

    --coding-denials targets the audit at what payers denied for coding: with 'stratum' an
    audit can sample the denied encounters harder (e.g. --count coding_denied=30
    no_coding_denial=20).

    Dates are discharge dates for inpatient encounters and service dates otherwise. Encounters
    are numbered by encounter_key (a keyed hash of the source id: stable and uninformative). The
    sidecar records the lake snapshot, the filters and the CSV's SHA-256, so a frame plus a seed
    reproduces the sample anywhere, RAT-STATS included (single-stage, frame 1..N per stratum).

    Example: codingwatch sample frame --vendor Acme --specialty cardiology --from 2026-01-01 --to 2026-03-31 --strata encounter_type --out q1-frame.csv
    """
    from codingwatch.commands.vocabulary import load_vocabulary
    from codingwatch.lake import open_lake
    from codingwatch.vocabulary import standard

    # The lake holds canonical names: `--specialty "Hospital Medicine"` is hospital_medicine.
    if specialty is not None:
        specialty = load_vocabulary(None).canonical("specialty", specialty) or specialty
    if encounter_type is not None:
        encounter_type = standard("encounter_type", encounter_type) or encounter_type
    try:
        frame = frames.build_frame(
            open_lake(), date_from=_date(date_from, "--from"), date_to=_date(date_to, "--to"), vendor=vendor,
            specialty=specialty, encounter_type=encounter_type, strata=strata,
            coding_denials=coding_denials, coding_denial_keys=_coding_denial_keys if coding_denials else None,
        )
    except frames.FrameError as exc:
        raise UserError(str(exc)) from None
    if not frame.encounters:
        raise UserError("no encounters match these filters: nothing to number (no frame written); encounters "
                        f"left after each filter: {frames.empty_frame_reason(frame)}")
    sidecar = frames.write_frame(frame, out)
    if fmt is OutputFormat.json:
        print_json(dict(frame.meta, frame_file=str(out), sidecar=str(sidecar)))
        return
    console.print(f"read the lake at snapshot {frame.meta['lake_snapshot']}: {len(frame.encounters)} encounters match", highlight=False, soft_wrap=True, markup=False)
    for name, bounds in frame.meta["strata"].items():
        console.print(f"  stratum {name}: frame {bounds['low']}..{bounds['high']}", highlight=False, soft_wrap=True, markup=False)
    console.print(f"wrote {out} and {sidecar}", highlight=False, soft_wrap=True, markup=False)


def _coding_denial_keys(con):
    from codingwatch.denials import coding_denial_keys_from_lake

    return coding_denial_keys_from_lake(con)


def _counts(values: list[str], option: str) -> int | dict[str, int]:
    if len(values) == 1 and "=" not in values[0]:
        try:
            return int(values[0])
        except ValueError:
            raise UserError(f"{option} {values[0]!r}: give a whole number, or STRATUM=N per stratum") from None
    out: dict[str, int] = {}
    for value in values:
        name, _, number = value.rpartition("=")
        try:
            out[name] = int(number)
        except ValueError:
            raise UserError(f"{option} {value!r}: give STRATUM=N, e.g. inpatient=30") from None
        if not name:
            raise UserError(f"{option} {value!r}: give STRATUM=N, e.g. inpatient=30")
    return out


@app.command("draw")
def sample_draw(
    frame_file: Path = typer.Option(..., "--frame", help="a frame file written by `codingwatch sample frame`"),
    seed: str = typer.Option(..., "--seed", help="a decimal seed"),
    count: list[str] = typer.Option(..., "--count", help="sample size, or STRATUM=N once per stratum"),
    spares: list[str] = typer.Option(["0"], "--spares", help="spares, or STRATUM=N once per stratum"),
    fmt: DrawFormat = DRAW_FORMAT,
    out: Path | None = typer.Option(None, "--out", help="also write the selected encounters to this CSV"),
) -> None:
    """Draw the sample's encounters from a frame file (frame numbers drawn as RAT-STATS does).

    Example: codingwatch sample draw --frame q1-frame.csv --seed 4967669.23 --count inpatient=30 --count outpatient=40
    """
    try:
        sample = frames.draw_sample(frames.read_frame(frame_file), _seed(seed), _counts(count, "--count"),
                                    _counts(spares, "--spares"))
    except frames.FrameError as exc:
        raise UserError(str(exc)) from None
    header = "stratum,kind,order,frame_number,encounter_key\n"
    csv_text = header + "".join(
        f"{e.stratum},{e.kind},{e.order},{e.frame_number},{e.encounter_key}\n" for e in sample.encounters
    )
    if fmt is DrawFormat.json:
        print_json({"seed": sample.seed, "frame": str(frame_file),
                    "encounters": [e.__dict__ for e in sample.encounters]})
    elif fmt is DrawFormat.csv:
        print(csv_text, end="")
    else:
        console.print(f"frame {frame_file}, seed {sample.seed}", highlight=False, soft_wrap=True, markup=False)
        for stratum, draw in sample.draws.items():
            console.print(f"stratum {stratum}: {draw.count} of 1..{draw.high}, {draw.spares} spares", highlight=False, soft_wrap=True, markup=False)
        for e in sample.encounters:
            console.print(f"  {e.stratum:<14} {e.kind:<6} {e.order:>5} {e.frame_number:>8}  {e.encounter_key}", highlight=False, soft_wrap=True, markup=False)
    if out is not None:
        out.write_text(csv_text, encoding="utf-8")
        err_console.print(f"wrote {out}", markup=False, highlight=False)


@size_app.command("attribute")
def size_attribute(
    universe: int = typer.Option(..., "--universe", help="universe size N"),
    expected_rate: float = typer.Option(..., "--expected-rate", help="expected error rate, e.g. 0.10"),
    precision: float = typer.Option(..., "--precision", help="desired precision as a rate, e.g. 0.05 for +/-5 points"),
    confidence: str = CONFIDENCE,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Sample size to estimate an error rate within +/- precision (Cochran 1977, section 4.4).

    Example: codingwatch sample size attribute --universe 12000 --expected-rate 0.1 --precision 0.05 --confidence 90
    """
    try:
        result = size.attribute_sample_size(universe, expected_rate, precision, confidence)
    except attribute_engine.AppraisalError as exc:
        raise UserError(str(exc)) from None
    _emit_size(result, fmt)


@size_app.command("variable")
def size_variable(
    universe: int = typer.Option(..., "--universe", help="universe size N"),
    precision: float = typer.Option(..., "--precision", help="desired precision of the total, in dollars"),
    std_dev: float | None = typer.Option(None, "--std-dev", help="standard deviation of the values (if known)"),
    probe: Path | None = typer.Option(None, "--probe", help="a probe sample's values (CSV); its standard deviation is used, with t"),
    column: str | None = typer.Option(None, "--column", help="the probe file's value column (default: difference)"),
    confidence: str = CONFIDENCE,
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Sample size to estimate a dollar total within +/- precision (Cochran 1977, section 4.6).

    Example: codingwatch sample size variable --universe 12000 --probe probe.csv --precision 250000 --confidence 90
    """
    probe_size = None
    if probe is not None:
        try:
            values = inputs.read_values(probe, column)
        except inputs.InputFileError as exc:
            raise UserError(str(exc)) from None
        name = column.lower() if column else ("difference" if "difference" in values else next(iter(values)))
        amounts = values[name]
        if len(amounts) < 2:
            raise UserError(f"{probe}: a probe sample needs at least 2 values (found {len(amounts)})")
        appraisal = variable.appraise_variable(max(universe, len(amounts)), amounts)
        std_dev = float(appraisal.std_dev)
        probe_size = len(amounts)
        err_console.print(f"read {probe}: {probe_size} probe values ({name}), standard deviation {std_dev:.4f}", soft_wrap=True, markup=False)
    if std_dev is None:
        raise UserError("give --std-dev or --probe")
    try:
        result = size.variable_sample_size(universe, std_dev, precision, confidence, probe_size)
    except attribute_engine.AppraisalError as exc:
        raise UserError(str(exc)) from None
    _emit_size(result, fmt)


def _emit_size(result: size.SampleSize, fmt: OutputFormat) -> None:
    if fmt is OutputFormat.json:
        print_json(result.as_dict())
        return
    console.print(f"sample size: {result.sample_size}", highlight=False, soft_wrap=True, markup=False)
    console.print(f"  n0 (infinite universe): {result.n0:.4f}", highlight=False, soft_wrap=True, markup=False)
    console.print(f"  formula: {result.formula}", highlight=False, soft_wrap=True, markup=False)
    console.print(f"  source: {result.source}", highlight=False, soft_wrap=True, markup=False)
    for key, value in result.inputs.items():
        console.print(f"  {key}: {value}", highlight=False, soft_wrap=True, markup=False)


# ---- appraise --------------------------------------------------------------------------------
@appraise_app.command("attribute")
def appraise_attribute(
    universe: int = typer.Option(..., "--universe", help="universe size N"),
    sample: int = typer.Option(..., "--sample", help="sample size n"),
    hits: int = typer.Option(..., "--hits", help="sample items with the attribute (e.g. in error)"),
    audit_name: str = AUDIT_NAME,
    fmt: DrawFormat = DRAW_FORMAT,
    out: Path | None = OUT,
) -> None:
    """Unrestricted attribute appraisal: exact hypergeometric limits at 80, 90 and 95%.

    Limits are counts of universe items with the attribute (and the same as rates), computed
    exactly as RAT-STATS does. The 80% lower limit is the one-sided 90% lower limit CMS uses.

    Example: codingwatch appraise attribute --universe 150 --sample 100 --hits 97 --format json
    """
    try:
        result = attribute_engine.appraise_attribute(universe, sample, hits)
    except attribute_engine.AppraisalError as exc:
        raise UserError(str(exc)) from None
    if fmt is DrawFormat.json:
        print_json(result.as_dict())
    elif fmt is DrawFormat.csv:
        print(export.attribute_csv(result), end="")
    else:
        console.print(export.attribute_text(result, audit_name), highlight=False, markup=False, soft_wrap=True)
    _write(out, lambda: export.attribute_csv(result), lambda p: export.attribute_xlsx(result, p, audit_name))


@appraise_app.command("variable")
def appraise_variable(
    universe: int = typer.Option(..., "--universe", help="universe size N"),
    values: Path = typer.Option(..., "--values", help="CSV of sample values: examined, audited (difference = examined - audited), or one column"),
    column: str | None = typer.Option(None, "--column", help="appraise only this column"),
    sample_size: int | None = typer.Option(None, "--sample-size", help="sample size, if the file lists only some items (the rest count as zero)"),
    audit_name: str = AUDIT_NAME,
    fmt: DrawFormat = DRAW_FORMAT,
    out: Path | None = OUT,
) -> None:
    """Unrestricted variable appraisal: point estimate and limits of the universe total.

    Student t with n-1 degrees of freedom and the finite population correction, for examined,
    audited and difference values side by side, as RAT-STATS reports them.

    Example: codingwatch appraise variable --universe 4200 --values sample.csv --format json
    """
    try:
        columns = inputs.read_values(values, column)
        results = {name: variable.appraise_variable(universe, amounts, sample_size=sample_size)
                   for name, amounts in columns.items()}
    except (inputs.InputFileError, attribute_engine.AppraisalError) as exc:
        raise UserError(str(exc)) from None
    err_console.print(f"read {values}: {len(next(iter(columns.values())))} rows, columns {', '.join(columns)}", soft_wrap=True, markup=False)
    if fmt is DrawFormat.json:
        print_json({name: result.as_dict() for name, result in results.items()})
    elif fmt is DrawFormat.csv:
        print(export.variable_csv(results), end="")
    else:
        console.print(export.variable_text(results, audit_name=audit_name), highlight=False, markup=False, soft_wrap=True)
    _write(out, lambda: export.variable_csv(results), lambda p: export.variable_xlsx(results, p, audit_name))


@appraise_app.command("stratified")
def appraise_stratified(
    strata: Path = typer.Option(..., "--strata", help="CSV with columns stratum, universe[, sample]"),
    values: Path = typer.Option(..., "--values", help="CSV with a stratum column and the values"),
    column: str | None = typer.Option(None, "--column", help="the value column (default: difference, else the only one)"),
    audit_name: str = AUDIT_NAME,
    fmt: DrawFormat = DRAW_FORMAT,
    out: Path | None = OUT,
) -> None:
    """Stratified variable appraisal: per stratum and combined, with normal quantiles.

    Example: codingwatch appraise stratified --strata strata.csv --values values.csv --column difference
    """
    try:
        universes, samples = inputs.read_strata(strata)
        by_stratum = inputs.read_stratified_values(values, column)
        names = {name for v in by_stratum.values() for name in v}
        name = column.lower() if column else ("difference" if "difference" in names else sorted(names)[0])
        amounts = {s: v[name] for s, v in by_stratum.items()}
        result = variable.appraise_stratified_variable(universes, amounts, samples)
    except (inputs.InputFileError, attribute_engine.AppraisalError) as exc:
        raise UserError(str(exc)) from None
    err_console.print(f"read {strata}: {len(universes)} strata; {values}: {sum(len(v) for v in amounts.values())} values ({name})", soft_wrap=True, markup=False)
    if fmt is DrawFormat.json:
        print_json(dict(result.as_dict(), values=name))
    elif fmt is DrawFormat.csv:
        rows = {"combined": result.combined, **{f"stratum {k}": v for k, v in result.strata.items()}}
        print(export.variable_csv(rows), end="")
    else:
        console.print(export.stratified_variable_text(result, audit_name), highlight=False, markup=False, soft_wrap=True)
    _write(
        out,
        lambda: export.variable_csv({"combined": result.combined, **{f"stratum {k}": v for k, v in result.strata.items()}}),
        lambda p: export.stratified_variable_xlsx(result, p, audit_name),
    )

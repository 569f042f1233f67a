"""`codingwatch audit`: score an audit, compare parallel coding, write the audit report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from codingwatch.commands.common import (
    FORMAT_OPTION,
    OutputFormat,
    UserError,
    console,
    err_console,
    print_json,
    progress,
)
from codingwatch.commands.vocabulary import (
    ORGANIZATION_OPTION,
    VOCABULARY_OPTION,
    exempt_facilities,
    load_vocabulary,
)
from codingwatch.reports.format import percent

if TYPE_CHECKING:
    from codingwatch.audit import Method
    from codingwatch.audit.model import CaseResult
    from codingwatch.vocabulary import Vocabulary

# The audit engine (and its code sets) is imported inside the commands, not for `audit --help`.

app = typer.Typer(
    help="Independent coding audit: compare as-coded with as-audited charts, score, report.",
    no_args_is_help=True,
)

GROUPS = ("coder", "specialty", "encounter_type", "month")


def _decimal(text: str | None, option: str) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise UserError(f"{option}: {text!r} is not a number (e.g. 6500.00)") from None
    if value <= 0:
        raise UserError(f"{option}: must be positive, got {text}")
    return value


def _sla(specs: list[str] | None, vocabulary: Vocabulary | None = None) -> dict[str, float]:
    """SPECIALTY=TARGET options, keyed by the organization's canonical specialty name."""
    from codingwatch.vocabulary import Vocabulary

    vocabulary = vocabulary or Vocabulary()
    out: dict[str, float] = {}
    for spec in specs or []:
        name, _, target = spec.partition("=")
        try:
            value = float(target)
        except ValueError:
            raise UserError(f"--sla {spec!r}: write SPECIALTY=TARGET, e.g. cardiology=0.95") from None
        if not 0 < value <= 1:
            raise UserError(f"--sla {spec!r}: the target is a share between 0 and 1, e.g. 0.95")
        canonical = vocabulary.canonical("specialty", name)
        if canonical is None:
            raise UserError(f"--sla {spec!r}: write SPECIALTY=TARGET, e.g. cardiology=0.95")
        out[canonical] = value
    return out


POA_EXEMPT_OPTION = typer.Option(
    None, "--poa-exempt-facility",
    help="a facility exempt from POA reporting (its HAC codes are not checked for POA); repeat for each; "
         "facilities marked POA exempt in the app database count as well")


def load_results(coded: Path, audited: Path, *, quiet: bool = False, vocabulary: Vocabulary | None = None,
                 poa_exempt_facilities: list[str] | None = None) -> list[CaseResult]:
    """Reads both files, matches them on encounter_id and compares every case."""
    from codingwatch.audit.model import gc_paused

    with gc_paused():
        return _load_results(coded, audited, quiet=quiet, vocabulary=vocabulary,
                             poa_exempt_facilities=exempt_facilities(poa_exempt_facilities))


def _load_results(coded: Path, audited: Path, *, quiet: bool, vocabulary: Vocabulary | None,
                  poa_exempt_facilities: list[str]) -> list[CaseResult]:
    from codingwatch.audit import compare_cases
    from codingwatch.audit.reader import EncounterFileError, match_cases, read_encounter_file
    from codingwatch.codesets import CodeValidator

    with CodeValidator() as validator:
        try:
            coded_file = read_encounter_file(coded, validator, vocabulary)
            audited_file = read_encounter_file(audited, validator, vocabulary)
            coded_encounters, audited_encounters = coded_file.encounters, audited_file.encounters
            cases = match_cases(
                coded_encounters, audited_encounters, coded_name=str(coded), audited_name=str(audited)
            )
        except EncounterFileError as exc:
            raise UserError(str(exc)) from None
    err_console.print(
        f"read {len(coded_encounters)} encounters ({sum(len(c.lines) for c in coded_encounters.values())} "
        f"lines) from {coded}; {len(audited_encounters)} encounters "
        f"({sum(len(c.lines) for c in audited_encounters.values())} lines) from {audited}; rejected 0"
    )
    for path, found in ((coded, coded_file), (audited, audited_file)):
        for name in found.new_names:
            err_console.print(f"{Path(path).name}: {name.describe()}", highlight=False, soft_wrap=True)
    with progress(quiet=quiet) as bar:
        task = bar.add_task("comparing and regrouping", total=len(cases))
        return compare_cases(cases, on_progress=lambda n: bar.advance(task, n),
                             poa_exempt_facilities=poa_exempt_facilities)


def build_summary(
    results: list[CaseResult],
    method: Method,
    *,
    base_rate: Decimal | None = None,
    frame_size: int | None = None,
    limit_rule: str = "cms",
    min_charts: int = 30,
    sla: dict[str, float] | None = None,
    sla_measure: str = "dx",
    identified: dt.date | None = None,
    with_findings: bool = True,
) -> dict[str, object]:
    """The whole scoring as one JSON-ready dictionary (what `audit score` prints)."""
    from codingwatch.audit import (
        case_impacts,
        extrapolate_overpayment,
        payment_totals,
        repayment_due,
        sample_overpayments,
        score,
        score_by,
        sla_results,
    )

    totals = score(results, method)
    summary: dict[str, object] = totals.as_dict()
    summary["method"] = {"name": method.name, "description": method.description()}
    summary["by"] = {
        by: [g.as_dict() for g in score_by(results, by, method, min_charts=min_charts)] for by in GROUPS
    }
    summary["min_charts"] = min_charts
    impacts = case_impacts(results, base_rate, method)
    summary["drg_changes"] = [i.as_dict() for i in impacts]
    if base_rate is not None:
        summary["base_rate"] = str(base_rate)
        summary["payment"] = payment_totals(impacts).as_dict()
        if frame_size is not None:
            try:
                extrapolation = extrapolate_overpayment(
                    sample_overpayments(results, base_rate, method), frame_size, limit_rule
                )
            except ValueError as exc:
                raise UserError(f"--frame-size: {exc}") from None
            summary["extrapolation"] = extrapolation.as_dict()
    if sla:
        summary["sla"] = [s.as_dict() for s in sla_results(results, sla, measure=sla_measure, method=method)]
    if identified is not None:
        summary["overpayment_identified"] = identified.isoformat()
        summary["repayment_due"] = repayment_due(identified).isoformat()
    if with_findings:
        summary["findings"] = [f.as_dict() for r in results for f in r.findings]
    return summary


def _print_text(summary: dict[str, object]) -> None:
    table = Table(title="Audit scores", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("95% limits", justify="right")
    for key in ("dx_accuracy", "px_accuracy", "record_accuracy", "drg_accuracy"):
        value = summary.get(key)
        limits = summary.get(f"{key}_limits")
        table.add_row(
            key,
            percent(value, missing="n/a"),
            "" if not limits else f"{percent(limits[0])} - {percent(limits[1])}",
        )
    console.print(table)
    console.print(
        f"encounters {summary['encounters']}; diagnosis codes {summary['dx_codes_matched']}/"
        f"{summary['dx_codes_audited']} matched; DRG changed on {summary['drg_changed']}; "
        f"payment impact {summary['payment_impact_weight']} relative weight"
        + (f" ({summary['weight_missing_cases']} DRG change(s) left out: weight missing for their fiscal year; "
           "see codingwatch codesets add-weights)" if summary.get("weight_missing_cases") else "")
    )
    coders = Table(title=f"By coder (fewer than {summary['min_charts']} charts: not ranked)", show_header=True)
    for col in ("coder", "charts", "dx accuracy", "record accuracy", "DRG accuracy", "rank"):
        coders.add_column(col, justify="left" if col == "coder" else "right")
    for row in summary["by"]["coder"]:
        coders.add_row(
            row["key"],
            str(row["encounters"]),
            *(percent(row[k], missing="n/a") for k in ("dx_accuracy", "record_accuracy", "drg_accuracy")),
            "too few charts" if row["small_sample"] else str(row["rank"]),
        )
    console.print(coders)
    if "payment" in summary:
        p = summary["payment"]
        console.print(
            f"paid too much (over-coded) {p['over_coded']}; paid too little (under-coded) {p['under_coded']}; "
            f"net overpayment {p['net_overpayment']}"
            + (f"; {p['weight_missing']} case(s) without a weight for their fiscal year left out"
               if p.get("weight_missing", "0") != "0" else "")
        )
    if "extrapolation" in summary:
        ex = summary["extrapolation"]
        console.print(f"extrapolated overpayment {ex['point_estimate']}; demand {ex['demand']} ({ex['rule_text']})")
    for row in summary.get("sla", []):
        console.print(f"SLA {row['specialty']}: {row['status']} ({row['value']} vs {row['target']})")
    if "repayment_due" in summary:
        console.print(f"overpayment identified {summary['overpayment_identified']}: repay by {summary['repayment_due']}")


@app.command("score")
def score_command(
    coded: Path = typer.Option(..., "--coded", help="as-coded encounters (ingest encounters layout, CSV or Parquet)"),
    audited: Path = typer.Option(..., "--audited", help="as-audited encounters, same layout, same encounter_ids"),
    output_format: OutputFormat = FORMAT_OPTION,
    base_rate: str = typer.Option(None, "--base-rate", help="contract base rate in dollars per 1.0 of DRG weight"),
    frame_size: int = typer.Option(None, "--frame-size", help="encounters in the sampled frame, to extrapolate"),
    limit_rule: str = typer.Option("cms", "--limit-rule", help="cms (lower limit of 80% two-sided) or oig (90%)"),
    principal_counts_two: bool = typer.Option(False, "--principal-counts-two", help="a principal-dx change = 2 errors"),
    payment_weight_two: bool = typer.Option(False, "--payment-errors-double", help="payment-affecting errors x2"),
    min_charts: int = typer.Option(30, "--min-charts", help="groups with fewer charts are flagged, not ranked"),
    sla: list[str] = typer.Option(None, "--sla", help="SPECIALTY=TARGET accuracy commitment, repeatable"),
    sla_measure: str = typer.Option("dx", "--sla-measure", help="dx, px, record or drg accuracy for the SLA"),
    identified: str = typer.Option(None, "--identified", help="date the overpayment was identified (YYYY-MM-DD)"),
    poa_exempt_facility: list[str] = POA_EXEMPT_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
    vocabulary_file: Path = VOCABULARY_OPTION,
    organization: str = ORGANIZATION_OPTION,
) -> None:
    """Score an audit: the coder's version of each chart against the auditor's.

    Both files use the `ingest encounters` layout (one row per code line) and are matched on
    encounter_id. Every changed line becomes a finding classified by the error taxonomy;
    inpatient charts are regrouped with the CMS MS-DRG grouper on both versions.

    Example:

        codingwatch audit score --coded coded.csv --audited audited.csv --format json \\
            --base-rate 6500 --frame-size 2400 --sla cardiology=0.95
    """
    from codingwatch.audit import LIMIT_RULES, Method

    if limit_rule not in LIMIT_RULES:
        raise UserError(f"--limit-rule: use one of {', '.join(LIMIT_RULES)}")
    if sla_measure not in ("dx", "px", "record", "drg"):
        raise UserError("--sla-measure: use dx, px, record or drg")
    identified_date = None
    if identified:
        try:
            identified_date = dt.date.fromisoformat(identified)
        except ValueError:
            raise UserError(f"--identified: {identified!r} is not a date YYYY-MM-DD") from None
    method = Method(principal_dx_weight=2 if principal_counts_two else 1,
                    payment_error_weight=2 if payment_weight_two else 1)
    vocabulary = load_vocabulary(vocabulary_file, organization)
    rate, targets = _decimal(base_rate, "--base-rate"), _sla(sla, vocabulary)  # refuse bad options before reading
    results = load_results(coded, audited, quiet=quiet or output_format == OutputFormat.json, vocabulary=vocabulary,
                           poa_exempt_facilities=poa_exempt_facility)
    summary = build_summary(
        results,
        method,
        base_rate=rate,
        frame_size=frame_size,
        limit_rule=limit_rule,
        min_charts=min_charts,
        sla=targets,
        sla_measure=sla_measure,
        identified=identified_date,
    )
    if output_format == OutputFormat.json:
        print_json(summary)
    else:
        _print_text(summary)


@app.command("compare")
def compare_command(
    vendor_file: Path = typer.Option(..., "--vendor-file", help="the vendor's coding of the charts"),
    inhouse_file: Path = typer.Option(..., "--inhouse-file", help="the in-house team's coding of the same charts"),
    output_format: OutputFormat = FORMAT_OPTION,
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
    vocabulary_file: Path = VOCABULARY_OPTION,
    organization: str = ORGANIZATION_OPTION,
) -> None:
    """Parallel coding comparison: the same charts coded by a vendor and by the in-house team.

    The in-house coding is the reference (it stands where the auditor's would), so agreement
    is code-over-code against the in-house codes, record-level and DRG agreement, overall and
    by specialty, with Wilson 95% limits; the commonest disagreement kinds are listed
    (codingwatch.audit.agreement).

    Example:

        codingwatch audit compare --vendor-file vendor.csv --inhouse-file inhouse.csv --format json
    """
    from codingwatch.audit.agreement import parallel_agreement

    results = load_results(vendor_file, inhouse_file, quiet=quiet or output_format == OutputFormat.json,
                           vocabulary=load_vocabulary(vocabulary_file, organization))
    payload = parallel_agreement(results)
    if output_format == OutputFormat.json:
        print_json(payload)
        return
    table = Table(title="Vendor vs in-house agreement", show_header=True)
    for col in ("specialty", "charts", "dx", "px", "record", "DRG"):
        table.add_column(col, justify="right" if col != "specialty" else "left")
    for row in [payload["overall"], *payload["by_specialty"]]:
        table.add_row(
            row["key"],
            str(row["encounters"]),
            *(percent(row[k], missing="n/a") for k in
              ("dx_agreement", "px_agreement", "record_agreement", "drg_agreement")),
        )
    console.print(table)


@app.command("report")
def report_command(
    coded: Path = typer.Option(..., "--coded", help="as-coded encounters (ingest encounters layout)"),
    audited: Path = typer.Option(..., "--audited", help="as-audited encounters, same layout"),
    html: Path = typer.Option(None, "--html", help="write the report as HTML here"),
    pdf: Path = typer.Option(None, "--pdf", help="write the report as PDF here"),
    title: str = typer.Option("Coding audit", "--title"),
    auditor: str = typer.Option(..., "--auditor", help="who audited (a name or team)"),
    auditor_org: str = typer.Option("", "--auditor-org", help="the auditor's organization"),
    reviewer: str = typer.Option("", "--reviewer", help="who reviewed the audit (named in the sign-off)"),
    independent: bool = typer.Option(True, "--independent/--vendor-internal",
                                     help="independent audit, or the vendor's own QA"),
    purpose: str = typer.Option("routine", "--purpose", help="routine, new coder, focused, pre-bill, ..."),
    design: str = typer.Option("as supplied", "--design", help="how the charts were sampled"),
    seed: str = typer.Option(None, "--seed", help="the sample's seed"),
    frame_size: int = typer.Option(None, "--frame-size", help="encounters in the sampled frame"),
    base_rate: str = typer.Option(None, "--base-rate", help="contract base rate per 1.0 of DRG weight"),
    limit_rule: str = typer.Option("cms", "--limit-rule", help="cms or oig"),
    principal_counts_two: bool = typer.Option(False, "--principal-counts-two"),
    payment_weight_two: bool = typer.Option(False, "--payment-errors-double"),
    min_charts: int = typer.Option(30, "--min-charts"),
    sla: list[str] = typer.Option(None, "--sla", help="SPECIALTY=TARGET, repeatable"),
    identified: str = typer.Option(None, "--identified", help="overpayment identification date"),
    poa_exempt_facility: list[str] = POA_EXEMPT_OPTION,
    quiet: bool = typer.Option(False, "--quiet"),
    vocabulary_file: Path = VOCABULARY_OPTION,
    organization: str = ORGANIZATION_OPTION,
) -> None:
    """Write the audit report (HTML and/or PDF) from the same inputs as `audit score`.

    The report states scope, method, sample and seed, scores with Wilson limits by coder,
    specialty, encounter type and month, the findings, a Pareto chart of error kinds, DRG
    changes with payment impact, the extrapolation with its limit rule, the rebuttal outcome
    and who audited.

    Example:

        codingwatch audit report --coded coded.csv --audited audited.csv --auditor "J. Rivera, CCS" \\
            --auditor-org "Northside HIM" --base-rate 6500 --frame-size 400 --seed 4967669.23 \\
            --html audit.html --pdf audit.pdf
    """
    from codingwatch.audit.report import Auditor, SampleInfo, SignOff, build_report, render_html, write_pdf

    if html is None and pdf is None:
        raise UserError("give --html FILE and/or --pdf FILE")
    from codingwatch.audit import LIMIT_RULES, Method

    if limit_rule not in LIMIT_RULES:
        raise UserError(f"--limit-rule: use one of {', '.join(LIMIT_RULES)}")
    identified_date = None
    if identified:
        try:
            identified_date = dt.date.fromisoformat(identified)
        except ValueError:
            raise UserError(f"--identified: {identified!r} is not a date YYYY-MM-DD") from None
    method = Method(principal_dx_weight=2 if principal_counts_two else 1,
                    payment_error_weight=2 if payment_weight_two else 1)
    vocabulary = load_vocabulary(vocabulary_file, organization)
    rate, targets = _decimal(base_rate, "--base-rate"), _sla(sla, vocabulary)
    results = load_results(coded, audited, quiet=quiet, vocabulary=vocabulary,
                           poa_exempt_facilities=poa_exempt_facility)
    versions = sorted({r.drg.grouper_version for r in results if r.drg is not None})
    report = build_report(
        results,
        title=title,
        auditor=Auditor(auditor, auditor_org, independent),
        method=method,
        purpose=purpose,
        sample=SampleInfo(
            design=design, size=len(results), frame_size=frame_size, seed=seed, frame_file=None,
            code_sets="MS-DRG / MCE " + ", ".join(f"v{v}" for v in versions) if versions else "MCE by date of service",
        ),
        base_rate=rate,
        limit_rule=limit_rule,
        sla=targets,
        min_charts=min_charts,
        overpayment_identified=identified_date,
        rebuttal_note="No rebuttal was recorded for these files: every finding is scored as delivered (upheld).",
        signoff=SignOff(auditor, reviewer=reviewer),
    )
    text = render_html(report)
    if html is not None:
        html.write_text(text, encoding="utf-8")
        err_console.print(f"wrote {html}")
    if pdf is not None:
        write_pdf(text, pdf)
        err_console.print(f"wrote {pdf}")

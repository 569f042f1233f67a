"""The `codingwatch` command: thin commands over the engines.

Each command group lives in `codingwatch.commands.<group>` and is mounted here. Commands
print what they read and what they rejected; those that report numbers take
`--format json`.
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from codingwatch.commands import (
    audit,
    common,
    cost,
    demo,
    ingest_encounters,
    provenance,
    review,
    sampling,
    web,
    x12,
)
from codingwatch.commands import codesets as codesets_command
from codingwatch.commands import lake as lake_command
from codingwatch.commands import scorecard as scorecard_command
from codingwatch.commands import synth as synth_command
from codingwatch.commands import trail as trail_command
from codingwatch.lake import LakeError

app = typer.Typer(
    name="codingwatch",
    help=(
        "Run outsourced medical coding on evidence: the true cost of each option, "
        "independent audits with RAT-STATS samples and CMS regrouping, denials traced to "
        "coding, and PHI-access oversight."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# `codingwatch ingest ...`: each ingest module registers its subcommand on this group.
app.add_typer(common.ingest_app, name="ingest")
assert ingest_encounters  # registered on import

app.add_typer(sampling.app, name="sample")
app.add_typer(sampling.appraise_app, name="appraise")
app.add_typer(audit.app, name="audit")
app.add_typer(cost.app, name="cost")
app.add_typer(x12.app, name="denials")  # and `ingest claims`, `ingest remits`
web.mount(app)  # codingwatch manage ..., codingwatch serve
app.command("synth")(synth_command.synth)
app.command("demo")(demo.demo)
app.add_typer(provenance.app, name="provenance")  # and `ingest access`
app.add_typer(lake_command.app, name="lake")
app.add_typer(codesets_command.app, name="codesets")
app.add_typer(trail_command.app, name="trail")
app.add_typer(review.app, name="review")
app.add_typer(scorecard_command.app, name="scorecard")  # and `ingest queries`


def main() -> None:
    """Entry point: user errors become one clear line and exit code 2, never a traceback."""
    try:
        app()
    except (common.UserError, LakeError) as exc:
        common.err_console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True, highlight=False)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()

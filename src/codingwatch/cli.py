"""The `codingwatch` command: thin commands over the engines.

Each command group lives in `codingwatch.commands.<group>` and is mounted here. Commands
print what they read and what they rejected; those that report numbers take
`--format json`.
"""

from __future__ import annotations

import sys

import typer

from codingwatch.commands import common

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

ingest_app = common.ingest_app
app.add_typer(ingest_app, name="ingest")

# Command groups: each module registers its commands on import.
# (command modules are imported below as they are added)
from codingwatch.commands import provenance  # noqa: E402  (also registers `ingest access`)

app.add_typer(provenance.app, name="provenance")


def main() -> None:
    """Entry point: user errors become one clear line and exit code 2, never a traceback."""
    try:
        app()
    except common.UserError as exc:
        common.err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()

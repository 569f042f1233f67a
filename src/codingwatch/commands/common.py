"""What every command shares: output formats, consoles, progress bars and user errors."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from codingwatch.errors import CodingwatchError

if TYPE_CHECKING:
    from rich.progress import Progress

# Output to a pipe or file is not wrapped at 80 columns (Rich's default there): tables and
# messages keep whole lines for the people and scripts that read them. COLUMNS still rules.
_PIPE_WIDTH = None if os.environ.get("COLUMNS") or sys.stdout.isatty() else 160
console = Console(width=_PIPE_WIDTH)
err_console = Console(stderr=True, width=None if os.environ.get("COLUMNS") or sys.stderr.isatty() else 160)

ingest_app = typer.Typer(help="Load files into the lake (whole file or nothing; the same file loads once).",
                         no_args_is_help=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FORMAT_OPTION = typer.Option(OutputFormat.text, "--format", help="text for people, json for programs")


class UserError(CodingwatchError):
    """Bad input or a bad request: shown as one line saying what to fix."""


def print_json(payload: object) -> None:
    # Plain print, not rich: JSON must never be wrapped or colored.
    print(json.dumps(payload, indent=2, default=str))


def progress(*, quiet: bool = False) -> Progress:
    """A progress bar on stderr, so that --format json output on stdout stays clean."""
    # imported here: only the commands that draw a bar pay for rich.progress
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=quiet,
    )

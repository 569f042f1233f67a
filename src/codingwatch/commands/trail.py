"""`codingwatch trail verify`: prove the access trail's hash chain."""

from __future__ import annotations

import typer

from codingwatch.commands.common import FORMAT_OPTION, OutputFormat, console, print_json

app = typer.Typer(help="The access trail: who looked at and exported what (append-only, hash-chained).",
                  no_args_is_help=True)


@app.command("verify")
def verify(output: OutputFormat = FORMAT_OPTION) -> None:
    """Recompute every trail row's SHA-256 in order and name the first broken row.

    Each row holds the hash of the row before it and of its own content (when, who, what,
    path), so a row changed, removed or inserted after the fact breaks the chain from there
    on; rows removed from the end disagree with the chain's head. Exits 1 when broken.

    Example: codingwatch trail verify
    """
    import os

    from codingwatch.commands.web import DEFAULT_SETTINGS

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()
    from django.db import DatabaseError

    from codingwatch.commands.common import UserError
    from codingwatch.web.accounts.management.commands.trail_verify import describe
    from codingwatch.web.accounts.trail import verify_trail

    try:
        verdict = verify_trail()
    except DatabaseError as exc:
        raise UserError(f"cannot read the access trail ({str(exc).strip()}): is the app database migrated? "
                        "Run codingwatch manage migrate") from None
    if output is OutputFormat.json:
        print_json(verdict.as_dict())
    else:
        console.print(describe(verdict), highlight=False, soft_wrap=True, style=None if verdict.ok else "bold red")
    if not verdict.ok:
        raise typer.Exit(1)

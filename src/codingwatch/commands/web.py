"""`codingwatch manage ...` and `codingwatch serve`: the web app from the command line."""

from __future__ import annotations

import os

import typer

DEFAULT_SETTINGS = "codingwatch.web.settings"


def _django(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    from codingwatch.commands.common import UserError

    try:
        execute_from_command_line(["codingwatch manage", *argv])
    except ImproperlyConfigured as exc:  # e.g. production settings refusing the default secret
        raise UserError(str(exc)) from None


def manage(ctx: typer.Context) -> None:
    """Run a Django management command (what `manage.py ARGS` does elsewhere).

    Settings come from DJANGO_SETTINGS_MODULE (default codingwatch.web.settings; use
    codingwatch.web.settings_production on a server) and the CODINGWATCH_* variables.

    Examples:
      codingwatch manage migrate
      codingwatch manage createsuperuser
      codingwatch manage import_roster var/synth/roster
      DJANGO_SETTINGS_MODULE=codingwatch.web.settings_production codingwatch manage check --deploy
    """
    _django(list(ctx.args) or ["help"])


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
    migrate: bool = typer.Option(True, "--migrate/--no-migrate", help="apply database migrations first"),
) -> None:
    """Serve the web app (Django's threaded server; static files through WhiteNoise).

    Example: codingwatch serve --port 8000, then open http://127.0.0.1:8000/ and log in.
    For a public server run the WSGI app codingwatch.web.wsgi under gunicorn or uwsgi with
    DJANGO_SETTINGS_MODULE=codingwatch.web.settings_production.
    """
    if migrate:
        _django(["migrate", "--no-input", "-v", "0"])
    _django(["runserver", "--noreload", f"{host}:{port}"])


def mount(app: typer.Typer) -> None:
    """Add `manage` and `serve` to the top-level `codingwatch` command."""
    # Every argument after `manage` goes to Django untouched, --help included.
    app.command(
        "manage",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []},
    )(manage)
    app.command("serve")(serve)

"""`codingwatch manage ...` and `codingwatch serve`: the web app from the command line."""

from __future__ import annotations

import os
from typing import Annotated

import typer

DEFAULT_SETTINGS = "codingwatch.web.settings"
PRODUCTION_SETTINGS = "codingwatch.web.settings_production"


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


def default_workers() -> int:
    """gunicorn's advice: two workers per CPU this process may run on, plus one."""
    return 2 * len(os.sched_getaffinity(0)) + 1


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8000, "--port", help="port to listen on"),
    migrate: bool = typer.Option(True, "--migrate/--no-migrate", help="apply database migrations first"),
    # Annotated, so that a plain Python call (`codingwatch demo` serves through this function)
    # gets real defaults rather than typer's option objects.
    production: Annotated[bool, typer.Option(
        "--production", help="serve with gunicorn and the production settings (HTTPS-only cookies, HSTS; "
        "refuses the default secret and DEBUG), static files collected and served by WhiteNoise")] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, show_default="2 x CPUs + 1", help="production: gunicorn worker processes")] = None,
    threads: Annotated[int, typer.Option(
        "--threads", min=1, help="production: threads per worker (more than 1: gunicorn's gthread worker)")] = 1,
    timeout: Annotated[int, typer.Option(
        "--timeout", min=1, help="production: seconds a request may take before its worker is restarted")] = 120,
) -> None:
    """Serve the web app: Django's threaded server, or gunicorn with --production.

    Without --production: Django's development server (static files through WhiteNoise), for a
    workstation. With --production: the production settings (DJANGO_SETTINGS_MODULE, when it
    names another module than the development default, else codingwatch.web.settings_production),
    database migrations, `collectstatic` (hashed, compressed files served by WhiteNoise), then
    gunicorn. Put it behind a TLS proxy that sets X-Forwarded-Proto: production cookies are
    HTTPS-only and plain HTTP is redirected. Any other gunicorn setting goes in
    GUNICORN_CMD_ARGS (e.g. "--keep-alive 5 --max-requests 1000").

    Examples:
      codingwatch serve --port 8000, then open http://127.0.0.1:8000/ and log in
      codingwatch serve --production --host 127.0.0.1 --port 8000 --workers 5
      curl http://127.0.0.1:8000/healthz
    """
    if production:
        _serve_production(host=host, port=port, migrate=migrate, workers=workers or default_workers(),
                          threads=threads, timeout=timeout)
        return
    if migrate:
        _django(["migrate", "--no-input", "-v", "0"])
    _django(["runserver", "--noreload", f"{host}:{port}"])


def _serve_production(*, host: str, port: int, migrate: bool, workers: int, threads: int, timeout: int) -> None:
    from codingwatch import config
    from codingwatch.commands.common import UserError

    if os.environ.get("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS) == DEFAULT_SETTINGS:
        os.environ["DJANGO_SETTINGS_MODULE"] = PRODUCTION_SETTINGS
    if migrate:
        _django(["migrate", "--no-input", "-v", "0"])
    # The manifest of hashed names must exist before a worker starts (WhiteNoise reads it then).
    _django(["collectstatic", "--no-input", "-v", "0"])
    # The lake folder exists from the start, so that /healthz failing means it went away.
    config.lake_dir().mkdir(parents=True, exist_ok=True)

    from django.db import connections

    connections.close_all()  # never hand this process's database connection to forked workers

    from gunicorn.app.base import BaseApplication

    class Production(BaseApplication):
        def load_config(self):
            bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            options = {"bind": [bind], "workers": workers, "threads": threads, "timeout": timeout,
                       "accesslog": "-", "errorlog": "-", "proc_name": "codingwatch",
                       # no runtime control socket (one per user's home: two servers would share it)
                       "control_socket_disable": True}
            for key, value in options.items():
                self.cfg.set(key, value)
            # As gunicorn's own command does: GUNICORN_CMD_ARGS last, over the options above.
            extra = self.cfg.get_cmd_args_from_env()
            if extra:
                try:
                    parsed = self.cfg.parser().parse_args(extra)
                except SystemExit:  # argparse has printed what is wrong
                    raise UserError("GUNICORN_CMD_ARGS holds an option gunicorn does not know (see above)") from None
                for key, value in vars(parsed).items():
                    if value is not None and key != "args":
                        self.cfg.set(key.lower(), value)

        def load(self):
            from codingwatch.web.wsgi import application

            return application

    Production().run()

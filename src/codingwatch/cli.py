"""The `codingwatch` command: thin commands over the engines.

Each command group lives in `codingwatch.commands.<group>` and is mounted here by name only:
the group's module is imported when the group runs (or shows its own help), so that
`codingwatch --help` and a small command start at once instead of importing every engine.
Commands print what they read and what they rejected; those that report numbers take
`--format json`.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

import typer
from rich.markup import escape
from typer.core import TyperGroup

from codingwatch.commands import coercion, common, rich_help
from codingwatch.errors import CodingwatchError


@dataclass(frozen=True)
class Mounted:
    """A command or group mounted by name: `target` is "module:attribute" (a Typer app, or a
    command function); `also` are modules that register more subcommands on it when imported;
    `help` is the line `codingwatch --help` shows (a test checks it is the command's own)."""

    target: str
    help: str
    also: tuple[str, ...] = ()
    settings: dict | None = None  # context_settings of a single command

    def load(self, name: str):
        module, _, attribute = self.target.partition(":")
        for extra in self.also:
            importlib.import_module(extra)
        obj = getattr(importlib.import_module(module), attribute)
        if isinstance(obj, typer.Typer):
            command = typer.main.get_group(obj)  # a group, as add_typer mounts it (no completion options)
        else:
            single = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
            single.command(name, context_settings=self.settings)(obj)
            command = typer.main.get_command(single)
        command.name = name
        coercion.quicken(command)  # plain option values coerced without importing pydantic
        return command


# In the order `codingwatch --help` lists them.
COMMANDS: dict[str, Mounted] = {
    "manage": Mounted("codingwatch.commands.web:manage",
                      "Run a Django management command (what `manage.py ARGS` does elsewhere).",
                      # every argument after `manage` goes to Django untouched, --help included
                      settings={"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}),
    "serve": Mounted("codingwatch.commands.web:serve",
                     "Serve the web app: Django's threaded server, or gunicorn with --production."),
    "synth": Mounted("codingwatch.commands.synth:synth",
                     "Write a realistic synthetic health system with known ground truth."),
    "demo": Mounted("codingwatch.commands.demo:demo",
                    "Build the demo: migrate, create a demo admin, write a synthetic health system, load it, serve."),
    # each ingest module registers its subcommand on the group
    "ingest": Mounted("codingwatch.commands.common:ingest_app",
                      "Load files into the lake (whole file or nothing; the same file loads once).",
                      also=("codingwatch.commands.ingest_encounters", "codingwatch.commands.provenance",
                            "codingwatch.commands.x12", "codingwatch.commands.scorecard")),
    "sample": Mounted("codingwatch.commands.sampling:app",
                      "Draw reproducible random samples exactly as RAT-STATS does, and build sampling frames "
                      "from the lake."),
    "appraise": Mounted("codingwatch.commands.sampling:appraise_app",
                        "Appraise a sample exactly as RAT-STATS does: error rates (attribute) and dollar totals "
                        "(variable)."),
    "audit": Mounted("codingwatch.commands.audit:app",
                     "Independent coding audit: compare as-coded with as-audited charts, score, report."),
    "cost": Mounted("codingwatch.commands.cost:app",
                    "The total cost of coding: compare in-house, onshore, offshore and hybrid options with every "
                    "component shown, see where the answer turns (tornado, break-even), simulate the uncertainty, "
                    "and put measured figures beside a proposal's promises. Start from a preset: "
                    "`codingwatch cost preset public-2025 --write my.yaml`."),
    "denials": Mounted("codingwatch.commands.x12:app",  # and `ingest claims`, `ingest remits`
                       "Denials traced to coding: rates, reason codes, rework and recoveries."),
    "provenance": Mounted("codingwatch.commands.provenance:app",  # and `ingest access`
                          "PHI access oversight: who touched the chart, from where, and how."),
    "lake": Mounted("codingwatch.commands.lake:app", "Look after the Parquet lake."),
    "codesets": Mounted("codingwatch.commands.codesets:app",
                        "Reference tables: CMS Table 5 relative weights by fiscal year."),
    "scorecard": Mounted("codingwatch.commands.scorecard:app",  # and `ingest queries`
                         "Vendor scorecards: every contract term each month, its state and the credits owed."),
    "settings": Mounted("codingwatch.commands.settings:settings",
                        "List every setting the CLI, the engines and the web app read from the environment (or "
                        "a .env file): name, type, default, the value set here (secrets show only \"(set)\"), what it "
                        "does and the guide that explains it. A value that cannot be used is named, with why."),
    "trail": Mounted("codingwatch.commands.trail:app",
                     "The access trail: who looked at and exported what (append-only, hash-chained)."),
    "review": Mounted("codingwatch.commands.review:app", "Quarterly business reviews of a vendor."),
}


class MountedGroup(TyperGroup):
    """The top-level group: lists every mounted command from its help line alone and loads a
    command's module only when the command is the one being run."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, mounted in COMMANDS.items():
            # a stand-in until the command is run: its name and help line, for the listing
            self.commands.setdefault(name, typer.core.TyperCommand(name, help=mounted.help))

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            # Not given, the flag's value is None, which Typer coerces through a pydantic
            # TypeAdapter (a 0.1-0.2 s import) before `codingwatch <group> --help` can answer;
            # False is a bool already, which Typer passes through as it is.
            option.default = False
        return option

    def resolve_command(self, ctx, args):
        if args and args[0] in COMMANDS:
            self.load(args[0])
        return super().resolve_command(ctx, args)

    def load(self, name: str):
        command = self.commands.get(name)
        if command is None or getattr(command, "_mounted", False) is False:
            command = COMMANDS[name].load(name)
            command._mounted = True
            self.commands[name] = command
        return command


app = typer.Typer(
    name="codingwatch",
    cls=MountedGroup,
    help=(
        "Run outsourced medical coding on evidence: the true cost of each option, "
        "independent audits with RAT-STATS samples and CMS regrouping, denials traced to "
        "coding, and PHI-access oversight."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    # A callback keeps `codingwatch` a group although every command is mounted by name.
    pass


def main() -> None:
    """Entry point: any CodingwatchError (bad input, a request that cannot be done) becomes one
    clear line and exit code 2, never a traceback."""
    rich_help.prepare()
    try:
        app()
    except CodingwatchError as exc:
        common.err_console.print(f"[bold red]error:[/] {escape(exc.message)}", soft_wrap=True, highlight=False)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()

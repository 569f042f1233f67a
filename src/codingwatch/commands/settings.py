"""`codingwatch settings`: every CODINGWATCH_* setting, its type, default, value and meaning."""

from __future__ import annotations

from codingwatch.commands.common import FORMAT_OPTION, OutputFormat, UserError, console, print_json


def settings(fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List every setting the CLI, the engines and the web app read from the environment (or
    a .env file): name, type, default, the value set here (secrets show only "(set)"), what it
    does and the guide that explains it. A value that cannot be used is named, with why.

    Exit code 2 when a setting that is set has a value that cannot be used.

    Example: codingwatch settings --format json
    """
    from rich.markup import escape
    from rich.table import Table

    from codingwatch import config

    rows = config.settings_table()
    problems = []
    for row in rows:
        try:
            config.setting(row["name"])
        except config.SettingError as exc:
            problems.append(str(exc))
            row["problem"] = str(exc)
    if fmt is OutputFormat.json:
        print_json(rows)
    else:
        table = Table("setting", "type", "default", "value", "what it does", box=None, pad_edge=False)
        for row in rows:
            value = "(unset)" if row["value"] is None else row["value"]
            if row.get("problem"):
                value += " (cannot be used)"
            table.add_row(row["name"], row["type"], escape(row["default"] or "(unset)"), escape(value),
                          escape(f"{row['help']} ({row['docs']})"))
        console.print(table)
    if problems:
        raise UserError("; ".join(problems))

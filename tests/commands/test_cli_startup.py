"""The `codingwatch` command starts without the engines: its groups are mounted by name, and
heavy libraries load inside the commands that need them (speed itself is measured in
benchmarks/bench_cli.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import typer

from codingwatch import cli

HEAVY = ("scipy", "pandas", "ibis", "django", "duckdb", "weasyprint", "numpy", "pydantic")
SMALL_COMMAND = ["appraise", "attribute", "--universe", "150", "--sample", "100", "--hits", "97", "--format", "json"]


def loaded_after(*argv: str) -> dict:
    """Runs `codingwatch ARGV` in a fresh interpreter; the heavy libraries it loaded, and its output."""
    code = (
        "import json, sys\n"
        f"sys.argv = ['codingwatch', *{list(argv)!r}]\n"
        "from codingwatch.cli import main\n"
        "import io, contextlib\n"
        "out = io.StringIO()\n"
        "try:\n"
        "    with contextlib.redirect_stdout(out):\n"
        "        main()\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print(json.dumps({{'loaded': sorted(m for m in {HEAVY!r} if m in sys.modules), 'out': out.getvalue()}}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_the_cli_loads_no_engine_library():
    done = subprocess.run([sys.executable, "-c", "import sys, json, codingwatch.cli; "
                           "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
                           f"{HEAVY!r} or m.startswith('codingwatch.') and m.split('.')[1] not in "
                           "('cli', 'commands', 'errors')) ))"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []  # no heavy library, and no engine module either (the error base is plain Python)


@pytest.mark.parametrize("argv", [["--help"], *[[group, "--help"] for group in cli.COMMANDS if group != "manage"]],
                         ids=lambda argv: " ".join(argv))
def test_help_loads_no_scipy_pandas_ibis_or_django(argv):
    result = loaded_after(*argv)
    assert result["loaded"] == [], f"codingwatch {' '.join(argv)} loaded {result['loaded']}"
    assert "Usage: codingwatch" in result["out"]


def test_a_small_command_loads_only_what_it_needs():
    # numpy and pydantic too: the small appraisal is exact in integers, its options are coerced
    # without Typer's pydantic adapters (commands/coercion.py)
    result = loaded_after(*SMALL_COMMAND)
    assert result["loaded"] == []
    appraisal = json.loads(result["out"])
    assert (appraisal["universe"], appraisal["sample"], appraisal["hits"]) == (150, 100, 97)
    assert appraisal["limits"]["95"] == {"lower": 141, "upper": 147}


def test_the_small_command_as_text_loads_only_what_it_needs():
    result = loaded_after(*SMALL_COMMAND[:-2])
    assert result["loaded"] == []
    assert "95% two-sided              141           147" in result["out"]


def test_each_mounted_help_line_is_the_commands_own():
    # The listing shows a mounted command's line without importing it: it must say what the command says.
    for name, mounted in cli.COMMANDS.items():
        command = mounted.load(name)
        own = (command.help or "").split("\n\n")[0].replace("\n", " ").strip()
        assert mounted.help == own, f"cli.COMMANDS[{name!r}].help differs from the command's own help: {own!r}"
    listed = typer.main.get_command(cli.app).list_commands(None)
    assert listed == list(cli.COMMANDS)


@pytest.mark.parametrize("argv", [["--help"], ["audit", "--help"], ["appraise", "attribute", "--help"],
                                  ["appraise", "attribute", "--universe", "x"]], ids=lambda argv: " ".join(argv))
def test_help_and_usage_errors_read_exactly_as_typers_own_rich_help(argv):
    # The help is drawn without importing rich.markdown or rich.traceback; it must not differ by a
    # character from Typer's help with both imported as usual (as after a Typer upgrade).
    def run(first: str) -> tuple[str, list[str]]:
        code = (f"{first}\nimport sys, json\nsys.argv = ['codingwatch', *{argv!r}]\n"
                "from codingwatch.cli import main\n"
                "try:\n    main()\nexcept SystemExit:\n    pass\n"
                "print(json.dumps(sorted(m for m in ('rich.markdown', 'rich.traceback') if m in sys.modules)),"
                " file=sys.stderr)\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                              env={**os.environ, "COLUMNS": "100"})
        *err, loaded = done.stderr.splitlines()
        return done.stdout + "\n".join(err), json.loads(loaded)

    own, own_loaded = run("import typer.rich_utils")
    ours, loaded = run("")
    assert own_loaded == ["rich.markdown", "rich.traceback"]
    assert loaded == []
    assert "Usage: codingwatch" in ours
    assert ours == own

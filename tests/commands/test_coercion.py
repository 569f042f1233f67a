"""Plain option values are coerced without pydantic, to exactly what Typer's own coercion gives:
the same value, or the same error, for every plain parameter of every command."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

import pytest
from typer._click import Context
from typer._coercion import build_runtime_param
from typer.core import _TyperParameter
from typer.testing import CliRunner

from codingwatch import cli
from codingwatch.commands.coercion import PlainRuntimeParam

SPELLINGS = {
    int: ["0", "150", "-3", "007", "1_000", " 5", "5 ", "+5", "5.0", "1e3", "abc", "", 42],
    float: ["0", "0.1", "-2.5", "12", "1e-3", ".5", "5.", "inf", "nan", "abc", "", 1.5, 2],
    str: ["", "acme", "a b", "--x", "ü", "0"],
    bool: [True, False, "true", "no", "1", ""],
}


def plain_parameters():
    """(command path, parameter) for each parameter the CLI coerces itself, --help flags included."""
    found = []

    def walk(command, path):
        ctx = Context(command, info_name=path[-1])
        for param in [*command.params, command.get_help_option(ctx)]:
            if isinstance(param, _TyperParameter) and isinstance(param._runtime_param, PlainRuntimeParam):
                found.append((" ".join(path), param, ctx))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*path, name])

    for name, mounted in cli.COMMANDS.items():
        walk(mounted.load(name), [name])
    return found


def outcome(runtime, value, param, ctx):
    try:
        return ("value", runtime._coerce_value(value, param=param, ctx=ctx))
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return ("error", type(exc).__name__, str(exc))


def spellings_for(param, tmp_path: Path) -> list:
    annotation = param.type_descriptor.annotation
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        values = [member.value for member in annotation]
        return [*values, *(str(v).upper() for v in values), "no-such-choice", ""]
    if isinstance(annotation, type) and issubclass(annotation, Path):
        (tmp_path / "here.csv").write_text("x\n")
        (tmp_path / "folder").mkdir(exist_ok=True)
        return [str(tmp_path / "here.csv"), str(tmp_path / "missing.csv"), str(tmp_path / "folder"), "relative.csv",
                tmp_path / "here.csv"]
    return SPELLINGS[annotation]


def test_every_command_coerces_its_plain_options_without_pydantic():
    kinds = {param._runtime_param.kind for _, param, _ in plain_parameters()}
    assert {"int", "str", "bool", "choice", "path"} <= kinds


def test_the_values_and_errors_are_typers_own(tmp_path):
    compared = 0
    for where, param, ctx in plain_parameters():
        ours = param._runtime_param
        typers = build_runtime_param(param.type_descriptor)
        for value in spellings_for(param, tmp_path):
            param._runtime_param = ours  # a fallback to Typer's adapter replaces it: start each value afresh
            expected = outcome(typers, value, param, ctx)
            got = outcome(ours, value, param, ctx)
            # repr: nan equals nothing, not even itself
            assert repr(got) == repr(expected) and type(got[-1]) is type(expected[-1]), \
                f"{where} {param.name}={value!r}: {got} != Typer's {expected}"
            compared += 1
        param._runtime_param = ours
    assert compared > 200


@pytest.mark.parametrize("argv, message", [
    (["appraise", "attribute", "--universe", "x", "--sample", "1", "--hits", "0"], "Input should be a valid integer, unable to parse string as an integer"),
    (["appraise", "attribute", "--universe", "10", "--sample", "1", "--hits", "0", "--format", "pdf"], "'pdf' is not one of 'text', 'json', 'csv'"),
])
def test_a_bad_value_is_refused_in_typers_words(argv, message):
    result = CliRunner().invoke(cli.app, argv, env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert message in result.output

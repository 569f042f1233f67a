"""Typer's option coercion, without importing pydantic for the plain option types.

Typer (0.29) turns every option value into its Python type through a pydantic `TypeAdapter`,
built the first time the parameter is processed: importing pydantic and building the adapters
is about 0.1 s of CPU, a third of a small command such as `codingwatch appraise attribute`.
`quicken(command)` gives each parameter typed as a plain int, float, str, bool, Enum or Path
(no custom parser, no min/max/clamp) a coercion that returns what Typer's adapter returns for
the ordinary spellings: a decimal integer or number, any string, a choice (through Typer's own
`coerce_cli_choice`), a path (through Typer's own `coerce_cli_path`). Any other value, and any
value that does not pass, goes to Typer's own adapter, so an unusual spelling and every error
message are Typer's. Typer offers no setting for this, hence this module; a test checks the
values and the errors are Typer's own for every such parameter of every command.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

try:  # Typer's runtime coercion (0.29); without it there is nothing to quicken
    from typer._coercion import RuntimeParam, build_runtime_param
    from typer._param_types import coerce_cli_choice, coerce_cli_path
    from typer.core import _TyperParameter
except ImportError:  # pragma: no cover - another Typer: its own coercion, untouched
    RuntimeParam = None

_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
_UNSURE = object()


def _plain_kind(annotation, info) -> str | None:
    """The kind of a parameter this module coerces itself, or None (Typer's adapter does)."""
    if info.parser is not None or info.min is not None or info.max is not None or info.clamp:
        return None
    if annotation in (int, float, str, bool):
        return annotation.__name__
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return "choice"
    if isinstance(annotation, type) and issubclass(annotation, Path):
        return "path"
    return None


def coerce_plain(kind: str, annotation, info, value, param=None, ctx=None):
    """The value as Typer's adapter gives it, or `_UNSURE` where this is not certain."""
    if kind == "int":
        if type(value) is int:
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value):
            return int(value)
    elif kind == "float":
        if type(value) is float:
            return value
        if isinstance(value, str) and _NUMBER.fullmatch(value):
            return float(value)
    elif kind == "str":
        if isinstance(value, str):
            return str(value)
    elif kind == "bool":
        if isinstance(value, bool):
            return value
    elif kind == "choice":
        return coerce_cli_choice(value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx)
    elif kind == "path":
        if isinstance(value, (str, Path)):
            return coerce_cli_path(value, info, path_type=info.path_type or annotation, param=param, ctx=ctx)
    return _UNSURE


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class PlainRuntimeParam(RuntimeParam):
        kind: str = "str"

        def _coerce_value(self, value, param, ctx):
            try:
                found = coerce_plain(self.kind, self.annotation, self.parameter_info, value, param, ctx)
            except Exception:  # noqa: BLE001 - Typer's adapter raises the error, worded as Typer words it
                found = _UNSURE
            if found is _UNSURE:
                param._runtime_param = build_runtime_param(param.type_descriptor)
                return param._runtime_param._coerce_value(value, param=param, ctx=ctx)
            return found


def _quicken_param(param) -> None:
    if isinstance(param, _TyperParameter) and param._runtime_param is None:
        descriptor = param.type_descriptor
        if descriptor.file_annotation is not None:
            return
        kind = _plain_kind(descriptor.annotation, descriptor.parameter_info)
        if kind is not None:
            param._runtime_param = PlainRuntimeParam(parameter_info=descriptor.parameter_info,
                                                     annotation=descriptor.annotation, kind=kind)


def _help_option(self, ctx):
    # the --help flag is made when a context first asks for it; not given, its value (None)
    # is coerced like any other option's
    option = type(self).get_help_option(self, ctx)
    if option is not None:
        _quicken_param(option)
    return option


def quicken(command) -> None:
    """Give every plain parameter of `command` (and of its subcommands), --help included, the
    coercion above."""
    if RuntimeParam is None:  # pragma: no cover
        return
    for param in getattr(command, "params", ()):
        _quicken_param(param)
    if hasattr(command, "get_help_option"):
        command.get_help_option = types.MethodType(_help_option, command)
    for sub in getattr(command, "commands", {}).values():
        quicken(sub)

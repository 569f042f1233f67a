"""The command groups of `codingwatch` (mounted by name in codingwatch.cli)."""

from __future__ import annotations

import importlib


class engine:  # noqa: N801 (used like a module)
    """An engine module imported on first use, so that a group's module imports no engine:
    `size = engine("codingwatch.sampling.size")` at the top, `size.attribute_sample_size(...)`
    in a command. (importlib's LazyLoader would import the parent package at once.)"""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str):
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<engine {self._name} (imported on first use)>"

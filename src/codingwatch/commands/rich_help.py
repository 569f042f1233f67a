"""Typer's Rich help, without paying for what our help never draws.

`typer.rich_utils` (which renders every `--help` and usage error) imports `rich.markdown` and
`rich.traceback` at its top, and with them markdown-it, Pygments, `rich.pretty` and attrs: about
half the start-up time of `codingwatch --help`. It uses `Markdown` only for
`rich_markup_mode="markdown"` (ours is "rich") and `Traceback` only for pretty exceptions (ours
are off). `prepare()` imports `typer.rich_utils` with those two names bound to stand-ins that
import the real class the first time one is used, so the help looks exactly as before and
anything that does need Markdown or a Traceback still gets the real one. Typer offers no setting
for this, hence the few lines here; a test checks the help is the same either way.
"""

from __future__ import annotations

import importlib
import sys
import types

_DEFERRED = {"rich.markdown": "Markdown", "rich.traceback": "Traceback"}


class _Deferred(type):
    """The metaclass of a stand-in: calling it or reading an attribute (a classmethod such as
    `Traceback.from_exception`) imports the real class and hands over to it."""

    def _real(cls):
        return getattr(importlib.import_module(cls._module), cls.__name__)

    def __call__(cls, *args, **kwargs):
        return cls._real()(*args, **kwargs)

    def __getattr__(cls, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(cls._real(), name)

    def __instancecheck__(cls, obj):
        return isinstance(obj, cls._real())


def prepare() -> None:
    """Imports `typer.rich_utils` with the deferred classes; does nothing if it (or one of the
    deferred modules) is imported already."""
    if "typer.rich_utils" in sys.modules or any(name in sys.modules for name in _DEFERRED):
        return
    for module, name in _DEFERRED.items():
        stub = types.ModuleType(module)
        setattr(stub, name, _Deferred(name, (), {"_module": module}))
        sys.modules[module] = stub
    try:
        importlib.import_module("typer.rich_utils")
    except ImportError:  # pragma: no cover - Typer without Rich: its plain help needs none of this
        pass
    finally:
        for module in _DEFERRED:
            sys.modules.pop(module, None)  # the real modules import normally from now on

"""The one base of codingwatch's errors: a message a user can act on, and the problems behind it.

Every error an engine raises for bad input or a request it cannot do derives from
`CodingwatchError`, so that the shells turn any of them into a clear message the same way:
the CLI prints `error: <message>` on one line and exits 2 (never a traceback), the web answers
the message on a page (JSON `{"detail": ...}` under /api/) instead of a server error.

The engines' own classes keep their names and their builtin bases (`IngestError` is still a
`ValueError`, `LakeError` a `RuntimeError`), so code that catches them keeps working:

    class IngestError(CodingwatchError, ValueError):
        ...

    raise IngestError("enc.csv: line 1: missing column(s) coder_id")

`problems` holds the structured faults behind the message when there are several (a list of
`codingwatch.ingest.contract.Problem`, or of strings for the older readers); it is empty when
the message says it all.
"""

from __future__ import annotations

from collections.abc import Iterable


class CodingwatchError(Exception):
    """Bad input or a request that cannot be done; `message` says what to fix."""

    def __init__(self, message: object = "", *args: object, problems: Iterable | None = None) -> None:
        super().__init__(message, *args)
        # A subclass may have set its own problems before calling this: they are kept.
        if problems is not None or "problems" not in self.__dict__:
            self.problems = list(problems or ())

    @property
    def message(self) -> str:
        """The message shown to a user (the exception's text, or its class's first doc line)."""
        text = str(self)
        if text:
            return text
        return (type(self).__doc__ or type(self).__name__).strip().splitlines()[0]


__all__ = ["CodingwatchError"]

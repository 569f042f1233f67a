"""Documents: HTML filled from a Jinja template, and PDF laid out from that HTML by WeasyPrint.

This module is the only place that calls WeasyPrint: the CLI writes a document with
`write_document`, a web view answers with `pdf_bytes(html)`. Templates get the figure
filters `money`, `count` and `percent` of `reports.format`, so a document prints every
figure as the pages do.
"""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from codingwatch.reports import format as fmt


def environment(package: str | None = None, folder: str = "templates"):
    """A Jinja environment (autoescaped, strict) with the figure filters; templates read from
    `package`'s `folder` when a package is named."""
    import jinja2

    loader = None
    if package is not None:
        loader = jinja2.FunctionLoader(lambda name: resources.files(package).joinpath(folder, name).read_text())
    env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["money"] = fmt.money
    env.filters["count"] = fmt.count
    env.filters["percent"] = fmt.percent
    env.globals.update(money=fmt.money, count=fmt.count, percent=fmt.percent)
    return env


def pdf_bytes(html: str) -> bytes:
    """The HTML laid out as a PDF (WeasyPrint; fonts and images must be inline or local)."""
    from weasyprint import HTML

    # fontTools reports every subset it builds at INFO: noise in a command's output.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    return HTML(string=html).write_pdf()


def write_document(html: str, out: Path | str) -> Path:
    """Write the document as PDF when `out` ends in .pdf, else as the HTML itself."""
    out = Path(out)
    if out.suffix.lower() == ".pdf":
        out.write_bytes(pdf_bytes(html))
    else:
        out.write_text(html, encoding="utf-8")
    return out

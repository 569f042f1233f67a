"""`codingwatch review quarterly`: a vendor's quarterly business review as HTML, PDF or JSON."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path

import typer

from codingwatch.commands.common import UserError, console, err_console

app = typer.Typer(help="Quarterly business reviews of a vendor.", no_args_is_help=True)


class ReviewFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


@app.command("quarterly")
def quarterly(
    vendor: str = typer.Option(..., "--vendor", help="the vendor's code (the lake's vendor column) or name"),
    quarter: str = typer.Option(..., "--quarter", help="calendar quarter, e.g. 2026Q2"),
    output_format: ReviewFormat = typer.Option(ReviewFormat.html, "--format", help="html, pdf or json"),
    output: Path | None = typer.Option(None, "--output", "-o",
                                       help="file to write (default qbr-<vendor>-<quarter>.<format>; json: stdout)"),
) -> None:
    """Write the quarterly business review: KPIs against SLAs with trend charts, credits owed,
    findings and denial Paretos, provenance, declared vs observed, due diligence, cost promised
    vs measured and the open action items.

    Example: codingwatch review quarterly --vendor "Summit Coding Solutions" --quarter 2026Q2 --format pdf
    """
    from codingwatch.scorecard import qbr

    try:
        qbr.parse_quarter(quarter)
    except qbr.QuarterError as exc:
        raise UserError(f"--quarter: {exc}") from None
    from codingwatch.commands.web import DEFAULT_SETTINGS

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()
    from django.db.models import Q
    from django_scopes import scopes_disabled

    from codingwatch.web.review.services import quarterly_review
    from codingwatch.web.vendors.models import Vendor

    with scopes_disabled():
        found = list(Vendor.objects.filter(Q(code=vendor) | Q(name=vendor))[:2])
        if len(found) != 1:
            known = ", ".join(Vendor.objects.order_by("code").values_list("code", flat=True)) or "none"
            raise UserError(f"--vendor: {vendor!r} is {'ambiguous' if found else 'not on the roster'} "
                            f"(vendors: {known})")
        review = quarterly_review(found[0], quarter.upper())
    err_console.print(f"read: {found[0].name}, {quarter.upper()}: {len(review['months'])} months, "
                      f"{len(review['sla'])} SLA results, {len(review['actions'])} action items", highlight=False)
    if output_format is ReviewFormat.json and output is None:
        print(json.dumps(qbr.as_json(review), indent=2))
        return
    slug = "".join(ch if ch.isalnum() else "-" for ch in found[0].code).strip("-").lower()
    target = output or Path(f"qbr-{slug}-{quarter.upper()}.{output_format.value}")
    if output_format is ReviewFormat.json:
        target.write_text(json.dumps(qbr.as_json(review), indent=2))
    elif output_format is ReviewFormat.html:
        target.write_text(qbr.render_html(review), encoding="utf-8")
    else:
        target.write_bytes(qbr.pdf_bytes(review))
    console.print(f"wrote {target}", highlight=False)

"""REST endpoints of the denials page (mounted under /api/denials/): the same figures as the
page. Every role may read them; a vendor user sees only its own vendor's claims, and naming
another vendor, coder or claim answers 404."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.accounts.trail import record_access
from codingwatch.web.denials import services
from codingwatch.web.period_query import PeriodQuery
from codingwatch.web.vendors.models import Coder, Vendor

router = Router(tags=["denials"])


class RateRow(Schema):
    key: str
    claims: int
    denied: int
    coding_denied: int
    denial_rate: float | None
    coding_denial_rate: float | None
    denied_charge: Decimal
    coding_denied_charge: Decimal
    partial: bool | None = None  # by month: a month the data covers only in part
    days: str | None = None  # by month, when partial: the days covered


class RatesOut(Schema):
    by: str
    rows: list[RateRow]


class CarcRow(Schema):
    carc: str
    description: str
    category: str
    coding_related: str
    claims: int
    share: float | None
    cumulative_share: float | None
    amount: Decimal


class ReworkRow(Schema):
    vendor: str
    coding_denied: int
    cost_per_denial: Decimal | None
    rework_cost: Decimal | None
    source: str


class RecoveredOut(Schema):
    claims: int
    amount: Decimal
    coding_claims: int
    coding_amount: Decimal


class SummaryOut(Schema):
    claims: int
    denied: int
    coding_denied: int
    denial_rate: float | None
    coding_denial_rate: float | None
    denied_charge: Decimal
    rework_cost: Decimal | None
    rework: list[ReworkRow]
    recovered: RecoveredOut


class DeniedClaim(Schema):
    load_id: str
    claim_row: int
    payment_date: str | None
    payer: str | None
    status: str
    charge: Decimal | None
    coding_related: bool
    vendor: str | None
    coder: str | None
    specialty: str | None
    carcs: list[str]


class CoderDenialsOut(Schema):
    login_id: str
    vendor: str
    summary: SummaryOut
    claims: list[DeniedClaim]


class Adjustment(Schema):
    level: str | None
    group: str | None
    carc: str
    amount: Decimal | None
    description: str
    coding_related: str


class Remark(Schema):
    source: str | None
    code: str
    description: str
    coding_related: str


class CodeLine(Schema):
    system: str
    code: str
    sequence: int
    poa: str
    modifiers: str


class ClaimOut(Schema):
    load_id: str
    claim_row: int
    encounter_key: str
    status: str  # CLP02 in words, e.g. "denied (4)"
    status_code: str | None
    denied: bool
    coding_related: bool
    payer: str | None  # the payer's name (N1*PR N102), else its id
    payer_id: str | None
    payment_date: str | None
    charge: Decimal | None
    payment: Decimal | None
    vendor: str | None
    coder: str | None
    adjustments: list[Adjustment]
    remarks: list[Remark]
    encounter: dict | None
    codes: list[CodeLine]
    findings: list[dict]  # the audit findings on the same encounter (each with its audit case page)


def _filters(vendor: str | None, coder: str | None) -> dict:
    filters = {}
    if vendor:
        filters["vendor"] = get_object_or_404(Vendor.objects.all(), code=vendor).code
    if coder:
        filters["coder"] = get_object_or_404(Coder.objects.all(), login_id=coder).login_id
    return filters


@router.get("/rates/{by}", response=RatesOut, summary="Denial and coding-related denial rates by one dimension")
def rates(request, by: str, when: Query[PeriodQuery], vendor: str | None = None, coder: str | None = None):
    """`by` is one of vendor, coder, specialty, payer, month; `vendor` (code) and `coder` (login id)
    narrow the claims; naming one you may not see answers 404. `period` (2026-03 or 2026-Q1) or
    `from`/`to` (YYYY-MM-DD) limit the claims to those paid in it, as on the pages; a period that
    cannot be read answers 400. The other denials endpoints take the same period."""
    if by not in services.DIMENSIONS:
        raise HttpError(400, f"cannot group by {by!r}: choose one of {', '.join(services.DIMENSIONS)}")
    chosen = when.parsed()
    return {"by": by, "rows": services.rates(request.user, by, period=chosen, **_filters(vendor, coder))}


@router.get("/carcs", response=list[CarcRow], summary="The reason codes (CARC) behind denials, most frequent first")
def carcs(request, when: Query[PeriodQuery], vendor: str | None = None, coder: str | None = None,
          coding_only: bool = False):
    period = when.parsed()
    return services.pareto(request.user, coding_only=coding_only, period=period, **_filters(vendor, coder))


@router.get("/summary", response=SummaryOut, summary="Totals, rework cost and amounts recovered")
def summary(request, when: Query[PeriodQuery], vendor: str | None = None):
    period = when.parsed()
    return services.summary(request.user, period=period, **_filters(vendor, None))


@router.get("/vendors/{code}", response=SummaryOut, summary="One vendor's denials")
def vendor(request, code: str, when: Query[PeriodQuery]):
    period = when.parsed()
    found = get_object_or_404(Vendor.objects.all(), code=code)
    result = services.summary(request.user, vendor=found.code, period=period)
    record_access(request, action=AccessEvent.VIEW, object_type="denials-vendor", object_id=found.code)
    return result


@router.get("/coders/{login_id}", response=CoderDenialsOut, summary="One coder's denials and denied claims")
def coder(request, login_id: str, when: Query[PeriodQuery]):
    period = when.parsed()
    found = get_object_or_404(Coder.objects.select_related("vendor"), login_id=login_id)
    filters = {"vendor": found.vendor.code, "coder": found.login_id}
    result = {"login_id": found.login_id, "vendor": found.vendor.code,
              "summary": services.summary(request.user, period=period, **filters),
              "claims": services.denied_claims(request.user, period=period, **filters)}
    record_access(request, action=AccessEvent.VIEW, object_type="denials-coder", object_id=found.login_id)
    return result


@router.get("/claims/{load_id}/{claim_row}", response=ClaimOut, summary="One remitted claim with its encounter")
def claim(request, load_id: str, claim_row: int):
    """A chart-level record: every read is written to the access trail."""
    found = services.claim(request.user, load_id, claim_row)
    if found is None:
        raise HttpError(404, "Not Found")
    record_access(request, action=AccessEvent.VIEW, object_type="denials-claim", object_id=f"{load_id}/{claim_row}")
    return found

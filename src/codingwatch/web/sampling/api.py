"""REST endpoints of the sampling page (mounted under /api/sampling/): the same numbers as
`codingwatch sample random` and `codingwatch appraise attribute|variable --format json`.

Roles admin and auditor; vendor users get 404, other roles 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from codingwatch.web.accounts.access import check_module
from codingwatch.web.sampling import services

router = Router(tags=["sampling"])
MODULE = "sampling"


def _guard(request) -> None:
    try:
        check_module(request, MODULE)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


class Selection(Schema):
    kind: str
    order: int
    value: int


class DrawOut(Schema):
    seed: str
    count: int
    spares: int
    low: int
    high: int
    frame_size: int
    total: int
    rows: list[Selection]


def _run(function, *args):
    try:
        return function(*args)
    except services.SamplingInputError as exc:
        raise HttpError(400, str(exc)) from None


@router.get("/random", response=DrawOut, summary="Single-stage random numbers, exactly as RAT-STATS draws them")
def random(request, seed: str, count: int, low: int, high: int, spares: int = 0):
    """`rows`: the sample sorted by value (kind `sample`, `order` the selection order), then the spares in
    selection order (numbered count+1 onward), as `codingwatch sample random --format csv` prints them."""
    _guard(request)
    draw = _run(services.draw, {"seed": seed, "count": count, "low": low, "high": high, "spares": spares})
    return {"seed": draw.seed, "count": draw.count, "spares": draw.spares, "low": draw.low, "high": draw.high,
            "frame_size": draw.frame_size, "total": draw.total,
            "rows": [{"kind": r.kind, "order": r.order, "value": r.value} for r in draw.rows]}


@router.get("/attribute", response=dict, summary="Unrestricted attribute appraisal (exact hypergeometric limits)")
def attribute(request, universe: int, sample: int, hits: int):
    """Point estimate and 80/90/95% two-sided limits, as counts and as rates."""
    _guard(request)
    return _run(services.attribute, {"universe": universe, "sample": sample, "hits": hits}).as_dict()


@router.post("/variable", response=dict, summary="Unrestricted variable appraisal of an uploaded values file")
def variable(request, universe: Form[int], values: File[UploadedFile], column: Form[str] = ""):
    """`values`: a CSV with examined and audited columns (difference = examined - audited), or one
    column (or name it in `column`). Answers each column's figures, keyed by column name."""
    _guard(request)
    results, _ = _run(services.variable, {"universe": universe, "column": column}, values)
    return {name: result.as_dict() for name, result in results.items()}

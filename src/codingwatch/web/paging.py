"""Bounds of the API's `offset` and `limit` query parameters, in one place.

An endpoint declares `offset: Offset = 0, limit: Limit = 100`; django-ninja checks the bounds
before the endpoint runs and answers 422 in JSON naming the parameter (a negative offset used
to reach the database as a negative slice: a 500). The same cap is NINJA_PAGINATION_MAX_LIMIT,
so a list under django-ninja's own `@paginate` has it too.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_LIMIT = 1000
# Past any real list; SQLite's and PostgreSQL's 64-bit integers would refuse a larger one (a 500).
MAX_OFFSET = 1_000_000_000

Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET, description=f"rows to skip: 0 to {MAX_OFFSET:,}")]
Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"rows to return: 1 to {MAX_LIMIT:,}")]


# ---- pages of a table on a server-rendered page ----------------------------------------------
PAGE_SIZE = 50


def page_of(request, total: int, *, per_page: int = PAGE_SIZE, param: str = "page") -> dict:
    """Which page of a `total`-row table the request asks for (`?page=N`, 1-based; out of range
    reads as the nearest page): number, pages, offset, limit, first/last row shown, and the query
    strings of the previous and next pages (the rest of the query kept)."""
    pages = max(1, -(-total // per_page))
    raw = request.GET.get(param, "")
    number = int(raw) if raw.isdigit() else 1
    number = min(max(number, 1), pages)
    offset = (number - 1) * per_page

    def link(n: int) -> str:
        query = request.GET.copy()
        query[param] = str(n)
        return "?" + query.urlencode()

    return {
        "number": number, "pages": pages, "offset": offset, "limit": per_page, "total": total,
        "first_row": offset + 1 if total else 0, "last_row": min(offset + per_page, total),
        "previous": link(number - 1) if number > 1 else None,
        "next": link(number + 1) if number < pages else None,
    }

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

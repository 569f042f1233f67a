"""What the pages keep of the lake's answers, keyed on the lake's load generation.

The lake changes only when a load commits (or a repair sets one aside); its generation is the
snapshot id of the committed loads (`Lake.snapshot()`). Every answer kept here is keyed on it,
so a new load makes every kept answer unreachable at once: nothing is ever served from before
the load (the cache's own expiry clears the old entries).

- `generation()`: the generation and the latest load's time ("data as of"), re-read only when
  the lake's manifest folder changes (its modification time), so a page asks the file system
  once, not once per figure.
- `remember(name, parts, compute)`: the answer of `compute()` in Django's cache under the
  generation, the name and the parts (the reader's scope and the question).
- `materialized(name, build)`: a table that the lake's views cannot answer fast (the denials'
  claim outcomes join five tables and the reason-code catalog), computed once per connection
  and generation into a DuckDB temporary table.
- `fragment_key(name, parts)`: the key of a piece of a page drawn only from the lake's answers,
  for Django's `{% cache %}` tag (a new load draws it afresh).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading

from django.core.cache import cache

from codingwatch.lake.store import cached_connection, open_lake

TIMEOUT_SECONDS = 6 * 3600

_lock = threading.Lock()
_seen: dict[str, tuple[int, str, dt.datetime | None]] = {}  # lake root -> (folder mtime, generation, as of)
_local = threading.local()


def _read(lake) -> tuple[str, dt.datetime | None]:
    records = lake.loads()
    ids = sorted(record.load_id for record in records)
    generation = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
    latest = max((record.loaded_at for record in records), default=None)
    as_of = None
    if latest:
        try:
            as_of = dt.datetime.fromisoformat(latest)
        except ValueError:
            as_of = None
    return generation, as_of


def generation(lake=None) -> tuple[str, dt.datetime | None]:
    """(the lake's load generation, the time of its latest load or None when empty)."""
    lake = lake or open_lake()
    folder = lake.root / "_loads"
    try:
        stamp = folder.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = -1
    key = str(lake.root)
    with _lock:
        seen = _seen.get(key)
        if seen is not None and seen[0] == stamp:
            return seen[1], seen[2]
    found = _read(lake)
    with _lock:
        _seen[key] = (stamp, *found)
    return found


def data_as_of() -> dt.datetime | None:
    """When the latest load the figures include was committed."""
    return generation()[1]


def remember(name: str, parts, compute):
    """compute() once per lake generation and parts (anything JSON can write)."""
    lake = open_lake()
    digest = hashlib.sha256(json.dumps([str(lake.root), generation(lake)[0], name, parts], sort_keys=True,
                                       default=str).encode()).hexdigest()
    key = f"lake:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    value = compute()
    cache.set(key, value, TIMEOUT_SECONDS)
    return value


def materialized(name: str, build):
    """The ibis table `name` of this thread's lake connection: build(con) (an ibis expression)
    computed into a temporary table once per connection (a new load makes a new connection)."""
    con = cached_connection()
    kept = getattr(_local, "tables", None)
    if kept is None or kept[0] is not con:
        kept = _local.tables = (con, {})
    tables = kept[1]
    if name not in tables:
        tables[name] = con.create_table(f"_kept_{name}", build(con), temp=True, overwrite=True)
    return tables[name]


def chart_spec(name: str, inputs, build):
    """A chart specification kept by its inputs: altair takes 50-100 ms to write one, and a page
    draws several from rows that are themselves kept, so the same rows give the same spec."""
    digest = hashlib.sha256(json.dumps([name, inputs], sort_keys=True, default=str).encode()).hexdigest()
    key = f"chart:{digest}"
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, TIMEOUT_SECONDS)
    return found


def fragment_key(name: str, parts) -> str:
    """A key for a rendered piece of a page drawn only from the lake's answers (for Django's
    `{% cache %}` tag): the lake's root and generation, the name and the parts, so a new load
    renders it afresh."""
    lake = open_lake()
    return hashlib.sha256(json.dumps([str(lake.root), generation(lake)[0], name, parts], sort_keys=True,
                                     default=str).encode()).hexdigest()

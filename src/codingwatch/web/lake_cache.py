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

from codingwatch.lake.store import LakeError, cached_connection, open_lake

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
# ---- answers kept beside the lake, for every process -----------------------------------------
# Django's cache is each process's own (the default local-memory cache), so an answer computed
# by the load that warms it (`web.scorecard.warm`) or by one server worker would not reach the
# others. These keep the answer in Django's cache and in a file under
# `<lake>/_derived/pages-<generation>/`, named by the digest of the generation, the name and the
# parts: a new load makes a new folder, so nothing is ever read from before it; the folders of
# earlier generations are removed when a newer one is written. The files are pickles: written
# and read only by codingwatch itself, in the lake's own folder, which holds the PHI they are
# computed from (a reader who can write there can change the data itself).
KEPT_PREFIX = "pages-"


def _kept_key(lake, name: str, parts) -> tuple[str, str]:
    gen = generation(lake)[0]
    digest = hashlib.sha256(json.dumps([gen, name, parts], sort_keys=True, default=str).encode()).hexdigest()
    return gen, digest


def _kept_folder(lake, gen: str):
    from codingwatch.lake.store import DERIVED_DIR

    return lake.root / DERIVED_DIR / f"{KEPT_PREFIX}{gen}"


def kept_get(name: str, parts, lake=None):
    """The answer kept for (the lake's generation, name, parts), from this process's cache or the
    lake's `_derived` folder; None when none is kept."""
    import pickle

    lake = lake or open_lake()
    gen, digest = _kept_key(lake, name, parts)
    key = f"kept:{lake.root}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    try:
        found = pickle.loads((_kept_folder(lake, gen) / f"{digest}.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None  # not kept (or removed by a newer load meanwhile): the caller computes it
    cache.set(key, found, TIMEOUT_SECONDS)
    return found


def kept_put(name: str, parts, value, lake=None) -> None:
    """Keep `value` for (the lake's generation, name, parts) in this process and beside the lake.
    Writing the file is a speed aid: a failure (a read-only lake folder) only leaves it unwritten."""
    import os
    import pickle
    import shutil
    import uuid

    lake = lake or open_lake()
    gen, digest = _kept_key(lake, name, parts)
    cache.set(f"kept:{lake.root}:{digest}", value, TIMEOUT_SECONDS)
    folder = _kept_folder(lake, gen)
    try:
        if lake.snapshot() != gen:  # a load committed meanwhile: never write (nor clean up) for an old one
            return
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{digest}-{uuid.uuid4().hex}.tmp"
        partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, folder / f"{digest}.pickle")  # readers see the whole file or none
        for old in folder.parent.glob(f"{KEPT_PREFIX}*"):
            if old != folder and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
    except (OSError, LakeError):
        pass


def kept(name: str, parts, compute, lake=None):
    """compute() once per lake generation and parts, for every process (`kept_get`, `kept_put`)."""
    found = kept_get(name, parts, lake)
    if found is None:
        found = compute()
        kept_put(name, parts, found, lake)
    return found

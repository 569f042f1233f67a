"""The access trail's hash chain: each row holds the SHA-256 of the row before it and of itself.

    row_hash = SHA-256( prev_hash + "\n" + canonical JSON of the row's content )

where the content is when, who (user id, user name, role), what (action, object type and id)
and the path, and the first row's prev_hash is 64 zeros. Rows are chained in id order under
one lock (an upsert of the single `TrailHead` row, the first write of the inserting
transaction: PostgreSQL's row lock, SQLite's write lock), so concurrent inserts each see the
row committed before them. The head row also remembers the chain's end, so that rows removed
from the end are noticed too. `verify()` walks the chain and names the first broken row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

GENESIS = "0" * 64
CONTENT_FIELDS = ("at", "user_id", "username", "role", "action", "object_type", "object_id", "path")


def canonical(values: dict) -> bytes:
    """The row's content as one stable byte string (keys sorted, time in UTC to the microsecond)."""
    content = {name: values[name] for name in CONTENT_FIELDS}
    content["at"] = values["at"].astimezone(dt.UTC).isoformat(timespec="microseconds")
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def link(prev_hash: str, values: dict) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(values)).hexdigest()


def lock_chain(connection, head_table: str) -> None:
    """Takes the chain's lock for the current transaction (the first write of that transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {head_table} (id, length, last_id, last_hash) VALUES (1, 0, NULL, '') "
            f"ON CONFLICT (id) DO UPDATE SET length = {head_table}.length"
        )


def move_head(connection, head_table: str, last_id: int, last_hash: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {head_table} SET length = length + 1, last_id = %s, last_hash = %s WHERE id = 1",
                       [last_id, last_hash])


@dataclass
class Verdict:
    rows: int
    head: str  # the last row's hash (GENESIS for an empty trail)
    broken_id: int | None = None  # the first row that does not hold
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None and not self.reason

    def as_dict(self) -> dict:
        return {"ok": self.ok, "rows": self.rows, "head": self.head, "broken_id": self.broken_id,
                "reason": self.reason}


def verify(rows, head: dict | None) -> Verdict:
    """Checks every row (dicts in id order, with id, prev_hash, row_hash and the content) and the head."""
    previous, count, last_id = GENESIS, 0, None
    for row in rows:
        count += 1
        if row["prev_hash"] != previous:
            return Verdict(count - 1, previous, row["id"],
                           f"row {row['id']} does not follow the row before it (its prev_hash is "
                           f"{row['prev_hash'][:16] or 'empty'}..., the chain has {previous[:16]}...): "
                           "a row was removed or inserted here")
        expected = link(previous, row)
        if row["row_hash"] != expected:
            return Verdict(count - 1, previous, row["id"],
                           f"row {row['id']} ({row['at']:%Y-%m-%d %H:%M:%S} {row['username']} {row['action']} "
                           f"{row['object_type']} {row['object_id']}) does not match its hash: it was changed "
                           "after it was written")
        previous, last_id = row["row_hash"], row["id"]
    if head is not None and head["length"] and (head["last_id"] != last_id or head["last_hash"] != previous):
        return Verdict(count, previous, None,
                       f"the trail ends at row {last_id} but its head records row {head['last_id']} "
                       f"({head['length']} rows): rows were removed from the end")
    return Verdict(count, previous)

"""The lake: append-only facts (encounters, code lines, claims, remittances, access events)
as Parquet under CODINGWATCH_LAKE, read through ibis on an in-memory DuckDB by default."""

from codingwatch.lake.store import Lake, LakeError, LoadRecord, open_lake

__all__ = ["Lake", "LakeError", "LoadRecord", "open_lake"]

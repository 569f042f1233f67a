"""ICD-10-CM hierarchy facts the classifier needs, from simple-icd-10-cm (FY2026).

simple-icd-10-cm costs about 2-3 s and 190 MB to import. The classifier needs only three facts
per billable code: its block (e.g. J09-J18), which sides its title names (right, left,
bilateral) and whether the title says "unspecified". Those are extracted once into a small
table in the cache folder (CODINGWATCH_CACHE) and read from there afterwards (about 0.1 s);
the table's name carries the library's version, so an upgrade rebuilds it.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from codingwatch.config import cache_dir

_WORDS = re.compile(r"[a-z]+")
LATERAL_WORDS = ("right", "left", "bilateral")
_UNSPECIFIED = 8  # flag bit; bits 1, 2, 4 are right, left, bilateral


@lru_cache(maxsize=1)
def _icd():
    import warnings

    with warnings.catch_warnings():  # it loads its data through deprecated importlib calls
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm
    return simple_icd_10_cm


def _flags(title: str) -> int:
    words = set(_WORDS.findall(title.lower()))
    flags = sum(1 << i for i, word in enumerate(LATERAL_WORDS) if word in words)
    return flags | (_UNSPECIFIED if "unspecified" in words else 0)


def _build_table(path: Path) -> dict[str, tuple[str, int]]:
    icd = _icd()
    table: dict[str, tuple[str, int]] = {}
    for item in icd.get_all_codes(with_dots=False):
        if "-" in item or not icd.is_leaf(item):
            continue
        block = next((a for a in icd.get_ancestors(item) if "-" in a), "")
        table[item] = (block, _flags(icd.get_description(item)))
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text("".join(f"{code}\t{block}\t{flags}\n" for code, (block, flags) in table.items()))
    tmp.replace(path)
    return table


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[str, int]]:
    path = cache_dir() / f"icd10cm-facts-{metadata.version('simple-icd-10-cm')}.tsv"
    if not path.exists():
        return _build_table(path)
    table = {}
    with path.open() as handle:
        for line in handle:
            code, block, flags = line.rstrip("\n").split("\t")
            table[code] = (block, int(flags))
    return table


def dotted(code: str) -> str:
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


@lru_cache(maxsize=65536)
def description(code: str) -> str:
    """The code's title (loads simple-icd-10-cm: for display, not for classifying)."""
    icd = _icd()
    item = dotted(code)
    return icd.get_description(item) if icd.is_valid_item(item) else ""


def block(code: str) -> str | None:
    """The ICD-10-CM block of a billable code (for example J09-J18), or None if unknown."""
    hit = _table().get(code)
    return hit[0] or None if hit else None


def category(code: str) -> str:
    return code[:3]


def _code_flags(code: str) -> int:
    hit = _table().get(code)
    return hit[1] if hit else 0


def laterality_differs(a: str, b: str) -> bool:
    """Two codes of one category that differ in one character and in the side they name."""
    if len(a) != len(b) or sum(x != y for x, y in zip(a, b, strict=True)) != 1:
        return False
    return (_code_flags(a) & 7) != (_code_flags(b) & 7)


def specificity(code: str) -> int:
    """A rank for 'more specific': more characters, and not 'unspecified', rank higher."""
    return len(code) * 2 + (0 if _code_flags(code) & _UNSPECIFIED else 1)

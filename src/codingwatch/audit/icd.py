"""ICD-10-CM hierarchy facts the classifier needs, from simple-icd-10-cm (FY2026).

simple-icd-10-cm costs about 2 s and 190 MB to import, so it is imported on first use only
and every answer is cached per code.
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORDS = re.compile(r"[a-z]+")
LATERAL_WORDS = frozenset({"right", "left", "bilateral"})


@lru_cache(maxsize=1)
def _icd():
    import warnings

    with warnings.catch_warnings():  # it loads its data through deprecated importlib calls
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm
    return simple_icd_10_cm


def dotted(code: str) -> str:
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


@lru_cache(maxsize=65536)
def description(code: str) -> str:
    icd = _icd()
    item = dotted(code)
    return icd.get_description(item) if icd.is_valid_item(item) else ""


@lru_cache(maxsize=65536)
def block(code: str) -> str | None:
    """The ICD-10-CM block of a code (for example J09-J18), or None if the code is unknown."""
    icd = _icd()
    item = dotted(code)
    if not icd.is_valid_item(item):
        return None
    for ancestor in icd.get_ancestors(item):
        if "-" in ancestor:
            return ancestor
    return None


def category(code: str) -> str:
    return code[:3]


def _words(code: str) -> set[str]:
    return set(_WORDS.findall(description(code).lower()))


def laterality_differs(a: str, b: str) -> bool:
    """Two codes of one category that differ in one character and in the side they name."""
    if len(a) != len(b) or sum(x != y for x, y in zip(a, b, strict=True)) != 1:
        return False
    wa, wb = _words(a), _words(b)
    return bool((wa ^ wb) & LATERAL_WORDS)


def specificity(code: str) -> int:
    """A rank for 'more specific': more characters, and not 'unspecified', rank higher."""
    return len(code) * 2 + (0 if "unspecified" in _words(code) else 1)

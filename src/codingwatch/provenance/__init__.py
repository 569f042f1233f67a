"""Provenance: who really touched the chart, from where, and how.

Rules over PHI access logs (provenance.rules) and detection of a login used by someone else
(provenance.takeover), all ibis expressions over plain inputs (provenance.inputs);
`provenance.scan(...)` runs them all once (provenance.scanning).
"""

# `scan` and its result are loaded on first use: importing the package (for its inputs or the
# IP map) does not load the rules and the takeover detector.
_LAZY = {"scan": "scan", "ScanOutcome": "ScanOutcome", "tally": "tally"}


def __getattr__(name: str):
    if name in _LAZY:
        from codingwatch.provenance import scanning

        return getattr(scanning, _LAZY[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""RAT-STATS-exact statistical sampling and appraisal (plain Python; no Django).

- `random_numbers`, `stratified_random_numbers`, `random_number_sets`: the draws (draws.py,
  over the VB6 + Wichmann-Hill generator in rng.py)
- `appraise_attribute`: exact hypergeometric limits (attribute.py)
- `appraise_variable`, `appraise_stratified_variable`: dollar extrapolation (variable.py)
- `attribute_sample_size`, `variable_sample_size` (size.py)
- `build_frame`, `read_frame`, `write_frame`, `draw_sample`, `sampled_records`: frames from the
  lake's ibis tables, on any backend (frames.py)
- exports to CSV and XLSX (export.py)
"""

import importlib

# Each name is imported from its module on first use (PEP 562), so that a small command such as
# `codingwatch appraise attribute` pays for attribute.py alone, not for the draws' numpy or the
# frames' CSV and lake code.
_HOMES = {
    "AppraisalError": "attribute", "AttributeAppraisal": "attribute", "appraise_attribute": "attribute",
    "DrawError": "draws", "RandomDraw": "draws", "SetsDraw": "draws", "StratifiedDraw": "draws",
    "StratumRequest": "draws", "random_number_sets": "draws", "random_numbers": "draws",
    "stratified_random_numbers": "draws",
    "Frame": "frames", "FrameError": "frames", "build_frame": "frames", "draw_sample": "frames",
    "read_frame": "frames", "write_frame": "frames",
    "attribute_sample_size": "size", "variable_sample_size": "size",
    "appraise_stratified_variable": "variable", "appraise_variable": "variable",
}


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = [
    "AppraisalError",
    "Frame",
    "FrameError",
    "appraise_stratified_variable",
    "appraise_variable",
    "attribute_sample_size",
    "build_frame",
    "draw_sample",
    "read_frame",
    "variable_sample_size",
    "write_frame",
    "AttributeAppraisal",
    "DrawError",
    "RandomDraw",
    "SetsDraw",
    "StratifiedDraw",
    "StratumRequest",
    "appraise_attribute",
    "random_number_sets",
    "random_numbers",
    "stratified_random_numbers",
]

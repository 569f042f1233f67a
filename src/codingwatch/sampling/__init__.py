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

from codingwatch.sampling.attribute import AppraisalError, AttributeAppraisal, appraise_attribute
from codingwatch.sampling.draws import (
    DrawError,
    RandomDraw,
    SetsDraw,
    StratifiedDraw,
    StratumRequest,
    random_number_sets,
    random_numbers,
    stratified_random_numbers,
)
from codingwatch.sampling.frames import Frame, FrameError, build_frame, draw_sample, read_frame, write_frame
from codingwatch.sampling.size import attribute_sample_size, variable_sample_size
from codingwatch.sampling.variable import appraise_stratified_variable, appraise_variable

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

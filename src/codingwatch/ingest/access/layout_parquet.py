"""The documented access-log layout as Parquet (timestamps must carry a time zone)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from codingwatch.ingest.access.common import AccessIngestError, rows_from_layout
from codingwatch.ingest.contract import Problem

FORMAT = "parquet"


def read_layout_parquet(path: Path, problems: list[Problem]) -> pd.DataFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise AccessIngestError(f"not a readable Parquet file ({str(exc).splitlines()[0]})") from None
    frame = pd.DataFrame()
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_timestamp(column.type):
            if column.type.tz is None:
                raise AccessIngestError(f"column {name} is a timestamp without a time zone")
            frame[name] = pd.Series(column.to_pandas()).map(lambda t: t.isoformat() if pd.notna(t) else "")
        else:
            frame[name] = column.cast(pa.string()).to_pandas()
    return rows_from_layout(str(path), frame, problems, line_base=1)


"""An Epic Clarity ACCESS_LOG-style extract (CSV): ACCESS_INSTANT, USER_ID, WORKSTATION_ID,
PAT_ID, CSN, METRIC_ID or ACTION, AUDIT_SESSION_ID (no IP address)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from codingwatch.ingest.access.common import AccessIngestError, read_csv, rows_from_layout
from codingwatch.ingest.contract import VALUE_SHOWN, Problem
from codingwatch.ingest.lines import data_row_lines

FORMAT = "clarity"
CLARITY_REQUIRED = ("ACCESS_INSTANT", "USER_ID", "WORKSTATION_ID", "PAT_ID", "CSN", "AUDIT_SESSION_ID")
# Clarity METRIC_ID/ACTION values are site-configured; these words are what extracts carry.
_CLARITY_ACTION = {
    "LOGIN": "login", "LOGOUT": "logout", "VIEW": "view", "READ": "view", "ACCESS": "view",
    "EDIT": "edit", "MODIFY": "edit", "SIGN": "edit", "EXPORT": "export", "PRINT": "print",
    "DOWNLOAD": "download", "QUERY": "query", "SEARCH": "query", "REPORT": "query",
}



def read_clarity(path: Path, problems: list[Problem]) -> pd.DataFrame:
    """Epic Clarity ACCESS_LOG-style extract. ACCESS_INSTANT must carry an offset (Clarity
    stores local time: the extract query must convert, e.g. with EPIC_UTIL.EFN_UTC_TO_LOCAL's
    inverse, so the instant is unambiguous across daylight-saving changes)."""
    frame = read_csv(path)
    physical = data_row_lines(path, len(frame))
    lines = np.arange(len(frame)) + 2 if physical is None else np.asarray(physical)
    frame.columns = [c.strip().upper() for c in frame.columns]
    missing = [c for c in CLARITY_REQUIRED if c not in frame.columns]
    action_col = "METRIC_ID" if "METRIC_ID" in frame.columns else "ACTION" if "ACTION" in frame.columns else None
    if missing or action_col is None:
        need = list(missing) + ([] if action_col else ["METRIC_ID or ACTION"])
        raise AccessIngestError(f"Clarity extract missing column(s): {', '.join(need)}")
    words = frame[action_col].str.strip().str.upper().map(_CLARITY_ACTION)
    unknown = words.isna()
    for i in np.flatnonzero(unknown.to_numpy()):
        problems.append(Problem(file=str(path), line=int(lines[i]), field=action_col,
                                value=frame[action_col].iat[i][:VALUE_SHOWN],
                                reason=f"unknown action (known: {', '.join(sorted(_CLARITY_ACTION))})"))
    layout = pd.DataFrame(
        {
            "occurred_at": frame["ACCESS_INSTANT"],
            "login": frame["USER_ID"],
            "event": words.fillna("view"),
            "session_id": frame["AUDIT_SESSION_ID"],
            "client_ip": "",
            "country": "",
            "device_id": frame["WORKSTATION_ID"],
            "work_queue": frame["WORK_QUEUE"] if "WORK_QUEUE" in frame.columns else "",
            # the CSN (contact serial number) identifies the encounter; PAT_ID is not kept
            "encounter_id": frame["CSN"],
        }
    )
    return rows_from_layout(str(path), layout, problems, line_base=2, lines=lines)


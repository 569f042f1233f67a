"""What every access-log format shares: the documented layout each parser maps its rows into,
validated one way (the fields, their rules, the problems), and reading a CSV as text."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from codingwatch.errors import CodingwatchError
from codingwatch.ingest.contract import VALUE_SHOWN, Problem
from codingwatch.ingest.lines import first_bad_utf8, first_csv_problem
from codingwatch.vocabulary import ACCESS_EVENTS as EVENT_WORDS
from codingwatch.vocabulary import ENCOUNTER_TYPES

REQUIRED = ("occurred_at", "login", "event", "session_id", "client_ip", "country", "device_id",
            "work_queue", "encounter_id")
OPTIONAL = ("latitude", "longitude", "encounter_type", "outcome")
_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_IDENT = re.compile(r"^[A-Za-z0-9._:@/#\\-]{1,128}$")


class AccessIngestError(CodingwatchError, ValueError):
    """A whole file cannot be read; the message names the file and the reason."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason if line is None else f"line {line}: {reason}")
        self.reason = reason
        self.line = line  # the line at fault, when the reason is one line's

    def problem(self, file: str) -> Problem:
        return Problem(file=file, line=self.line, reason=self.reason)


# UTC offsets in use run from -12:00 to +14:00; pandas accepts +23:59 and moves the instant a day.
MAX_OFFSET_MINUTES = 14 * 60
# No field of an access event is this long; a 20 MB cell is a broken export, named by its line.
MAX_FIELD = 4096


def _offset_minutes(texts: pd.Series) -> pd.Series:
    """Minutes of each text's trailing UTC offset (+05:30, -0500); 0 for Z or none."""
    parts = texts.str.extract(r"[+-](\d{2}):?(\d{2})$")
    return (pd.to_numeric(parts[0], errors="coerce") * 60 + pd.to_numeric(parts[1], errors="coerce")).fillna(0)


def _is_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def rows_from_layout(file: str, frame: pd.DataFrame, problems: list[Problem], line_base: int,
                     lines: np.ndarray | list[int] | None = None) -> pd.DataFrame:
    """Validate the documented layout (all columns as text) and return typed columns; each bad
    value is appended to `problems`. `lines` gives each row's line (physical line, or FHIR
    entry) when it is not row + line_base. Every format's parser ends here."""
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise AccessIngestError(f"missing column(s): {', '.join(missing)}; the layout needs {', '.join(REQUIRED)}")
    for name in OPTIONAL:
        if name not in frame.columns:
            frame[name] = ""
    frame = frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    lines = np.arange(len(frame)) + line_base if lines is None else np.asarray(lines, dtype=int)

    def bad(mask: pd.Series, column: str, reason: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            problems.append(Problem(file=file, line=int(lines[i]), field=column,
                                    value=str(frame[column].iat[i])[:VALUE_SHOWN], reason=reason))

    for name in frame.columns:
        bad(frame[name].str.len() > MAX_FIELD, name, f"longer than {MAX_FIELD:,} characters")
    has_offset = frame["occurred_at"].str.match(_OFFSET)
    beyond = has_offset & (_offset_minutes(frame["occurred_at"]) > MAX_OFFSET_MINUTES)
    has_offset &= ~beyond
    occurred = pd.to_datetime(frame["occurred_at"].where(has_offset), format="ISO8601", utc=True, errors="coerce")
    bad(beyond, "occurred_at", "UTC offset beyond +-14:00 (the widest in use): the time would move by a day or more")
    bad(~beyond & (~has_offset | occurred.isna()), "occurred_at", "not an ISO 8601 date-time with an offset "
        "(e.g. 2026-01-05T09:30:00+00:00)")
    bad(~frame["login"].str.match(_IDENT), "login", "blank or not an identifier")
    bad(~frame["event"].str.lower().isin(EVENT_WORDS), "event", f"not one of {', '.join(EVENT_WORDS)}")
    bad(~((frame["country"] == "") | frame["country"].str.upper().str.match(_COUNTRY)), "country",
        "not an ISO 3166 alpha-2 country code")
    bad(~((frame["encounter_type"] == "") | frame["encounter_type"].str.lower().isin(ENCOUNTER_TYPES)),
        "encounter_type", f"not one of {', '.join(ENCOUNTER_TYPES)}")
    bad(~frame["outcome"].str.lower().isin(("", "success", "failure")), "outcome", "not success or failure")
    lat = pd.to_numeric(frame["latitude"].replace("", np.nan), errors="coerce")
    lon = pd.to_numeric(frame["longitude"].replace("", np.nan), errors="coerce")
    bad((frame["latitude"] != "") & ~lat.between(-90, 90), "latitude", "not a number in -90..90")
    bad((frame["longitude"] != "") & ~lon.between(-180, 180), "longitude", "not a number in -180..180")
    bad((frame["latitude"] == "") != (frame["longitude"] == ""), "latitude", "latitude and longitude go together")
    ip = frame["client_ip"]
    bad((ip != "") & ~ip.map(_is_ip).astype(bool), "client_ip", "not an IPv4 or IPv6 address")
    return pd.DataFrame(
        {
            "occurred_at": occurred,
            "login": frame["login"],
            "event": frame["event"].str.lower(),
            "session_id": frame["session_id"],
            "client_ip": ip,
            "country": frame["country"].str.upper(),
            "latitude": lat,
            "longitude": lon,
            "device_id": frame["device_id"],
            "work_queue": frame["work_queue"],
            "encounter_id": frame["encounter_id"],
            "encounter_type": frame["encounter_type"].str.lower(),
            "outcome": frame["outcome"].str.lower().replace("", "success"),
            "line": lines,
        }
    )


def read_csv(path: Path) -> pd.DataFrame:
    """The CSV as text columns; a file that is not CSV is refused naming its physical line."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except pd.errors.EmptyDataError:
        raise AccessIngestError("the file is empty; expected a header row naming the columns") from None
    except UnicodeDecodeError:
        bad = first_bad_utf8(path)
        if bad is None:
            raise AccessIngestError("a byte is not UTF-8 text; save the file as UTF-8 CSV") from None
        raise AccessIngestError(f"byte {bad[1]} is not UTF-8 text; save the file as UTF-8 CSV", line=bad[0]) from None
    except pd.errors.ParserError as exc:
        problem = first_csv_problem(path)
        if problem is None:
            raise AccessIngestError(f"not a readable CSV: {str(exc).splitlines()[0]}") from None
        raise AccessIngestError(problem[1], line=problem[0]) from None


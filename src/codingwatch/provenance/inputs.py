"""The plain inputs of the provenance rules and what they return.

Everything is a table (pyarrow, pandas or an ibis table on any backend) or a dataclass, so
the command line, the web app and a notebook call the same rules:

- access events: the lake table `access_events` (lake/schema.py ACCESS_EVENTS);
- roster: one row per coder login and declared location (a coder with two approved
  locations has two rows): login, coder_id, vendor, country, region, latitude, longitude,
  timezone (IANA), hours_start, hours_end ("HH:MM", quarter hours, local), workdays
  ("Mon,Tue,Wed,Thu,Fri" or "Mon-Fri"), start_date, end_date (blank = still on the account);
- contracts: vendor, allowed_countries ("US" or "IN,PH"), requires_vdi (true: no local PHI,
  so export, print and download must not happen);
- assignments: login, work_queue, encounter_key (either may be blank): what each login may
  reach;
- an IP-range-to-country table is applied at ingest (ingest.ipmap).

Rules return an ibis table of ALERT_COLUMNS; `to_alerts` turns it into `Alert` dataclasses.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from codingwatch import config
from codingwatch.errors import CodingwatchError

ROSTER = pa.schema(
    [
        ("login", pa.string()),
        ("coder_id", pa.string()),
        ("vendor", pa.string()),
        ("country", pa.string()),
        ("region", pa.string()),
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("timezone", pa.string()),
        ("hours_start_min", pa.int32()),  # minutes after local midnight
        ("hours_end_min", pa.int32()),  # may be below start: an overnight shift
        ("workday_mask", pa.int32()),  # bit 0 = Monday ... bit 6 = Sunday
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
    ]
)
CONTRACTS = pa.schema([("vendor", pa.string()), ("allowed_countries", pa.string()), ("requires_vdi", pa.bool_())])
ASSIGNMENTS = pa.schema([("login", pa.string()), ("work_queue", pa.string()), ("encounter_key", pa.string())])

ALERT_COLUMNS = ("rule", "severity", "login", "vendor", "window_start", "window_end", "event_count",
                 "evidence", "detail")
SEVERITIES = ("low", "medium", "high")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class InputError(CodingwatchError, ValueError):
    pass


@dataclass(frozen=True)
class Settings:
    """Rule thresholds. Defaults come from the environment (CODINGWATCH_PROVENANCE_*)."""

    max_speed_kmh: float = field(default_factory=lambda: config.setting("CODINGWATCH_PROVENANCE_MAX_SPEED_KMH"))
    min_travel_km: float = field(default_factory=lambda: config.setting("CODINGWATCH_PROVENANCE_MIN_TRAVEL_KM"))
    off_hours_grace_min: int = field(default_factory=lambda: config.setting("CODINGWATCH_PROVENANCE_GRACE_MIN"))
    off_hours_min_events: int = field(default_factory=lambda: config.setting("CODINGWATCH_PROVENANCE_OFF_HOURS_MIN_EVENTS"))
    evidence_limit: int = 200
    # takeover detection
    false_alarm_rate: float = field(
        default_factory=lambda: config.setting("CODINGWATCH_PROVENANCE_FALSE_ALARM_RATE"))  # per login-month
    min_signals: int = 3
    tolerance_days: int = 7
    baseline_days: int = 28
    min_segment_days: int = 5
    min_shift: float = 2.0  # baseline deviations a signal must move to count


@dataclass(frozen=True)
class Alert:
    rule: str
    severity: str
    login: str
    vendor: str | None
    window_start: dt.datetime
    window_end: dt.datetime
    event_count: int
    evidence: tuple[str, ...]  # event ids (access_events.event_id), sorted
    detail: str
    charts: dict = field(default_factory=dict, compare=False)  # altair specs (takeover alerts)


def to_alerts(table) -> list[Alert]:
    """Alerts from a rule's result (ibis table, pyarrow or pandas)."""
    frame = _to_pandas(table)
    out = []
    for row in frame.itertuples(index=False):
        evidence = tuple(sorted(set(row.evidence))) if row.evidence is not None else ()
        out.append(Alert(row.rule, row.severity, row.login, None if pd.isna(row.vendor) else row.vendor,
                         _py_dt(row.window_start), _py_dt(row.window_end), int(row.event_count), evidence,
                         row.detail))
    out.sort(key=lambda a: (a.rule, a.login, a.window_start, a.detail))
    return out


def _py_dt(value) -> dt.datetime:
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return ts.tz_convert("UTC").to_pydatetime()


def _as_utc(value) -> pd.Timestamp:
    """A UTC timestamp; naive values are UTC (what backends with a UTC session time zone return)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _to_pandas(table) -> pd.DataFrame:
    if isinstance(table, pd.DataFrame):
        return table
    if isinstance(table, pa.Table):
        return table.to_pandas()
    return table.to_pandas()


def _minutes(value: str, what: str, login: str) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(value).strip())
    if not match or int(match[1]) > 24 or int(match[2]) % 15:
        raise InputError(f"roster {login}: {what} {value!r} is not HH:MM on a quarter hour")
    return int(match[1]) * 60 + int(match[2])


def _workdays(value: str, login: str) -> int:
    text = str(value or "mon-fri").strip().lower()
    mask = 0
    for part in re.split(r"[,\s]+", text):
        if not part:
            continue
        if "-" in part:
            a, b = part.split("-", 1)
            if a[:3] not in _DAYS or b[:3] not in _DAYS:
                raise InputError(f"roster {login}: workdays {value!r} not understood")
            i, j = _DAYS.index(a[:3]), _DAYS.index(b[:3])
            for k in range(i, j + 1) if i <= j else list(range(i, 7)) + list(range(0, j + 1)):
                mask |= 1 << k
        elif part[:3] in _DAYS:
            mask |= 1 << _DAYS.index(part[:3])
        else:
            raise InputError(f"roster {login}: workdays {value!r} not understood")
    return mask


def roster_table(rows) -> pa.Table:
    """The roster in the rules' shape, from records/pandas with hours as "HH:MM" and workdays as
    day names (or already in shape). Checks time zones against the IANA database."""
    from zoneinfo import ZoneInfo

    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if isinstance(rows, pa.Table):
        frame = rows.to_pandas()
    if "hours_start_min" not in frame.columns:
        frame["hours_start_min"] = [_minutes(v, "hours_start", lg) for v, lg in zip(frame["hours_start"], frame["login"], strict=True)]
        frame["hours_end_min"] = [_minutes(v, "hours_end", lg) for v, lg in zip(frame["hours_end"], frame["login"], strict=True)]
    if "workday_mask" not in frame.columns:
        frame["workday_mask"] = [_workdays(v, lg) for v, lg in zip(frame.get("workdays", ["mon-fri"] * len(frame)), frame["login"], strict=True)]
    for tz, login in zip(frame["timezone"], frame["login"], strict=True):
        try:
            ZoneInfo(tz)
        except Exception:
            raise InputError(f"roster {login}: time zone {tz!r} is not an IANA zone (e.g. America/Chicago)") from None
    for name in ("start_date", "end_date"):
        frame[name] = pd.to_datetime(frame.get(name), errors="raise").dt.date if name in frame else None
        frame[name] = frame[name].where(frame[name].notna(), None)
    for name in ROSTER.names:
        if name not in frame.columns:
            frame[name] = None
    return pa.Table.from_pandas(frame[ROSTER.names], schema=ROSTER, preserve_index=False)


def contracts_table(rows) -> pa.Table:
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    frame["allowed_countries"] = frame["allowed_countries"].map(
        lambda v: ",".join(sorted({c.strip().upper() for c in (v if isinstance(v, list | tuple) else str(v).split(","))
                                   if c.strip()})))
    frame["requires_vdi"] = frame["requires_vdi"].map(lambda v: str(v).strip().lower() in ("1", "true", "yes", "y"))
    return pa.Table.from_pandas(frame[CONTRACTS.names], schema=CONTRACTS, preserve_index=False)


def assignments_table(rows) -> pa.Table:
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    for name in ASSIGNMENTS.names:
        if name not in frame.columns:
            frame[name] = None
        frame[name] = frame[name].where(frame[name].notna() & (frame[name].astype(str) != ""), None)
    return pa.Table.from_pandas(frame[ASSIGNMENTS.names], schema=ASSIGNMENTS, preserve_index=False)


def tz_offsets(timezones, start: dt.datetime, end: dt.datetime) -> pa.Table:
    """UTC offset (minutes) of each time zone for every UTC hour in [start, end], from the IANA
    database (zoneinfo): daylight-saving changes fall on UTC hour boundaries in every zone the
    roster may name, so an equi-join on (timezone, UTC hour) gives exact local times on any
    backend."""
    from zoneinfo import ZoneInfo

    start = _as_utc(start).floor("h") - pd.Timedelta(hours=1)
    end = _as_utc(end).ceil("h") + pd.Timedelta(hours=1)
    hours = pd.date_range(start, end, freq="h", tz="UTC")
    zones, stamps, offsets = [], [], []
    for tz in sorted(set(timezones)):
        local = hours.tz_convert(ZoneInfo(tz))
        offset = [int(t.utcoffset().total_seconds() // 60) for t in local]
        zones.extend([tz] * len(hours))
        stamps.append(hours)
        offsets.extend(offset)
    stamp = pd.DatetimeIndex([]) if not stamps else stamps[0].append(stamps[1:]) if len(stamps) > 1 else stamps[0]
    epoch_hour = ((stamp - pd.Timestamp("1970-01-01", tz="UTC")) // pd.Timedelta(hours=1)).tolist() if len(stamp) else []
    return pa.table({"timezone": pa.array(zones, pa.string()), "epoch_hour": pa.array(epoch_hour, pa.int64()),
                     "offset_min": pa.array(offsets, pa.int32())})

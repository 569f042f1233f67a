"""UTC offsets by day for the time zones of the world, as a numpy table (daylight saving included)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np


class OffsetTable:
    """offsets[zone, day + pad] = seconds to add to UTC for local time at noon UTC of that day."""

    def __init__(self, start: dt.date, zones: list[str], *, pad: int = 30, days: int = 500) -> None:
        self.start = start
        self.pad = pad
        self.zones = sorted(set(zones))
        self.offsets = np.zeros((len(self.zones), pad + days), np.int64)
        for z, name in enumerate(self.zones):
            info = ZoneInfo(name)
            for i in range(pad + days):
                day = start + dt.timedelta(days=i - pad)
                noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC)
                self.offsets[z, i] = int(noon.astimezone(info).utcoffset().total_seconds())

    def zone_index(self, name: str) -> int:
        return self.zones.index(name)

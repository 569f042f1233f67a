"""When each chart is coded: every person works through their own queue, in their own hours.

Each person works an 8-hour shift, Monday to Friday, in the time zone where they really
are. A chart ready at time r is coded by its person in ready order, each taking
(60 / charts-per-hour of its encounter type / the person's speed) minutes, with noise:
finish_i = max(finish_{i-1}, ready_i) + duration_i on the person's working-time clock,
then mapped back to wall-clock UTC. The recurrence is solved for all people at once:
finish_i = C_i + cummax_{j<=i}(ready_j - C_{j-1}), C the running sum of durations.
"""

from __future__ import annotations

import numpy as np

from codingwatch.synth.encounters import DAY, Encounters
from codingwatch.synth.params import WorldParams
from codingwatch.synth.roster import Roster
from codingwatch.synth.timezones import OffsetTable
from codingwatch.vocabulary import ENCOUNTER_TYPES

SHIFT = 8 * 3600


class WorkClock:
    """Working seconds since the clock's origin, for shifts Monday to Friday."""

    def __init__(self, tz: OffsetTable, first_weekday: int) -> None:
        self.tz = tz
        n = tz.offsets.shape[1]
        sd = np.arange(n) - tz.pad  # shift days from the year start
        self.is_workday = ((first_weekday + sd) % 7) < 5
        self.before = np.r_[0, np.cumsum(self.is_workday)[:-1]]  # workdays before shift day index
        self.workdays = np.flatnonzero(self.is_workday)  # indexes (day + pad) of workdays

    def to_work(self, t: np.ndarray, zone: np.ndarray, shift_start: np.ndarray) -> np.ndarray:
        tz = self.tz
        day = np.clip(t // DAY + tz.pad, 0, tz.offsets.shape[1] - 1)
        local = t + tz.offsets[zone, day] - (shift_start * 3600).astype(np.int64)
        sd = np.clip(local // DAY + tz.pad, 0, len(self.before) - 1)
        within = np.clip(local - (sd - tz.pad) * DAY, 0, SHIFT)
        within = np.where(self.is_workday[sd], within, 0)
        # A non-workday counts as finished: the next shift day starts the clock again.
        return self.before[sd] * SHIFT + within

    def to_wall(self, w: np.ndarray, zone: np.ndarray, shift_start: np.ndarray) -> np.ndarray:
        tz = self.tz
        k = w // SHIFT
        rem = w - k * SHIFT
        # A finish exactly at a shift's end belongs to that shift, not to the next one's start.
        at_end = (rem == 0) & (k > 0)
        k = np.where(at_end, k - 1, k)
        rem = np.where(at_end, SHIFT, rem)
        sd = self.workdays[np.minimum(k, len(self.workdays) - 1)]
        local = (sd - tz.pad) * DAY + rem + (shift_start * 3600).astype(np.int64)
        day = np.clip(local // DAY + tz.pad, 0, tz.offsets.shape[1] - 1)
        return local - tz.offsets[zone, day]


def schedule_coding(
    params: WorldParams, enc: Encounters, roster: Roster, tz: OffsetTable, rng: np.random.Generator
) -> np.ndarray:
    """coded_at (UTC seconds since the year start) of every encounter."""
    rate = dict(params.charts_per_hour)
    per_hour = np.array([rate[t] for t in ENCOUNTER_TYPES])[enc.etype]
    speed = np.array([p.speed for p in roster.persons])[enc.person]
    duration = (3600.0 / per_hour / speed * rng.lognormal(-0.08, 0.4, len(enc))).astype(np.int64) + 30
    zone_of = np.array([tz.zone_index(p.timezone) for p in roster.persons])
    shift_of = np.array([p.shift_start for p in roster.persons])
    zone = zone_of[enc.person]
    shift = shift_of[enc.person]
    clock = WorkClock(tz, params.fiscal_year_start().weekday())
    ready_w = clock.to_work(enc.ready, zone, shift)

    order = np.lexsort((ready_w, enc.person))
    g = enc.person[order].astype(np.int64)
    d = duration[order]
    c_incl = np.cumsum(d)
    v = ready_w[order] - (c_incl - d)
    span = int(np.abs(v).max()) * 2 + 1
    finish = c_incl + (np.maximum.accumulate(v + g * span) - g * span)
    finish_w = np.empty_like(finish)
    finish_w[order] = finish
    return clock.to_wall(finish_w, zone, shift)

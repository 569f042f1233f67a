"""When each chart is coded: every person works through their own queue, in their own hours.

Each person works an 8-hour shift, Monday to Friday, in the time zone where they really
are. A chart ready at time r is coded by its person in ready order, each taking
(60 / charts-per-hour of its encounter type / the person's speed) minutes, with noise:
finish_i = max(finish_{i-1}, ready_i) + duration_i on the person's working-time clock,
then mapped back to wall-clock UTC. The recurrence is solved for all people at once:
finish_i = C_i + cummax_{j<=i}(ready_j - C_{j-1}), C the running sum of durations.

The chart's coding priority (`writer.chart_priorities`: about 75% standard, 15% complex, 10%
urgent) changes how it is worked, so that turnaround differs by priority as contracts expect:

- urgent (a payer deadline, a pre-bill hold): its documentation is chased, so it is ready after
  a quarter of the documentation hold (never before its person's first day), and it is coded
  ahead of the person's queue, behind the person's other urgent charts only. Its time still
  comes out of the person's day: the standard queue carries it at its ready time.
- complex (long stays, several procedures, documentation to query): it takes
  `COMPLEX_EFFORT` times the minutes, and the person works it from a worklist one shift behind
  the queue (it is taken up `COMPLEX_DEFER_SHIFTS` shifts after it is ready, unless the
  person's last day is that close).

In the default world (20,000 encounters, seed 2026) the median turnaround of outpatient charts
is about 12 h urgent, 28 h standard and 67 h complex (inpatient 28, 75 and 113 h);
`scorecard_truth.json` holds each priority's share within its contract hours.
"""

from __future__ import annotations

import numpy as np

from codingwatch.synth.encounters import DAY, Encounters
from codingwatch.synth.params import WorldParams
from codingwatch.synth.roster import Roster
from codingwatch.synth.timezones import OffsetTable
from codingwatch.vocabulary import ENCOUNTER_TYPES

SHIFT = 8 * 3600
STANDARD, COMPLEX, URGENT = 0, 1, 2  # writer.PRIORITY_VALUES
URGENT_HOLD = 0.25  # share of the documentation hold an urgent chart waits
COMPLEX_EFFORT = 2.5  # times the minutes of a standard chart
COMPLEX_DEFER_SHIFTS = 1


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
    from codingwatch.synth.writer import chart_priorities

    rate = dict(params.charts_per_hour)
    per_hour = np.array([rate[t] for t in ENCOUNTER_TYPES])[enc.etype]
    speed = np.array([p.speed for p in roster.persons])[enc.person]
    priority = chart_priorities(len(enc))
    effort = np.where(priority == COMPLEX, COMPLEX_EFFORT, 1.0)
    duration = (3600.0 / per_hour / speed * effort * rng.lognormal(-0.08, 0.4, len(enc))).astype(np.int64) + 30
    zone_of = np.array([tz.zone_index(p.timezone) for p in roster.persons])
    shift_of = np.array([p.shift_start for p in roster.persons])
    zone = zone_of[enc.person]
    shift = shift_of[enc.person]
    # Each person's active days (the login's and the person's own dates; routing chose a person
    # active on the day the chart was ready).
    first_of = np.array([max(p.from_day, roster.logins[p.login].start_day) for p in roster.persons], np.int64)
    last_of = np.array([min(p.to_day, roster.logins[p.login].end_day) for p in roster.persons], np.int64)
    urgent, complex_ = priority == URGENT, priority == COMPLEX
    ready = enc.ready.copy()
    short = enc.received + ((enc.ready - enc.received) * URGENT_HOLD).astype(np.int64)
    ready[urgent] = np.maximum(short, first_of[enc.person] * DAY)[urgent]
    clock = WorkClock(tz, params.fiscal_year_start().weekday())
    ready_w = clock.to_work(ready, zone, shift)
    room = (last_of[enc.person] - ready // DAY) > 2 * COMPLEX_DEFER_SHIFTS + 2  # days before the person's last
    ready_w = np.where(complex_ & room, ready_w + COMPLEX_DEFER_SHIFTS * SHIFT, ready_w)

    finish_w = _finish(enc.person, ready_w, duration)
    if urgent.any():
        finish_w[urgent] = _finish(enc.person[urgent], ready_w[urgent], duration[urgent])
    return clock.to_wall(finish_w, zone, shift)


def _finish(person: np.ndarray, ready_w: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """Finish times (working seconds) of charts worked one after another by their person, in ready order."""
    order = np.lexsort((ready_w, person))
    g = person[order].astype(np.int64)
    d = duration[order]
    c_incl = np.cumsum(d)
    v = ready_w[order] - (c_incl - d)
    span = int(np.abs(v).max()) * 2 + 1
    finish = c_incl + (np.maximum.accumulate(v + g * span) - g * span)
    finish_w = np.empty_like(finish)
    finish_w[order] = finish
    return finish_w

"""A login used by someone else (seed 001's bait-and-switch): behavioral profiles and change points.

1. `daily_profile` (ibis, any backend): per login and UTC day, the work and the way it is
   done: events, charts, active minutes and session lengths, hour of day (as a point on the
   24-hour circle, so 23:00 and 01:00 are close), encounter-type mix, failed actions, and,
   when given, codes per chart (code mix, from the lake's code_lines) and the audit error rate.
   `daily_places` gives the devices and networks (/24 prefix with the country) used each day.
2. `signals` (pandas, small: one row per login-day) turns them into comparable series:
   throughput (events per active hour), charts per hour, session minutes, hour of day (sin,
   cos), type shares, failure share, share of work from devices and from networks seen in the
   login's first `baseline_days` active days, codes per chart, audit error rate.
3. `detect` standardizes each series against the login's own baseline (median and MAD) and
   finds change points with ruptures' KernelCPD (linear kernel: a change in mean; penalized,
   minimum segment `min_segment_days`). An alert is raised when at least `min_signals`
   signals move, each by at least `min_shift` baseline deviations, within `tolerance_days` of
   one another: a new person changes several habits at once, a new laptop changes one.
4. The penalty is set from the false-alarm rate (alerts per login-month) by calibration on
   the population's own profiles with the days shuffled within each login (`calibrate`):
   shuffling keeps each day's signals together (their correlation) and removes any change in
   time, so what fires on the shuffled data is a false alarm. The expected alert volume per
   1,000 logins per month is 1,000 x the rate, and `calibrate` reports the achieved value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from codingwatch.provenance.inputs import Alert, Settings
from codingwatch.provenance.rules import as_table, epoch

TWO_PI = 2 * math.pi
SHARE_FLOOR = 0.05  # a share is standardized by at least 5 points, so 0/1 series do not explode
RATIO_FLOOR = 0.10  # a rate by at least 10% of its baseline median
CALIBRATION_LOGINS = 120


def daily_profile(events, *, code_lines=None, audits=None) -> ir.Table:
    events = as_table(events)
    e = events.mutate(
        day=epoch(events.occurred_at) // 86400,
        hour=(epoch(events.occurred_at) % 86400).cast("float64") / 3600.0,
    )
    sess = e.group_by(["login", "session_id"]).aggregate(
        day=e.day.min(),
        minutes=(epoch(e.occurred_at).max() - epoch(e.occurred_at).min()).cast("float64") / 60.0,
    )
    by_day_sessions = sess.group_by(["login", "day"]).aggregate(
        active_minutes=sess.minutes.sum(), session_minutes=sess.minutes.mean(), sessions=sess.count())
    angle = e.hour * (TWO_PI / 24.0)
    aggregates = {
        "events": e.count(),
        "charts": e.encounter_key.nunique(),
        "hour_sin": angle.sin().mean(),
        "hour_cos": angle.cos().mean(),
        "failure_share": (e.outcome == "failure").cast("float64").mean(),
        "typed": e.encounter_type.notnull().cast("int64").sum(),
    }
    for kind in ("inpatient", "outpatient", "ed", "profee"):
        aggregates[f"share_{kind}"] = (e.encounter_type == kind).cast("float64").sum()
    daily = e.group_by(["login", "day"]).aggregate(**aggregates)
    daily = _left(daily, by_day_sessions)
    if code_lines is not None:
        code_lines = as_table(code_lines)
        per_chart = code_lines.group_by("encounter_key").aggregate(codes=code_lines.count())
        charts = e.filter(e.encounter_key.notnull()).select("login", "day", "encounter_key").distinct()
        charts = charts.join(per_chart, "encounter_key")
        cpc = charts.group_by(["login", "day"]).aggregate(codes_per_chart=charts.codes.mean())
        daily = _left(daily, cpc)
    if audits is not None:
        audits = as_table(audits)
        a = audits.mutate(day=audits.audited_on.epoch_days().cast("int64"))
        err = a.group_by(["login", "day"]).aggregate(audit_error_rate=a.error_rate.mean())
        daily = _left(daily, err)
    return daily


def _left(a: ir.Table, b: ir.Table) -> ir.Table:
    joined = a.join(b, ["login", "day"], how="left")
    return joined.drop(*[c for c in joined.columns if c.endswith("_right")])


def daily_places(events) -> ir.Table:
    events = as_table(events)
    e = events.mutate(
        day=epoch(events.occurred_at) // 86400,
        network=events.country.fill_null("?") + "/" + events.client_ip.re_extract(r"^(\d+\.\d+\.\d+)\.", 1),
    )
    return e.group_by(["login", "day", "device_id", "network"]).aggregate(n=e.count())


def signals(profile: pd.DataFrame, places: pd.DataFrame, *, baseline_days: int) -> pd.DataFrame:
    """One row per login-day, one column per signal (NaN where a signal has no data)."""
    p = profile.sort_values(["login", "day"]).reset_index(drop=True)
    hours = (p["active_minutes"].fillna(0) / 60.0).clip(lower=0.25)
    out = pd.DataFrame({"login": p["login"], "day": p["day"].astype("int64")})
    out["throughput"] = p["events"] / hours
    out["charts_per_hour"] = p["charts"] / hours
    out["session_minutes"] = p["session_minutes"]
    out["hour_sin"] = p["hour_sin"]
    out["hour_cos"] = p["hour_cos"]
    typed = p["typed"].replace(0, np.nan)
    for kind in ("inpatient", "outpatient", "ed", "profee"):
        out[f"share_{kind}"] = p[f"share_{kind}"] / typed
    out["failure_share"] = p["failure_share"]
    for optional in ("codes_per_chart", "audit_error_rate"):
        if optional in p.columns:
            out[optional] = p[optional]
    # devices and networks seen in the baseline
    if len(places):
        pl = places.copy()
        first_days = out.groupby("login")["day"].apply(lambda d: d.iloc[min(len(d), baseline_days) - 1])
        pl["baseline_end"] = pl["login"].map(first_days)
        base = pl[pl["day"] <= pl["baseline_end"]]
        for column, name in (("device_id", "known_device_share"), ("network", "known_network_share")):
            known = set(zip(base["login"], base[column], strict=True))
            pl["known"] = [(lg, v) in known for lg, v in zip(pl["login"], pl[column], strict=True)]
            share = (pl.assign(k=pl["n"] * pl["known"]).groupby(["login", "day"])[["k", "n"]].sum())
            share = (share["k"] / share["n"]).rename(name)
            out = out.merge(share.reset_index(), on=["login", "day"], how="left")
    return out


SIGNAL_FLOORS = {
    "hour_sin": 0.05, "hour_cos": 0.05, "failure_share": SHARE_FLOOR, "known_device_share": SHARE_FLOOR,
    "known_network_share": SHARE_FLOOR, "share_inpatient": SHARE_FLOOR, "share_outpatient": SHARE_FLOOR,
    "share_ed": SHARE_FLOOR, "share_profee": SHARE_FLOOR, "audit_error_rate": 0.01,
}


def _standardize(x: np.ndarray, name: str, baseline: int) -> np.ndarray | None:
    base = x[:baseline]
    base = base[~np.isnan(base)]
    if len(base) < max(5, baseline // 3):
        return None
    med = float(np.median(base))
    mad = 1.4826 * float(np.median(np.abs(base - med)))
    floor = SIGNAL_FLOORS.get(name, RATIO_FLOOR * abs(med) if med else 0.01)
    scale = max(mad, floor, 1e-9)
    z = (x - med) / scale
    z = np.where(np.isnan(z), 0.0, z)
    return np.clip(z, -8.0, 8.0)


@dataclass
class Move:
    signal: str
    index: int  # first day index of the new segment
    shift: float  # segment mean change, in baseline deviations


@dataclass
class TakeoverFinding:
    login: str
    change_day: int  # epoch day
    signals: list[str]
    shifts: dict[str, float]
    days: list[int] = field(default_factory=list)


@dataclass
class Prepared:
    """A login's standardized series (they do not depend on the penalty: computed once)."""

    login: str
    days: np.ndarray
    series: dict[str, np.ndarray]


def prepare(sig: pd.DataFrame, settings: Settings) -> list[Prepared]:
    names = [c for c in sig.columns if c not in ("login", "day")]
    out = []
    for login, frame in sig.sort_values(["login", "day"]).groupby("login", sort=True):
        if len(frame) < 2 * settings.min_segment_days + settings.baseline_days // 2:
            continue
        series = {}
        for name in names:
            z = _standardize(frame[name].to_numpy(dtype=float), name, settings.baseline_days)
            if z is not None and np.any(z):
                series[name] = z
        out.append(Prepared(str(login), frame["day"].to_numpy(), series))
    return out


def _moves(prepared: Prepared, *, penalty: float, settings: Settings) -> list[Move]:
    import ruptures as rpt

    moves = []
    for name, z in prepared.series.items():
        bkps = rpt.KernelCPD(kernel="linear", min_size=settings.min_segment_days).fit(z.reshape(-1, 1)).predict(
            pen=penalty)
        edges = [0, *bkps]
        for k in range(1, len(edges) - 1):
            before = z[edges[k - 1]:edges[k]].mean()
            after = z[edges[k]:edges[k + 1]].mean()
            if abs(after - before) >= settings.min_shift:
                moves.append(Move(name, edges[k], float(after - before)))
    return moves


def _cluster(moves: list[Move], days: np.ndarray, settings: Settings) -> list[tuple[int, list[Move]]]:
    """Change days where at least min_signals signals move within tolerance_days."""
    if not moves:
        return []
    moves = sorted(moves, key=lambda m: days[m.index])
    found = []
    used = set()
    for i, m in enumerate(moves):
        if i in used:
            continue
        d0 = days[m.index]
        group = [(j, x) for j, x in enumerate(moves) if j not in used and abs(days[x.index] - d0) <= settings.tolerance_days]
        by_signal = {}
        for j, x in group:
            by_signal.setdefault(x.signal, (j, x))
        if len(by_signal) >= settings.min_signals:
            chosen = [x for _, x in by_signal.values()]
            used.update(j for j, _ in group)
            change = int(np.median([days[x.index] for x in chosen]))
            found.append((change, chosen))
    return found


def detect_prepared(prepared: list[Prepared], *, penalty: float, settings: Settings) -> list[TakeoverFinding]:
    findings = []
    for p in prepared:
        for change, chosen in _cluster(_moves(p, penalty=penalty, settings=settings), p.days, settings):
            findings.append(TakeoverFinding(p.login, change, sorted(m.signal for m in chosen),
                                            {m.signal: round(m.shift, 2) for m in chosen}, p.days.tolist()))
    return findings


def detect_frame(sig: pd.DataFrame, *, penalty: float, settings: Settings) -> list[TakeoverFinding]:
    return detect_prepared(prepare(sig, settings), penalty=penalty, settings=settings)


@dataclass
class Calibration:
    penalty: float
    false_alarm_rate: float  # target, alerts per login-month
    achieved_rate: float  # on the shuffled profiles
    login_months: float

    @property
    def expected_alerts_per_1000_logins_month(self) -> float:
        return 1000.0 * self.achieved_rate


def _shuffled(sig: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    parts = []
    for _, frame in sig.groupby("login", sort=True):
        order = rng.permutation(len(frame))
        values = frame.drop(columns=["login", "day"]).iloc[order].reset_index(drop=True)
        values.insert(0, "day", frame["day"].to_numpy())
        values.insert(0, "login", frame["login"].to_numpy())
        parts.append(values)
    return pd.concat(parts, ignore_index=True) if parts else sig


def calibrate(sig: pd.DataFrame, settings: Settings, *, repeats: int | None = None, seed: int = 0) -> Calibration:
    """The smallest penalty whose false-alarm rate on day-shuffled profiles is <= the setting
    (bisection on the log of the penalty; small populations are shuffled twice)."""
    rng = np.random.default_rng(seed)
    logins = sig["login"].unique()
    if repeats is None:
        repeats = 1 if len(logins) >= 100 else 2
    if len(logins) > CALIBRATION_LOGINS:  # a random subset estimates a per-login-month rate as well
        keep = set(rng.choice(logins, size=CALIBRATION_LOGINS, replace=False))
        sig = sig[sig["login"].isin(keep)]
    nulls = [prepare(_shuffled(sig, rng), settings) for _ in range(repeats)]
    calendar_days = sig.groupby("login")["day"].agg(lambda d: d.max() - d.min() + 1).sum()
    login_months = max(float(calendar_days) / 30.44, 1e-9)

    def rate(pen: float) -> float:
        return sum(len(detect_prepared(n, penalty=pen, settings=settings)) for n in nulls) / (repeats * login_months)

    lo, hi = math.log(2.0), math.log(400.0)
    if rate(math.exp(lo)) <= settings.false_alarm_rate:
        return Calibration(math.exp(lo), settings.false_alarm_rate, rate(math.exp(lo)), login_months)
    for _ in range(8):
        mid = (lo + hi) / 2
        if rate(math.exp(mid)) <= settings.false_alarm_rate:
            hi = mid
        else:
            lo = mid
    pen = math.exp(hi)
    return Calibration(pen, settings.false_alarm_rate, rate(pen), login_months)


def build_signals(events, settings: Settings, *, code_lines=None, audits=None) -> pd.DataFrame:
    profile = daily_profile(events, code_lines=code_lines, audits=audits).to_pandas()
    places = daily_places(events).to_pandas()
    return signals(profile, places, baseline_days=settings.baseline_days)


def chart_spec(frame: pd.DataFrame, signal: str, change_day: int) -> dict:
    """An altair (Vega-Lite) spec: the daily signal with the change day marked."""
    import altair as alt

    data = pd.DataFrame({"date": pd.to_datetime(frame["day"], unit="D"), "value": frame[signal]})
    line = alt.Chart(data).mark_line(point=True).encode(x=alt.X("date:T", title="day"),
                                                        y=alt.Y("value:Q", title=signal.replace("_", " ")))
    rule = alt.Chart(pd.DataFrame({"date": [pd.to_datetime(change_day, unit="D")]})).mark_rule(
        color="firebrick").encode(x="date:T")
    return (line + rule).properties(title=f"{signal} ({frame['login'].iat[0]})", width=480, height=160).to_dict()


@dataclass
class TakeoverResult:
    alerts: list[Alert]
    calibration: Calibration
    findings: list[TakeoverFinding]
    logins: int


def detect_takeovers(events, *, roster=None, settings: Settings | None = None, code_lines=None, audits=None,
                     penalty: float | None = None, charts: bool = True, sig: pd.DataFrame | None = None
                     ) -> TakeoverResult:
    """Takeover alerts (rule 'takeover'), each with the change date, the signals that moved,
    evidence (the login's first events on the change day) and a chart of each signal."""
    settings = settings or Settings()
    events = as_table(events)
    if sig is None:
        sig = build_signals(events, settings, code_lines=code_lines, audits=audits)
    if penalty is None:
        calibration = calibrate(sig, settings)
    else:
        calibration = Calibration(penalty, settings.false_alarm_rate, float("nan"), 0.0)
    findings = detect_frame(sig, penalty=calibration.penalty, settings=settings)
    vendors = {}
    if roster is not None:
        r = as_table(roster).select("login", "vendor").distinct().to_pandas()
        vendors = dict(zip(r["login"], r["vendor"], strict=True))
    evidence: dict[tuple[str, int], list[str]] = {}
    if findings:
        keys = ibis.memtable(pd.DataFrame({"login": [f.login for f in findings],
                                           "day": [f.change_day for f in findings]}))
        e = events.mutate(day=epoch(events.occurred_at) // 86400)
        first = e.semi_join(keys, ["login", "day"])
        w = ibis.window(group_by=[first.login, first.day], order_by=[first.occurred_at, first.event_id])
        first = first.mutate(rank=ibis.row_number().over(w))
        first = first.filter(first.rank < settings.evidence_limit // 10).select("login", "day", "event_id").to_pandas()
        for (login, day), group in first.groupby(["login", "day"]):
            evidence[(login, int(day))] = sorted(group["event_id"])
    alerts = []
    by_login = dict(tuple(sig.groupby("login"))) if charts and findings else {}
    for f in findings:
        start = pd.Timestamp(f.change_day, unit="D", tz="UTC").to_pydatetime()
        end = pd.Timestamp(f.days[-1] + 1, unit="D", tz="UTC").to_pydatetime()
        detail = (f"{len(f.signals)} signals changed together on {start.date()}: "
                  + ", ".join(f"{s} {f.shifts[s]:+.1f} sd" for s in f.signals))
        specs = {}
        if charts:
            frame = by_login[f.login].sort_values("day")
            specs = {s: chart_spec(frame, s, f.change_day) for s in f.signals}
        ev = tuple(evidence.get((f.login, f.change_day), ()))
        alerts.append(Alert("takeover", "high", f.login, vendors.get(f.login), start, end, len(ev), ev, detail, specs))
    return TakeoverResult(alerts, calibration, findings, int(sig["login"].nunique()))

"""The thin layer between the app's rows and the provenance engine (codingwatch.provenance).

- `engine_inputs()` turns the roster (coders), contracts and queue assignments into the
  engine's plain tables (provenance.inputs: roster, contracts, assignments);
- `scan()` runs the engine's scan (`codingwatch.provenance.scan`: rules and takeover detector)
  over the lake's access events and stores each alert once (by fingerprint), applying the suppression rules;
- `evidence_events()` and `vendor_summary()` read the lake for the evidence and summary pages.

No rule logic lives here: the rules are the engine's, so the CLI, the app and a notebook agree.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import ibis
import pyarrow as pa
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from codingwatch import config, provenance
from codingwatch.errors import CodingwatchError
from codingwatch.lake import open_lake
from codingwatch.lake.store import cached_connection
from codingwatch.provenance import inputs
from codingwatch.web.provenance.models import ProvenanceAlert, Scan, Suppression

# The IANA zone of a declared location (ISO 3166-1 country or 3166-2 region). The coder model
# holds the location only; a zone per region is enough for the declared-hours rule. US states
# that span two zones take the zone of most of their people.
_US_ZONES = {
    "America/New_York": "CT DC DE FL GA IN KY MA MD ME MI NC NH NJ NY OH PA RI SC VA VT WV",
    "America/Chicago": "AL AR IA IL KS LA MN MO MS ND NE OK SD TN TX WI",
    "America/Denver": "CO MT NM UT WY ID",
    "America/Phoenix": "AZ",
    "America/Los_Angeles": "CA NV OR WA",
    "America/Anchorage": "AK",
    "Pacific/Honolulu": "HI",
    "America/Puerto_Rico": "PR",
}
REGION_ZONES = {f"US-{state}": zone for zone, states in _US_ZONES.items() for state in states.split()}
COUNTRY_ZONES = {
    "US": "America/Chicago", "IN": "Asia/Kolkata", "PH": "Asia/Manila", "PK": "Asia/Karachi",
    "LK": "Asia/Colombo", "BD": "Asia/Dhaka", "NP": "Asia/Kathmandu", "CA": "America/Toronto",
    "MX": "America/Mexico_City", "CO": "America/Bogota", "JM": "America/Jamaica", "GB": "Europe/London",
    "IE": "Europe/Dublin", "KE": "Africa/Nairobi", "EG": "Africa/Cairo", "VN": "Asia/Ho_Chi_Minh",
}
TAKEOVER_RULE = "takeover"
SHARING_RULES = ("concurrent_sessions", "takeover")


def zone_for(location: str) -> str:
    return REGION_ZONES.get(location) or COUNTRY_ZONES.get(location[:2], "UTC")


def declared_hours() -> tuple[str, str]:
    """The working hours a coder declares, local, when the roster holds none
    (CODINGWATCH_PROVENANCE_DECLARED_HOURS, default 07:00-19:00)."""
    text = config.setting("CODINGWATCH_PROVENANCE_DECLARED_HOURS")
    start, _, end = text.partition("-")
    return start.strip(), end.strip()


def queue_name(queue) -> str:
    """The work queue as access logs name it: FACILITY/service_line/encounter_type."""
    return f"{queue.facility.code}/{queue.service_line}/{queue.encounter_type}"


@dataclass
class EngineInputs:
    roster: pa.Table
    contracts: pa.Table
    assignments: pa.Table
    credentials: dict[str, list[str]]  # login -> credentials on the roster


def engine_inputs(on: dt.date | None = None) -> EngineInputs:
    """The roster, contracts and assignments in the engine's shape (every vendor)."""
    from codingwatch.web.vendors.models import Coder, Contract, QueueAssignment

    start, end = declared_hours()
    with scopes_disabled():
        coders = list(Coder.objects.select_related("vendor"))
        roster = [{"login": c.login_id, "coder_id": c.login_id, "vendor": c.vendor.code,
                   "country": c.location[:2], "region": c.location[3:] or None, "latitude": None,
                   "longitude": None, "timezone": zone_for(c.location), "hours_start": start, "hours_end": end,
                   "workdays": "mon-fri", "start_date": c.start_date, "end_date": c.end_date} for c in coders]
        # the contract in force (the latest that has started; else the first one)
        today = on or timezone.now().date()
        chosen: dict[int, Contract] = {}
        for contract in Contract.objects.select_related("vendor").order_by("vendor_id", "start_date"):
            if contract.vendor_id not in chosen or contract.start_date <= today:
                chosen[contract.vendor_id] = contract
        contracts = [{"vendor": c.vendor.code, "allowed_countries": ",".join(c.countries()),
                      "requires_vdi": c.requires_vdi} for c in chosen.values()]
        assignments = [{"login": a.coder.login_id, "work_queue": queue_name(a.work_queue), "encounter_key": None}
                       for a in QueueAssignment.objects.select_related("coder", "work_queue__facility")]
        credentials = {c.login_id: list(c.credentials) for c in coders}
    empty_roster = pa.Table.from_pylist([], schema=inputs.ROSTER)
    return EngineInputs(
        roster=inputs.roster_table(roster) if roster else empty_roster,
        contracts=inputs.contracts_table(contracts) if contracts else pa.Table.from_pylist([], schema=inputs.CONTRACTS),
        assignments=(inputs.assignments_table(assignments) if assignments
                     else pa.Table.from_pylist([], schema=inputs.ASSIGNMENTS)),
        credentials=credentials,
    )


def fingerprint(alert: inputs.Alert) -> str:
    """What makes two alerts the same: rule, login, window start and detail; a takeover is the
    same alert when it names the same login and change date (its detail and window end grow
    with more history)."""
    parts = [alert.rule, alert.login, alert.window_start.astimezone(dt.UTC).isoformat()]
    if alert.rule != TAKEOVER_RULE:
        parts.append(alert.detail)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


@dataclass
class ScanResult:
    scan_id: int
    events: int
    found: int
    new: int
    suppressed: int
    by_rule: dict[str, int]

    def as_dict(self) -> dict:
        return {"scan": self.scan_id, "events": self.events, "alerts_found": self.found, "alerts_new": self.new,
                "alerts_suppressed": self.suppressed, "new_by_rule": self.by_rule}

    def describe(self) -> str:
        rules = ", ".join(f"{rule} {n}" for rule, n in self.by_rule.items()) or "none"
        return (f"{self.events:,} access events; {self.found} alerts found, {self.new} new "
                f"({self.suppressed} suppressed); new by rule: {rules}")


def _places(events, ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """event id -> (country, device) for the given evidence ids."""
    if not ids:
        return {}
    keys = ibis.memtable(pa.table({"event_id": pa.array(sorted(set(ids)), pa.string())}))
    found = events.semi_join(keys, "event_id").select("event_id", "country", "device_id").to_pyarrow()
    return {e: (c, d) for e, c, d in zip(found["event_id"].to_pylist(), found["country"].to_pylist(),
                                         found["device_id"].to_pylist(), strict=True)}


@scopes_disabled()  # one scan covers every organization's roster; each alert is stored with its own
def scan(*, settings: inputs.Settings | None = None, takeover: bool = True, started_by: str = "",
         lake=None, report: Callable[[str, float], None] | None = None) -> ScanResult:
    """Run every rule (and the takeover detector) over the lake; store the alerts not stored yet."""
    report = report or (lambda step, fraction: None)
    settings = settings or inputs.Settings()
    lake = lake or open_lake()
    events = lake.connect().table("access_events")
    report("reading the roster, contracts and assignments", 0.02)
    given = engine_inputs()
    outcome = provenance.scan(events, roster=given.roster, contracts=given.contracts, assignments=given.assignments,
                              settings=settings, takeover=takeover, report=report)
    total, found = outcome.events, outcome.alerts
    report("storing alerts", 0.85)
    by_print = {fingerprint(a): a for a in found}
    known = set(ProvenanceAlert.objects.filter(fingerprint__in=list(by_print)).values_list("fingerprint", flat=True))
    fresh = {k: a for k, a in by_print.items() if k not in known}
    places = _places(events, [e for a in fresh.values() for e in a.evidence])
    suppressions = list(Suppression.objects.filter(active=True))
    organization_of = alert_organizations()
    with transaction.atomic():
        record = Scan.objects.create(started_by=started_by[:150], events=total, alerts_found=len(found))
        rows = []
        for key, a in fresh.items():
            seen = [places[e] for e in a.evidence if e in places]
            row = ProvenanceAlert(
                fingerprint=key, rule=a.rule, severity=a.severity,
                severity_rank=ProvenanceAlert.SEVERITY_RANK.get(a.severity, 1), login=a.login,
                vendor_code=a.vendor or "", window_start=a.window_start, window_end=a.window_end,
                event_count=a.event_count, evidence=list(a.evidence), detail=a.detail, charts=a.charts or {},
                countries=sorted({c for c, _ in seen if c}), devices=sorted({d for _, d in seen if d}), scan=record,
                organization_id=organization_of(a.vendor))
            match = next((s for s in suppressions if s.matches(row)), None)
            if match is not None:
                row.status, row.suppressed_by = ProvenanceAlert.SUPPRESSED, match
                row.resolution = f"suppressed by rule #{match.pk}: {match.reason}"
            rows.append(row)
        # a scan running at the same time may have stored some of them: the fingerprint is unique
        ProvenanceAlert.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        record.alerts_new = len(rows)
        record.alerts_suppressed = sum(r.status == ProvenanceAlert.SUPPRESSED for r in rows)
        record.finished_at = timezone.now()
        record.save()
    from codingwatch.web.provenance.cases import group_alerts

    group_alerts()  # the new alerts into cases (one per rule, login and episode)
    report("done", 1.0)
    return ScanResult(record.pk, total, len(found), len(rows), record.alerts_suppressed, provenance.tally(rows))


EVENT_COLUMNS = ("event_id", "occurred_at", "login", "event", "session_id", "client_ip", "country", "device_id",
                 "work_queue", "encounter_type", "outcome")


def evidence_events(alert: ProvenanceAlert, *, lake=None) -> list[dict]:
    """The alert's evidence events from the lake, in time order (encounter ids stay keyed)."""
    if not alert.evidence:
        return []
    evidence = list(alert.evidence)

    def compute(con) -> list[dict]:
        events = con.table("access_events")
        keys = ibis.memtable(pa.table({"event_id": pa.array(evidence, pa.string())}))
        frame = events.semi_join(keys, "event_id").select(*EVENT_COLUMNS).order_by(["occurred_at", "event_id"])
        return frame.to_pyarrow().to_pylist()

    if lake is not None:
        return compute(lake.connect())
    from codingwatch.web import lake_cache

    # the thread's connection (rebuilt only on a load), the answer kept for the load generation
    return lake_cache.remember("provenance-evidence", sorted(evidence), lambda: compute(cached_connection()))


def evidence_chart(alert: ProvenanceAlert, events: list[dict]) -> dict | None:
    """The evidence events on a time line, by country and event (a Vega-Lite spec)."""
    import altair as alt

    if not events:
        return None
    values = [{"at": e["occurred_at"].isoformat(), "country": e["country"] or "unknown", "event": e["event"],
               "device": e["device_id"] or ""} for e in events]
    chart = alt.Chart(alt.Data(values=values)).mark_tick(thickness=2).encode(
        x=alt.X("at:T", title="time (UTC)"), y=alt.Y("country:N", title="country"),
        color=alt.Color("event:N", title="event"),
        tooltip=[alt.Tooltip("at:T", format="%Y-%m-%d %H:%M"), "event:N", "country:N", "device:N"],
    ).properties(width=560, height=120, title=f"{alert.login}: the evidence events")
    return chart.to_dict(validate=False)


def alert_organizations() -> Callable[[str | None], int | None]:
    """vendor code -> the organization whose alert it is: the vendor's; for an alert naming no
    vendor on any roster (a login nobody rostered), the only organization when there is one,
    else none (such an alert is listed to no organization: `codingwatch provenance check` shows it)."""
    from codingwatch.web.organizations.models import Organization
    from codingwatch.web.vendors.models import Vendor

    with scopes_disabled():
        by_vendor = dict(Vendor.objects.values_list("code", "organization_id"))
        organizations = list(Organization.objects.values_list("pk", flat=True)[:2])
    only = organizations[0] if len(organizations) == 1 else None
    return lambda vendor: by_vendor.get(vendor or "", only)


def vendor_summary(vendor_code: str | None = None, *, start: dt.date | None = None, end: dt.date | None = None,
                   lake=None, vendors: list[str] | None = None) -> list[dict]:
    """Per vendor: shares of work (charts reached) and of events by country, by verified
    credential (login on the roster with a credential) and by login-sharing status (login
    with a concurrent-session or takeover alert that is not a false positive).

    Work is counted as distinct encounters reached; events as all events.

    The answer is kept for the lake's load generation and everything else it reads (the roster,
    the credentials on file, the open sharing and takeover alerts), so a page asks the lake once
    per load, not once per request."""
    from codingwatch.web.vendors.models import Coder

    with scopes_disabled():
        coders = list(Coder.objects.values_list("login_id", "vendor__code", "credentials"))
    credentials = {login: bool(list(held or ())) for login, _, held in coders}
    flagged = sorted(set(ProvenanceAlert.objects.filter(rule__in=SHARING_RULES).exclude(
        status__in=[ProvenanceAlert.FALSE_POSITIVE, ProvenanceAlert.SUPPRESSED]).values_list("login", flat=True)))
    taken = sorted(set(ProvenanceAlert.objects.filter(rule=TAKEOVER_RULE).exclude(
        status__in=[ProvenanceAlert.FALSE_POSITIVE, ProvenanceAlert.SUPPRESSED]).values_list("login", flat=True)))

    def compute() -> list[dict]:
        return _vendor_summary(vendor_code, start=start, end=end, lake=lake, vendors=vendors,
                               coders=[(login, vendor) for login, vendor, _ in coders],
                               credentials=credentials, flagged=set(flagged), taken=set(taken))

    if lake is not None:
        return compute()
    from codingwatch.web import lake_cache

    return lake_cache.remember("provenance-summary", [vendor_code, start, end, sorted(vendors or []) if vendors
                                                      is not None else None, coders, flagged, taken], compute)


def _vendor_summary(vendor_code, *, start, end, lake, vendors, coders, credentials, flagged, taken) -> list[dict]:
    import pandas as pd

    roster = pd.DataFrame(coders, columns=["login", "vendor"]).drop_duplicates("login")
    if vendors is not None:  # the vendors the asking user may see (their organization's)
        roster = roster[roster.vendor.isin(vendors)]
    # the thread's connection, rebuilt only when a load commits: a new one costs ~0.5 s of views
    events = cached_connection(lake or open_lake()).table("access_events")
    if start is not None:
        events = events.filter(events.occurred_at >= dt.datetime.combine(start, dt.time(), dt.UTC))
    if end is not None:
        events = events.filter(events.occurred_at < dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC))
    logins = roster if vendor_code is None else roster[roster.vendor == vendor_code]
    if logins.empty:
        return []
    keys = ibis.memtable(pa.table({"login": pa.array(list(logins.login), pa.string())}))
    mine = events.semi_join(keys, "login")
    per = mine.group_by(["login", "country"]).aggregate(
        events=mine.count(), charts=mine.encounter_key.nunique()).to_pandas()
    if per.empty:
        return []
    per["country"] = per["country"].fillna("unknown")
    per = per.merge(logins, on="login")
    per["credential"] = per["login"].map(lambda lg: "verified credential" if credentials.get(lg)
                                         else "no credential on file")
    per["sharing"] = per["login"].map(lambda lg: "takeover alert" if lg in taken else
                                      "shared-login alert" if lg in flagged else "no sharing alert")
    out = []
    for vendor, group in per.groupby("vendor", sort=True):
        total_events, total_charts = int(group.events.sum()), int(group.charts.sum())
        section = {"vendor": vendor, "logins": int(group.login.nunique()), "events": total_events,
                   "charts": total_charts}
        for by in ("country", "credential", "sharing"):
            rows = group.groupby(by).agg(events=("events", "sum"), charts=("charts", "sum"),
                                         logins=("login", "nunique")).reset_index()
            section[f"by_{by}"] = [
                {"key": getattr(r, by), "logins": int(r.logins), "events": int(r.events), "charts": int(r.charts),
                 "event_share": round(r.events / total_events, 4) if total_events else 0.0,
                 "chart_share": round(r.charts / total_charts, 4) if total_charts else 0.0}
                for r in rows.sort_values("events", ascending=False).itertuples()]
        out.append(section)
    return out


def summary_chart(section: dict) -> dict:
    from codingwatch.web import lake_cache

    values = [{"country": r["key"], "share": r["chart_share"]} for r in section["by_country"]]
    return lake_cache.chart_spec("provenance-summary", [section["vendor"], values],
                                 lambda: _summary_chart(section, values))


def _summary_chart(section: dict, values: list[dict]) -> dict:
    import altair as alt

    chart = alt.Chart(alt.Data(values=values)).mark_bar(color="#3b6ea5").encode(
        x=alt.X("share:Q", title="share of charts reached", axis=alt.Axis(format="%")),
        y=alt.Y("country:N", sort="-x", title="country"),
        tooltip=["country:N", alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=360, height=max(40, 24 * len(values)), title=f"{section['vendor']}: work by country")
    return chart.to_dict(validate=False)


class ActionError(CodingwatchError, ValueError):
    """A queue action that cannot be done (the message says why)."""


def _locked(alert: ProvenanceAlert) -> ProvenanceAlert:
    """The alert's row as it is now, locked until the transaction ends (call inside atomic()):
    two people acting on one alert at once act one after the other, the second on what the
    first left. (SQLite has no row locks: its transactions begin IMMEDIATE, see settings.py,
    which serializes them the same way.)"""
    return ProvenanceAlert.objects.select_for_update().get(pk=alert.pk)


def _copy_back(alert: ProvenanceAlert, current: ProvenanceAlert, fields: tuple[str, ...]) -> None:
    for name in fields:
        setattr(alert, name, getattr(current, name))


def assign(alert: ProvenanceAlert, assignee) -> ProvenanceAlert:
    from codingwatch.web.accounts import roles

    if assignee is not None and not roles.may_change(assignee.role, "provenance"):
        raise ActionError(f"{assignee.get_username()} ({assignee.role}) does not work the provenance queue")
    with transaction.atomic():
        current = _locked(alert)
        current.assigned_to = assignee
        current.save(update_fields=["assigned_to"])
    _copy_back(alert, current, ("assigned_to",))
    return alert


def comment(alert: ProvenanceAlert, author, text: str):
    from codingwatch.web.provenance.models import AlertComment

    text = (text or "").strip()
    if not text:
        raise ActionError("a comment needs some text")
    return AlertComment.objects.create(alert=alert, author=author, text=text)


def resolve(alert: ProvenanceAlert, user, *, reason: str, false_positive: bool = False,
            country: str = "", device: str = "") -> Suppression | None:
    """Close the alert with a reason. A false positive also writes a suppression rule (login +
    rule, narrowed to `country` and/or `device` when given) that silences matching later alerts."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionError("resolving an alert needs a reason")
    if alert.status in (ProvenanceAlert.RESOLVED, ProvenanceAlert.FALSE_POSITIVE):
        raise ActionError(f"the alert is already {alert.get_status_display()}")
    country, device = (country or "").strip().upper(), (device or "").strip()
    suppression = None
    with transaction.atomic():
        # Checked on the locked row, not on the caller's copy: of two people resolving the same
        # alert at once, the second finds it resolved (and writes no second suppression rule).
        current = _locked(alert)
        if current.status in (ProvenanceAlert.RESOLVED, ProvenanceAlert.FALSE_POSITIVE):
            raise ActionError(f"the alert is already {current.get_status_display()}"
                              + (f" (by {current.resolved_by.get_username()})" if current.resolved_by else ""))
        if country and country not in (current.countries or []):
            raise ActionError(f"country {country!r} is not among the alert's countries "
                              f"({', '.join(current.countries) or 'none'})")
        if device and device not in (current.devices or []):
            raise ActionError(f"device {device!r} is not among the alert's devices "
                              f"({', '.join(current.devices) or 'none'})")
        if false_positive:
            suppression = Suppression.objects.create(rule=current.rule, login=current.login, country=country,
                                                      device=device, reason=reason, created_by=user,
                                                      source_alert=current, organization_id=current.organization_id)
        current.status = ProvenanceAlert.FALSE_POSITIVE if false_positive else ProvenanceAlert.RESOLVED
        current.resolution, current.resolved_by, current.resolved_at = reason, user, timezone.now()
        current.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    _copy_back(alert, current, ("status", "resolution", "resolved_by", "resolved_at"))
    return suppression

"""Declared vs observed: what a vendor said about its work beside what the lake shows.

A vendor declares, for a period, the countries its people work from, the coders it names
(with their credentials), the accuracy it claims, its subcontractors and whether it works
only through the client's virtual desktop (VDI). codingwatch observes in the same period:
the countries of the access events of the vendor's logins, the logins that coded the
vendor's encounters, the credentials on file for them, the audited accuracy with its limits,
and export/print/download events. Each disagreement is a discrepancy with its evidence
(event ids, encounter keys, logins), which the scorecard lists as a finding.

The vendor's logins are its roster's logins and every coder id on its encounters in the
period, so a login that codes the vendor's charts but is on no roster is still seen.
Engines only: ibis tables in, plain dicts out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import ibis
import pyarrow as pa

from codingwatch.reports import format as fmt

LOCAL_PHI_EVENTS = ("export", "print", "download")
EVIDENCE_LIMIT = 50  # evidence ids kept per discrepancy (the count is always whole)

KINDS = {
    "undeclared_country": "Work from a country not declared",
    "login_not_on_roster": "Login coding the vendor's charts is not on the roster",
    "login_not_declared": "Login not among the coders the vendor named",
    "credential_not_on_file": "Declared credential not on file",
    "accuracy_below_claim": "Audited accuracy below the accuracy claimed",
    "export_under_vdi": "Export, print or download though the vendor declared VDI only",
}


@dataclass(frozen=True)
class Declaration:
    vendor: str
    period_start: dt.date
    period_end: dt.date
    work_countries: tuple[str, ...] = ()
    coders: dict[str, tuple[str, ...]] = field(default_factory=dict)  # login -> declared credentials
    claimed_accuracy: Decimal | None = None  # percent
    subcontractors: tuple[str, ...] = ()
    vdi_only: bool = False


@dataclass(frozen=True)
class Accuracy:
    """Audited accuracy over the period (percent) with its confidence limits."""

    value: float
    lower: float
    upper: float
    charts: int
    confidence: float = 0.95
    method: str = "record"


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(start, dt.time(), dt.UTC),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC))


def observe(declaration: Declaration, *, encounters: ibis.Table, access_events: ibis.Table,
            roster: dict[str, tuple[str, ...]], accuracy: Accuracy | None = None) -> dict:
    """What the lake shows for the declared period.

    `roster`: the vendor's rostered logins -> the credentials on file for each."""
    lo, hi = _bounds(declaration.period_start, declaration.period_end)
    enc = encounters.filter(encounters.origin == "coded", encounters.vendor == declaration.vendor,
                            encounters.coded_at >= lo, encounters.coded_at < hi)
    by_login = enc.group_by(login=enc.coder_id).aggregate(charts=enc.count(),
                                                         first=enc.encounter_key.min()).to_pyarrow().to_pylist()
    coding = {r["login"]: r for r in by_login if r["login"]}
    logins = sorted(set(roster) | set(coding))
    countries: list[dict] = []
    exports: list[dict] = []
    if logins:
        keys = ibis.memtable(pa.table({"login": pa.array(logins, pa.string())}))
        ev = access_events.filter(access_events.occurred_at >= lo, access_events.occurred_at < hi)
        ev = ev.semi_join(keys, "login")
        country = ibis.coalesce(ev.country.nullif(""), ibis.literal("unknown"))
        ev = ev.mutate(country_name=country)
        countries = ev.group_by(country=ev.country_name).aggregate(
            events=ev.count(), logins=ev.login.nunique(), charts=ev.encounter_key.nunique(),
            first_event=ev.event_id.min()).order_by(ibis.desc("events")).to_pyarrow().to_pylist()
        local = ev.filter(ev.event.isin(LOCAL_PHI_EVENTS))
        exports = local.select("event_id", "occurred_at", "login", "event", "country_name", "encounter_key").order_by(
            ["occurred_at", "event_id"]).to_pyarrow().to_pylist()
    return {
        "countries": countries,
        "coding_logins": [{"login": k, "charts": int(v["charts"]), "on_roster": k in roster,
                           "declared": k in declaration.coders,
                           "credentials_on_file": list(roster.get(k, ()))} for k, v in sorted(coding.items())],
        "exports": exports,
        "accuracy": None if accuracy is None else accuracy.__dict__,
        "charts": int(sum(int(v["charts"]) for v in coding.values())),
        "_coding": coding,
    }


def _country_events(access_events: ibis.Table, logins: list[str], country: str, lo, hi) -> list[str]:
    keys = ibis.memtable(pa.table({"login": pa.array(logins, pa.string())}))
    ev = access_events.filter(access_events.occurred_at >= lo, access_events.occurred_at < hi).semi_join(keys, "login")
    c = ibis.coalesce(ev.country.nullif(""), ibis.literal("unknown"))
    ev = ev.filter(c == country).order_by(["occurred_at", "event_id"]).select("event_id").limit(EVIDENCE_LIMIT)
    return [r["event_id"] for r in ev.to_pyarrow().to_pylist()]


def compare(declaration: Declaration, *, encounters: ibis.Table, access_events: ibis.Table,
            roster: dict[str, tuple[str, ...]], accuracy: Accuracy | None = None) -> dict:
    """Declared beside observed, and the discrepancies, each with its evidence."""
    seen = observe(declaration, encounters=encounters, access_events=access_events, roster=roster,
                   accuracy=accuracy)
    coding = seen.pop("_coding")
    lo, hi = _bounds(declaration.period_start, declaration.period_end)
    declared_countries = {c.upper() for c in declaration.work_countries}
    logins = sorted(set(roster) | set(coding))
    found: list[dict] = []
    for row in seen["countries"]:
        country = row["country"]
        if country in declared_countries or country == "unknown":
            continue
        found.append({"kind": "undeclared_country", "subject": country,
                      "detail": f"{fmt.count(row['events'])} access events on {fmt.count(row['charts'])} charts by {row['logins']} "
                                f"login{'s' if row['logins'] != 1 else ''} from {country}, declared "
                                f"{', '.join(sorted(declared_countries)) or 'no country'}",
                      "evidence_type": "access_events",
                      "evidence": _country_events(access_events, logins, country, lo, hi)})
    for login, row in sorted(coding.items()):
        if login not in roster:
            found.append({"kind": "login_not_on_roster", "subject": login,
                          "detail": f"{login} coded {fmt.count(row['charts'])} of the vendor's charts and is on no roster",
                          "evidence_type": "encounters", "evidence": [row["first"]]})
        if declaration.coders and login not in declaration.coders:
            found.append({"kind": "login_not_declared", "subject": login,
                          "detail": f"{login} coded {fmt.count(row['charts'])} charts but is not among the "
                                    f"{len(declaration.coders)} coders the vendor named",
                          "evidence_type": "encounters", "evidence": [row["first"]]})
    for login, credentials in sorted(declaration.coders.items()):
        on_file = set(roster.get(login, ()))
        missing = [c for c in credentials if c not in on_file]
        if missing:
            found.append({"kind": "credential_not_on_file", "subject": login,
                          "detail": f"{login}: declared {', '.join(missing)}, on file "
                                    f"{', '.join(sorted(on_file)) or 'nothing'}",
                          "evidence_type": "roster", "evidence": [login]})
    if declaration.claimed_accuracy is not None and accuracy is not None:
        claimed = float(declaration.claimed_accuracy)
        if accuracy.upper < claimed:
            found.append({"kind": "accuracy_below_claim", "subject": f"{claimed:g}%",
                          "detail": f"claimed {claimed:g}%, audited {accuracy.value:.1f}% ({accuracy.method}) with "
                                    f"{accuracy.confidence:.0%} limits {accuracy.lower:.1f}-{accuracy.upper:.1f}% "
                                    f"over {accuracy.charts} charts: the upper limit is below the claim",
                          "evidence_type": "audits", "evidence": []})
    if declaration.vdi_only and seen["exports"]:
        ex = seen["exports"]
        found.append({"kind": "export_under_vdi", "subject": f"{len(ex)} events",
                      "detail": f"{len(ex)} export/print/download event{'s' if len(ex) != 1 else ''} by "
                                f"{len({e['login'] for e in ex})} login(s) though the vendor declared VDI only",
                      "evidence_type": "access_events", "evidence": [e["event_id"] for e in ex[:EVIDENCE_LIMIT]]})
    for d in found:
        d["label"] = KINDS[d["kind"]]
    return {
        "vendor": declaration.vendor,
        "period": [declaration.period_start.isoformat(), declaration.period_end.isoformat()],
        "declared": {"work_countries": sorted(declared_countries),
                     "coders": {k: list(v) for k, v in sorted(declaration.coders.items())},
                     "claimed_accuracy": None if declaration.claimed_accuracy is None
                     else str(declaration.claimed_accuracy),
                     "subcontractors": list(declaration.subcontractors), "vdi_only": declaration.vdi_only},
        "observed": seen,
        "discrepancies": found,
    }

"""Vendor due diligence: a criteria catalogue scored on dated evidence, and the alerts it raises.

Plain Python, no Django: the web app passes in the organization's catalogue, a vendor's
evidence documents and what was observed (access events, the roster), and gets back a
score with the evidence behind each point.

Scoring. Each criterion has a weight and a rule:

- `document`: met when a document of one of its kinds is valid on the day (issued, not expired);
- `minimum`: as `document`, and the document's amount is at least the criterion's minimum
  (cyber insurance limit);
- `observed`: met when none of the named discrepancy kinds was observed (declared vs
  observed: "undisclosed offshore work");
- `rating`: a reviewer's rating from 0 to 5 (references, specialty coverage), points pro rata.

A met criterion earns its weight, a rating earns weight x rating / 5; the score is points over
the sum of weights, in percent. A criterion marked `disqualifier` that is not met disqualifies
the vendor whatever its score (no BAA; no SOC 2 Type II or HITRUST; undisclosed offshore work).
A criterion with no evidence at all is "not met" (and says so), never assumed.

When a document gives no expiry date, its validity comes from its kind (VALIDITY below): these
are common practice, not law, and an organization sets its own expiry on each document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from codingwatch.reports import format as fmt

# kind -> label
DOCUMENT_KINDS: dict[str, str] = {
    "baa": "Business associate agreement (BAA)",
    "soc2_type2": "SOC 2 Type II report",
    "hitrust": "HITRUST certificate",
    "iso27001": "ISO/IEC 27001 certificate",
    "pentest": "Penetration test",
    "cyber_insurance": "Cyber insurance certificate",
    "background_checks": "Background checks",
    "exclusion_screening": "OIG LEIE / SAM exclusion screening",
    "hipaa_training": "Annual HIPAA training",
}

# kind -> (days a document stays valid when it names no expiry, counted from what, why)
VALIDITY: dict[str, tuple[int | None, str, str]] = {
    "baa": (None, "issued", "a BAA lasts as long as the contract"),
    "soc2_type2": (365, "period_end", "a Type II report is relied on for 12 months after its period ends"),
    "hitrust": (730, "issued", "HITRUST r2 certification is valid for two years"),
    "iso27001": (1095, "issued", "an ISO/IEC 27001 certificate runs three years"),
    "pentest": (365, "issued", "an independent penetration test at least yearly"),
    "cyber_insurance": (365, "issued", "a policy year"),
    "background_checks": (365, "issued", "re-screened yearly"),
    "exclusion_screening": (31, "issued", "OIG advises checking the LEIE monthly"),
    "hipaa_training": (365, "issued", "annual HIPAA training"),
}

RULES = ("document", "minimum", "observed", "rating")
EXPIRING_DAYS = 60  # a valid document that lapses within this many days is "expiring"


class DiligenceError(ValueError):
    """A criterion or document that cannot be scored, with the reason."""


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    weight: Decimal
    rule: str = "document"
    kinds: tuple[str, ...] = ()
    disqualifier: bool = False
    minimum: Decimal | None = None
    discrepancies: tuple[str, ...] = ()  # for `observed`: the discrepancy kinds that fail it

    def __post_init__(self):
        if self.rule not in RULES:
            raise DiligenceError(f"criterion {self.key}: rule {self.rule!r} is not one of {', '.join(RULES)}")
        if Decimal(self.weight) < 0:
            raise DiligenceError(f"criterion {self.key}: weight {self.weight} is negative")
        unknown = [k for k in self.kinds if k not in DOCUMENT_KINDS]
        if unknown:
            raise DiligenceError(f"criterion {self.key}: unknown document kind {', '.join(unknown)}")
        if self.rule in ("document", "minimum") and not self.kinds:
            raise DiligenceError(f"criterion {self.key}: a {self.rule} criterion names its document kinds")
        if self.rule == "minimum" and self.minimum is None:
            raise DiligenceError(f"criterion {self.key}: a minimum criterion needs its minimum")


# The catalogue an organization starts from (its own rows replace it in the app).
DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("baa", "BAA signed", Decimal(15), "document", ("baa",), disqualifier=True),
    Criterion("security_assessment", "SOC 2 Type II or HITRUST, current", Decimal(15), "document",
              ("soc2_type2", "hitrust"), disqualifier=True),
    Criterion("offshore_disclosed", "No undisclosed offshore work", Decimal(15), "observed",
              disqualifier=True, discrepancies=("undeclared_country",)),
    Criterion("pentest", "Penetration test in the last 12 months", Decimal(10), "document", ("pentest",)),
    Criterion("cyber_insurance", "Cyber insurance of at least $5,000,000", Decimal(10), "minimum",
              ("cyber_insurance",), minimum=Decimal(5_000_000)),
    Criterion("background_checks", "Background checks on every coder", Decimal(10), "document",
              ("background_checks",)),
    Criterion("exclusion_screening", "OIG LEIE / SAM exclusion screening, monthly", Decimal(10), "document",
              ("exclusion_screening",)),
    Criterion("hipaa_training", "Annual HIPAA training", Decimal(5), "document", ("hipaa_training",)),
    Criterion("roster_honest", "Every login on the roster", Decimal(5), "observed",
              discrepancies=("login_not_on_roster",)),
    Criterion("references", "References in the same specialty mix", Decimal(5), "rating"),
)


@dataclass(frozen=True)
class Document:
    """One evidence document: what it is, its dates, and the stored file's SHA-256."""

    id: str
    kind: str
    title: str = ""
    issued: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    expires: dt.date | None = None
    amount: Decimal | None = None
    sha256: str = ""

    def expiry(self) -> dt.date | None:
        """The stated expiry, else the kind's usual validity from its start; None: no expiry."""
        if self.expires is not None:
            return self.expires
        days, since, _ = VALIDITY.get(self.kind, (None, "issued", ""))
        start = self.period_end if since == "period_end" else self.issued
        if days is None or start is None:
            return None
        return start + dt.timedelta(days=days)

    def state(self, on: dt.date) -> str:
        """'valid', 'expiring' (lapses within EXPIRING_DAYS), 'expired' or 'not yet in force'."""
        start = self.issued or self.period_start
        if start is not None and start > on:
            return "not yet in force"
        end = self.expiry()
        if end is not None and end < on:
            return "expired"
        if end is not None and (end - on).days <= EXPIRING_DAYS:
            return "expiring"
        return "valid"

    def as_dict(self, on: dt.date) -> dict:
        end = self.expiry()
        return {"id": self.id, "kind": self.kind, "label": DOCUMENT_KINDS.get(self.kind, self.kind),
                "title": self.title, "issued": _iso(self.issued), "period_start": _iso(self.period_start),
                "period_end": _iso(self.period_end), "expires": _iso(end),
                "expiry_stated": self.expires is not None,
                "amount": None if self.amount is None else str(self.amount), "sha256": self.sha256,
                "state": self.state(on)}


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class Point:
    """One criterion's outcome for one vendor, with the evidence behind it."""

    criterion: Criterion
    met: bool
    points: Decimal
    reason: str
    evidence: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        c = self.criterion
        return {"key": c.key, "label": c.label, "weight": str(c.weight), "rule": c.rule,
                "disqualifier": c.disqualifier, "met": self.met, "points": str(self.points),
                "reason": self.reason, "evidence": self.evidence}


@dataclass
class VendorScore:
    vendor: str
    on: dt.date
    points: list[Point]

    @property
    def total_weight(self) -> Decimal:
        return sum((p.criterion.weight for p in self.points), Decimal(0))

    @property
    def earned(self) -> Decimal:
        return sum((p.points for p in self.points), Decimal(0))

    @property
    def score(self) -> Decimal | None:
        if not self.total_weight:
            return None
        return (self.earned * 100 / self.total_weight).quantize(Decimal("0.1"))

    @property
    def disqualified_by(self) -> list[str]:
        return [p.criterion.label for p in self.points if p.criterion.disqualifier and not p.met]

    def as_dict(self) -> dict:
        return {"vendor": self.vendor, "on": self.on.isoformat(),
                "score": None if self.score is None else str(self.score),
                "earned": str(self.earned), "total_weight": str(self.total_weight),
                "disqualified": bool(self.disqualified_by), "disqualified_by": self.disqualified_by,
                "points": [p.as_dict() for p in self.points]}


def _best(documents: list[Document], kinds: tuple[str, ...], on: dt.date) -> tuple[Document | None, list[Document]]:
    """The valid (or expiring) document of these kinds that lasts longest, and every one of them."""
    mine = [d for d in documents if d.kind in kinds]
    valid = [d for d in mine if d.state(on) in ("valid", "expiring")]
    valid.sort(key=lambda d: (d.expiry() or dt.date.max, d.id), reverse=True)
    return (valid[0] if valid else None), mine


def score_vendor(vendor: str, criteria: tuple[Criterion, ...] | list[Criterion], documents: list[Document], *,
                 on: dt.date, discrepancies: list[dict] | None = None,
                 ratings: dict[str, int | float] | None = None) -> VendorScore:
    """Score one vendor on the day `on`.

    `discrepancies` are declared-vs-observed findings (dicts with at least `kind` and `detail`);
    `ratings` maps a rating criterion's key to the reviewer's 0-5."""
    discrepancies = list(discrepancies or [])
    ratings = dict(ratings or {})
    points = []
    for c in criteria:
        weight = Decimal(c.weight)
        if c.rule in ("document", "minimum"):
            best, mine = _best(documents, c.kinds, on)
            evidence = [d.as_dict(on) for d in mine]
            names = " or ".join(DOCUMENT_KINDS[k] for k in c.kinds)
            if best is None:
                reason = (f"no {names} on file" if not mine else
                          f"no current {names}: " + ", ".join(f"{d.title or d.kind} {d.state(on)}" for d in mine))
                points.append(Point(c, False, Decimal(0), reason, evidence))
                continue
            if c.rule == "minimum" and (best.amount is None or best.amount < c.minimum):
                amounts = [d for d in mine if d.state(on) in ("valid", "expiring") and d.amount is not None]
                top = max(amounts, key=lambda d: d.amount, default=None)
                if top is None or top.amount < c.minimum:
                    shown = "no amount stated" if top is None else fmt.money(top.amount, cents=False)
                    points.append(Point(c, False, Decimal(0), f"{shown}, below the {fmt.money(c.minimum, cents=False)} minimum",
                                        evidence))
                    continue
                best = top
            until = best.expiry()
            reason = f"{best.title or DOCUMENT_KINDS[best.kind]}, " + (
                f"valid until {until.isoformat()}" if until else "no expiry")
            if c.rule == "minimum":
                reason += f", {fmt.money(best.amount, cents=False)}"
            points.append(Point(c, True, weight, reason, evidence))
        elif c.rule == "observed":
            hits = [d for d in discrepancies if d.get("kind") in c.discrepancies]
            if hits:
                points.append(Point(c, False, Decimal(0), "; ".join(d.get("detail", d["kind"]) for d in hits), hits))
            else:
                points.append(Point(c, True, weight, "nothing of the kind observed", []))
        else:  # rating
            if c.key not in ratings or ratings[c.key] is None:
                points.append(Point(c, False, Decimal(0), "not rated", []))
                continue
            value = Decimal(str(ratings[c.key]))
            if not (0 <= value <= 5):
                raise DiligenceError(f"criterion {c.key}: rating {value} is not between 0 and 5")
            earned = (weight * value / 5).quantize(Decimal("0.01"))
            points.append(Point(c, value >= 3, earned, f"rated {value} of 5", [{"rating": str(value)}]))
    return VendorScore(vendor, on, points)


# ---- alerts -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alert:
    rule: str  # expired_document | phi_before_baa | coder_after_end
    vendor: str
    detail: str
    on: dt.date | None = None  # the day it concerns (expiry, first access, first work after the end)
    subject: str = ""  # document id, login
    evidence: tuple[str, ...] = ()  # event ids, encounter keys, document ids

    def as_dict(self) -> dict:
        return {"rule": self.rule, "label": ALERT_RULES[self.rule], "vendor": self.vendor, "detail": self.detail,
                "on": _iso(self.on), "subject": self.subject, "evidence": list(self.evidence)}


ALERT_RULES = {
    "expired_document": "Evidence document expired",
    "phi_before_baa": "PHI accessed before the BAA was signed",
    "coder_after_end": "Coder working after their credential or roster end date",
}


def expired_documents(vendor: str, documents: list[Document], on: dt.date) -> list[Alert]:
    """One alert per kind whose every document has expired (a newer valid one clears it)."""
    out = []
    for kind in sorted({d.kind for d in documents}):
        mine = [d for d in documents if d.kind == kind]
        if any(d.state(on) in ("valid", "expiring", "not yet in force") for d in mine):
            continue
        last = max(mine, key=lambda d: d.expiry() or dt.date.min)
        until = last.expiry()
        out.append(Alert("expired_document", vendor,
                         f"{DOCUMENT_KINDS.get(kind, kind)} expired on {until.isoformat()}"
                         + (f" ({last.title})" if last.title else ""), until, last.id, (last.id,)))
    return out


def phi_before_baa(vendor: str, baa_date: dt.date | None, events: list[dict]) -> list[Alert]:
    """Access events by the vendor's logins before the BAA date (or any, with no BAA at all).

    `events`: dicts with event_id, occurred_at (datetime), login, encounter_key."""
    early = [e for e in events if baa_date is None or e["occurred_at"].date() < baa_date]
    if not early:
        return []
    early.sort(key=lambda e: (e["occurred_at"], e["event_id"]))
    charts = len({e.get("encounter_key") for e in early if e.get("encounter_key")})
    logins = sorted({e["login"] for e in early})
    when = "with no BAA on file" if baa_date is None else f"before the BAA signed {baa_date.isoformat()}"
    return [Alert("phi_before_baa", vendor,
                  f"{len(early)} access event{'s' if len(early) != 1 else ''} on {charts} chart"
                  f"{'s' if charts != 1 else ''} by {len(logins)} login{'s' if len(logins) != 1 else ''} {when}, "
                  f"the first on {early[0]['occurred_at'].date().isoformat()}",
                  early[0]["occurred_at"].date(), ", ".join(logins[:5]),
                  tuple(e["event_id"] for e in early[:50]))]


@dataclass(frozen=True)
class RosterEntry:
    login: str
    vendor: str
    end_date: dt.date | None = None  # off the roster after this day
    credential_expires: dt.date | None = None  # the latest expiry among the credentials on file
    credentials_on_file: bool = True


def coders_after_end(roster: list[RosterEntry], work: list[dict]) -> list[Alert]:
    """Coded charts by a login after its roster end date or after its last credential expired.

    `work`: dicts with login, at (datetime or date), encounter_key."""
    by_login: dict[str, list[dict]] = {}
    for w in work:
        by_login.setdefault(w["login"], []).append(w)
    out = []
    for entry in roster:
        for limit, what in ((entry.end_date, "roster end date"), (entry.credential_expires, "credential expiry")):
            if limit is None:
                continue
            late = sorted((w for w in by_login.get(entry.login, []) if _day(w["at"]) > limit),
                          key=lambda w: (_day(w["at"]), w.get("encounter_key", "")))
            if late:
                out.append(Alert("coder_after_end", entry.vendor,
                                 f"{entry.login} coded {len(late)} chart{'s' if len(late) != 1 else ''} after their "
                                 f"{what} ({limit.isoformat()}), the first on {_day(late[0]['at']).isoformat()}",
                                 _day(late[0]["at"]), entry.login,
                                 tuple(w.get("encounter_key", "") for w in late[:50])))
    return out


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def expiring(documents: list[Document], on: dt.date) -> list[dict]:
    """Documents expired or lapsing within EXPIRING_DAYS, soonest first (for the quarterly review)."""
    rows = [d.as_dict(on) for d in documents if d.state(on) in ("expired", "expiring")]
    return sorted(rows, key=lambda r: (r["expires"] or "", r["id"]))

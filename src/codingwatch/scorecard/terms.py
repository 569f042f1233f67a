"""Contract terms as data, each with its effective dates, and the terms in force in a month.

A contract's measurable terms (domain.md, "KPIs and contract terms"):

- accuracy SLA per specialty, with the counting rule it is measured by: `code_over_code`
  (the auditor's codes the denominator), `record` (a chart is correct only if nothing on it
  changed) or `drg` (the share of inpatient charts whose MS-DRG did not change);
- turnaround per encounter type and priority (standard / complex / urgent) as "P% within H
  hours" from received to coded;
- the coding DNFB commitment in days, the coding-denial rate ceiling, the query response
  time ("P% answered within H hours"), and the minimum audited charts before a month is
  judged on accuracy;
- the credit schedule: x% of the month's invoice per point below the accuracy SLA, capped at
  y%; a fixed credit per turnaround breach day; coding denials reworked at the vendor's cost.

Every term carries `effective_from` and `effective_to` (inclusive; None: open). A month is
judged under the terms in force on its first day, so an amendment effective from a month's
first day governs that month and the months after it; an amendment dated mid-month governs
from the next month on (the vendor started the month under the old terms).

`load_yaml(path)` reads the YAML layout documented in docs/scorecard.md; every problem names
the file, line, field and reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

from codingwatch.vocabulary import ENCOUNTER_TYPES

COUNTING_RULES = ("code_over_code", "record", "drg")
COUNTING_RULE_LABELS = {"code_over_code": "code-over-code", "record": "record (chart)", "drg": "DRG (financial)"}
PRIORITIES = ("standard", "complex", "urgent")
PRICING = ("per_chart", "per_hour")


class TermsError(ValueError):
    """Contract terms that cannot be used; the message names file, line, field and reason."""


@dataclass(frozen=True)
class Effective:
    effective_from: dt.date
    effective_to: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class AccuracyTerm(Effective):
    specialty: str = ""  # the organization's canonical specialty name
    rule: str = "code_over_code"
    minimum: Decimal = Decimal("95")  # percent


@dataclass(frozen=True)
class TurnaroundTerm(Effective):
    encounter_type: str = "inpatient"
    priority: str = "standard"
    percent: Decimal = Decimal("100")  # P% of charts ...
    hours: Decimal = Decimal("72")  # ... coded within H hours of being received


@dataclass(frozen=True)
class ServiceTerms(Effective):
    min_charts: int = 30  # audited charts before a month is judged on accuracy
    dnfb_days: Decimal | None = None  # coding DNFB days at most
    coding_denial_rate: Decimal | None = None  # percent of remitted claims, at most
    query_percent: Decimal | None = None  # P% of queries ...
    query_hours: Decimal | None = None  # ... answered within H hours


@dataclass(frozen=True)
class CreditTerms(Effective):
    accuracy_percent_per_point: Decimal = Decimal("0")  # % of the month's invoice per point below
    accuracy_cap_percent: Decimal = Decimal("0")  # at most this % of the invoice
    turnaround_breach_day: Decimal = Decimal("0")  # dollars per day a turnaround SLA was missed
    rework_coding_denials: bool = False  # coding denials reworked at the vendor's cost
    rework_cost_per_denial: Decimal | None = None  # dollars per coding denial reworked


@dataclass(frozen=True)
class MonthTerms:
    """The terms in force in one month (on its first day)."""

    month: dt.date
    accuracy: tuple[AccuracyTerm, ...]
    turnaround: tuple[TurnaroundTerm, ...]
    service: ServiceTerms | None
    credits: CreditTerms | None
    pricing: str
    price: Decimal


@dataclass(frozen=True)
class ContractTerms:
    vendor: str  # the lake's vendor value
    start_date: dt.date
    end_date: dt.date | None = None
    pricing: str = "per_chart"
    price: Decimal = Decimal("0")
    accuracy: tuple[AccuracyTerm, ...] = ()
    turnaround: tuple[TurnaroundTerm, ...] = ()
    service: tuple[ServiceTerms, ...] = ()
    credits: tuple[CreditTerms, ...] = ()
    confidence: str = "95"

    def in_force(self, month: dt.date) -> MonthTerms | None:
        """The terms in force on the first day of `month`; None outside the contract."""
        first = month.replace(day=1)
        if first < self.start_date.replace(day=1) or (self.end_date is not None and first > self.end_date):
            return None

        def one(terms):
            live = [t for t in terms if t.covers(first)]
            return max(live, key=lambda t: t.effective_from) if live else None

        return MonthTerms(
            month=first,
            accuracy=tuple(t for t in self.accuracy if t.covers(first)),
            turnaround=tuple(t for t in self.turnaround if t.covers(first)),
            service=one(self.service),
            credits=one(self.credits),
            pricing=self.pricing,
            price=self.price,
        )

    def amendments(self) -> list[dt.date]:
        """The dates on which any term changes after the contract starts."""
        days = {t.effective_from for group in (self.accuracy, self.turnaround, self.service, self.credits)
                for t in group}
        days |= {t.effective_to + dt.timedelta(days=1) for group in (self.accuracy, self.turnaround, self.service,
                                                                     self.credits) for t in group if t.effective_to}
        return sorted(d for d in days if d > self.start_date)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of the months from `first` to `last`, inclusive."""
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=1) + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


# ---- the YAML layout ------------------------------------------------------------------------


class _Where:
    def __init__(self, source: str, lines: dict, path: str) -> None:
        self.source, self.lines, self.path = source, lines, path

    def error(self, key: str, reason: str) -> TermsError:
        line = self.lines.get(key, self.lines.get("__self__"))
        at = f" line {line}" if line else ""
        name = f"{self.path}.{key}" if self.path else key
        return TermsError(f"{self.source}{at}, field {name}: {reason}")


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def mapping(loader, node):
        loader.flatten_mapping(node)
        out = _Mapping()
        out.lines = {"__self__": node.start_mark.line + 1}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            out[key] = loader.construct_object(value_node, deep=True)
            out.lines[key] = key_node.start_mark.line + 1
        return out

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    return Loader


class _Mapping(dict):
    lines: dict


def _date(where: _Where, data: dict, key: str, required: bool = True) -> dt.date | None:
    value = data.get(key)
    if value is None:
        if required:
            raise where.error(key, "is required (a date, e.g. 2025-10-01)")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise where.error(key, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _decimal(where: _Where, data: dict, key: str, *, required: bool = False, low: Decimal | None = None,
             high: Decimal | None = None) -> Decimal | None:
    value = data.get(key)
    if value is None:
        if required:
            raise where.error(key, "is required")
        return None
    if isinstance(value, bool):
        raise where.error(key, f"{value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise where.error(key, f"{value!r} is not a number") from None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise where.error(key, f"{value} must be {bounds}")
    return number


def _choice(where: _Where, data: dict, key: str, choices, default: str | None = None) -> str:
    value = data.get(key, default)
    if value not in choices:
        raise where.error(key, f"{value!r} is not one of {', '.join(choices)}")
    return value


def _list(where: _Where, data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise where.error(key, "must be a list")
    return value


def _child(where: _Where, value, path: str) -> _Where:
    if not isinstance(value, dict):
        raise TermsError(f"{where.source}, field {path}: must be a mapping of fields")
    return _Where(where.source, getattr(value, "lines", {}), path)


def _known(where: _Where, data: dict, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise where.error(str(key), f"unknown field (expected one of {', '.join(sorted(allowed))})")


def parse_terms(data, source: str = "<terms>", canonical=lambda kind, name: name) -> list[ContractTerms]:
    """Contract terms from the YAML layout's data (`contracts: [...]`); `canonical(kind, name)`
    turns a specialty into the organization's canonical name."""
    top = _Where(source, getattr(data, "lines", {}), "")
    if not isinstance(data, dict) or "contracts" not in data:
        raise TermsError(f"{source}: the file must hold a mapping with a `contracts` list")
    _known(top, data, {"contracts"})
    out = []
    for ci, raw in enumerate(_list(top, data, "contracts")):
        cw = _child(top, raw, f"contracts[{ci}]")
        _known(cw, raw, {"vendor", "start_date", "end_date", "pricing", "price", "confidence", "periods"})
        vendor = raw.get("vendor")
        if not vendor or not isinstance(vendor, str):
            raise cw.error("vendor", "is required (the vendor's code or name)")
        start = _date(cw, raw, "start_date")
        end = _date(cw, raw, "end_date", required=False)
        if end is not None and end < start:
            raise cw.error("end_date", f"{end} is before start_date {start}")
        contract = ContractTerms(
            vendor=vendor, start_date=start, end_date=end,
            pricing=_choice(cw, raw, "pricing", PRICING, "per_chart"),
            price=_decimal(cw, raw, "price", low=Decimal(0)) or Decimal(0),
            confidence=_choice(cw, raw, "confidence", ("80", "90", "95"), "95"),
        )
        accuracy, turnaround, service, credits = [], [], [], []
        periods = _list(cw, raw, "periods")
        if not periods:
            raise cw.error("periods", "needs at least one period of terms")
        for pi, period in enumerate(periods):
            pw = _child(cw, period, f"{cw.path}.periods[{pi}]")
            _known(pw, period, {"effective_from", "effective_to", "accuracy", "turnaround", "dnfb_days",
                                "coding_denial_rate", "query_response", "min_charts", "credits"})
            eff = Effective(_date(pw, period, "effective_from"), _date(pw, period, "effective_to", required=False))
            if eff.effective_to is not None and eff.effective_to < eff.effective_from:
                raise pw.error("effective_to", f"{eff.effective_to} is before effective_from {eff.effective_from}")
            if eff.effective_from < start:
                raise pw.error("effective_from", f"{eff.effective_from} is before the contract starts ({start})")
            for ai, term in enumerate(_list(pw, period, "accuracy")):
                aw = _child(pw, term, f"{pw.path}.accuracy[{ai}]")
                _known(aw, term, {"specialty", "rule", "minimum"})
                specialty = term.get("specialty")
                if not specialty or not isinstance(specialty, str):
                    raise aw.error("specialty", "is required (the organization's specialty name)")
                accuracy.append(AccuracyTerm(
                    eff.effective_from, eff.effective_to, specialty=canonical("specialty", specialty) or specialty,
                    rule=_choice(aw, term, "rule", COUNTING_RULES, "code_over_code"),
                    minimum=_decimal(aw, term, "minimum", required=True, low=Decimal(0), high=Decimal(100))))
            for ti, term in enumerate(_list(pw, period, "turnaround")):
                tw = _child(pw, term, f"{pw.path}.turnaround[{ti}]")
                _known(tw, term, {"encounter_type", "priority", "percent", "hours"})
                turnaround.append(TurnaroundTerm(
                    eff.effective_from, eff.effective_to,
                    encounter_type=_choice(tw, term, "encounter_type", ENCOUNTER_TYPES),
                    priority=_choice(tw, term, "priority", PRIORITIES, "standard"),
                    percent=_decimal(tw, term, "percent", required=True, low=Decimal(0), high=Decimal(100)),
                    hours=_decimal(tw, term, "hours", required=True, low=Decimal("0.1"))))
            query = period.get("query_response") or {}
            qw = _child(pw, query, f"{pw.path}.query_response")
            _known(qw, query, {"percent", "hours"})
            min_charts = period.get("min_charts", 30)
            if isinstance(min_charts, bool) or not isinstance(min_charts, int) or min_charts < 2:
                raise pw.error("min_charts", f"{min_charts!r} must be a whole number of charts, at least 2")
            service.append(ServiceTerms(
                eff.effective_from, eff.effective_to, min_charts=min_charts,
                dnfb_days=_decimal(pw, period, "dnfb_days", low=Decimal(0)),
                coding_denial_rate=_decimal(pw, period, "coding_denial_rate", low=Decimal(0), high=Decimal(100)),
                query_percent=_decimal(qw, query, "percent", low=Decimal(0), high=Decimal(100)),
                query_hours=_decimal(qw, query, "hours", low=Decimal("0.1"))))
            if (service[-1].query_percent is None) != (service[-1].query_hours is None):
                raise qw.error("hours", "a query response term needs both percent and hours")
            if "credits" in period:
                credit = period["credits"] or {}
                kw = _child(pw, credit, f"{pw.path}.credits")
                _known(kw, credit, {"accuracy_percent_per_point", "accuracy_cap_percent", "turnaround_breach_day",
                                    "rework_coding_denials", "rework_cost_per_denial"})
                rework = credit.get("rework_coding_denials", False)
                if not isinstance(rework, bool):
                    raise kw.error("rework_coding_denials", f"{rework!r} must be true or false")
                credits.append(CreditTerms(
                    eff.effective_from, eff.effective_to,
                    accuracy_percent_per_point=_decimal(kw, credit, "accuracy_percent_per_point", low=Decimal(0),
                                                        high=Decimal(100)) or Decimal(0),
                    accuracy_cap_percent=_decimal(kw, credit, "accuracy_cap_percent", low=Decimal(0),
                                                  high=Decimal(100)) or Decimal(0),
                    turnaround_breach_day=_decimal(kw, credit, "turnaround_breach_day", low=Decimal(0)) or Decimal(0),
                    rework_coding_denials=rework,
                    rework_cost_per_denial=_decimal(kw, credit, "rework_cost_per_denial", low=Decimal(0))))
        out.append(replace(contract, accuracy=tuple(accuracy), turnaround=tuple(turnaround),
                           service=tuple(service), credits=tuple(credits)))
    return out


def load_yaml(path: Path, canonical=lambda kind, name: name) -> list[ContractTerms]:
    """Contract terms from a YAML file (docs/scorecard.md); TermsError names file, line, field, reason."""
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TermsError(f"{path}: cannot be read ({exc})") from None
    try:
        data = yaml.load(text, Loader=_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" line {mark.line + 1}" if mark else ""
        raise TermsError(f"{path}{at}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    return parse_terms(data, str(path), canonical)


__all__ = ["COUNTING_RULES", "PRIORITIES", "AccuracyTerm", "ContractTerms", "CreditTerms", "MonthTerms",
           "ServiceTerms", "TermsError", "TurnaroundTerm", "load_yaml", "month_range", "parse_terms"]


"""A contract term's judgement for one month: its state and the figures behind it. Below both
the SLA evaluation and the credits, which read it."""

from __future__ import annotations

from dataclasses import dataclass, field

from codingwatch.scorecard.estimates import ChartsNeeded

MET = "met"
BREACHED = "breached"
NOT_ENOUGH = "not enough evidence"
STATES = (MET, BREACHED, NOT_ENOUGH)


@dataclass(frozen=True)
class TermResult:
    kind: str  # accuracy | turnaround | dnfb | coding_denials | query_response
    label: str  # the term in words
    target: float  # the SLA: a share (0..1) or, for DNFB, days
    value: float | None
    lower: float | None
    upper: float | None
    state: str
    evidence: int  # charts audited / charts / claims / queries measured
    basis: str  # "sample" (limits) or "all" (every chart, claim or query of the month)
    needed: ChartsNeeded | None = None
    inputs: dict = field(default_factory=dict)
    key: dict = field(default_factory=dict)  # specialty/rule, encounter_type/priority, ...

    def as_dict(self) -> dict:
        return {"kind": self.kind, "label": self.label, "target": self.target, "value": _r(self.value),
                "lower": _r(self.lower), "upper": _r(self.upper), "state": self.state, "evidence": self.evidence,
                "basis": self.basis, "needed": self.needed.as_dict() if self.needed else None,
                "inputs": self.inputs, "key": self.key}


def _r(x, digits: int = 6):
    return None if x is None else round(float(x), digits)

"""Scenarios: what a user states (every input with a value, a unit and a source), validated.

A scenario file is YAML:

    scenario: Regional health system, 2026
    baseline: in_house            # the option others are compared with (default: the first)
    inputs:                       # shared by every option
      volume_inpatient: {value: 12000, unit: charts/year, source: "HIM dashboard FY2025"}
      reference_charts_per_hour_inpatient: {value: 3, unit: charts/hour, source: "AHIMA 2007"}
    options:
      in_house:
        label: In-house coders
        kind: in-house            # in-house | onshore | offshore | hybrid
        pricing: hourly           # hourly | per_chart
        inputs:
          hourly_pay: {value: 29.50, unit: USD/hour, source: "payroll", low: 26, high: 33}
      hybrid:
        kind: hybrid
        parts: {inpatient: in_house, outpatient: offshore}   # who codes each encounter type
        audit_by: in_house        # optional: audits done at this option's auditor rate

An input may carry ``low`` and ``high`` (its plausible range, swung by the tornado and used
by the simulation) and ``distribution`` (fixed, triangular, uniform, pert, normal; default
triangular when a range is given). Every error names the field and the reason, and all
errors are reported together.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from codingwatch.cost.inputs import (
    AUDIT_BASIS,
    DISTRIBUTIONS,
    INFORMATIONAL,
    KINDS,
    OPTION_INPUTS,
    PRICING,
    SCENARIO_INPUTS,
    InputDef,
)
from codingwatch.vocabulary import ENCOUNTER_TYPES


@dataclass(frozen=True)
class Problem:
    """One fault of a scenario: where (`field`, the scenario's dotted path, e.g.
    options.offshore.inputs.hourly_pay.value; empty when the fault is the whole request's) and
    why. `input` names the input at fault as the calculator's fields do (`volume_inpatient`,
    `offshore.hourly_pay`); None when the fault is not one input's."""

    field: str
    message: str
    input: str | None = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class ScenarioError(ValueError):
    """A scenario cannot be used; the message lists every field at fault and why.

    `details` holds each fault as a Problem; `problems` the same as text, one line each."""

    def __init__(self, problems: list[Problem | str], origin: str = "scenario") -> None:
        self.details = [p if isinstance(p, Problem) else Problem("", p) for p in problems]
        self.problems = [str(p) for p in self.details]
        self.origin = origin
        lines = "; ".join(self.problems)
        super().__init__(f"{origin}: {lines}")


@dataclass
class InputValue:
    value: Decimal
    unit: str
    source: str
    low: Decimal | None = None
    high: Decimal | None = None
    distribution: str = "fixed"
    stated: bool = True  # False: the catalog default, not stated by the user
    note: str = ""

    def to_dict(self) -> dict:
        out: dict = {"value": _num(self.value), "unit": self.unit, "source": self.source}
        if self.low is not None:
            out["low"] = _num(self.low)
        if self.high is not None:
            out["high"] = _num(self.high)
        if self.distribution != "fixed":
            out["distribution"] = self.distribution
        if self.note:
            out["note"] = self.note
        return out


def _num(value: Decimal) -> int | float:
    # For YAML/JSON round trips: integral values as int, others as float of their decimal text.
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Option:
    name: str
    label: str
    kind: str
    pricing: str = "hourly"
    audit_basis: str = "coder"
    lake_vendor: str | None = None
    inputs: dict[str, InputValue] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)  # hybrid: encounter type -> option
    audit_by: str | None = None
    notes: str = ""


@dataclass
class Scenario:
    name: str
    inputs: dict[str, InputValue]
    options: dict[str, Option]
    baseline: str
    description: str = ""
    notes: list[str] = field(default_factory=list)
    measured: dict = field(default_factory=dict)  # option -> promised vs measured (actuals)

    @property
    def coded_types(self) -> list[str]:
        """Encounter types with volume (a stated value above zero, or a range reaching above zero)."""
        out = []
        for t in ENCOUNTER_TYPES:
            spec = self.inputs.get(f"volume_{t}")
            if spec is not None and spec.stated and (spec.value > 0 or (spec.high or 0) > 0):
                out.append(t)
        return out

    def option_types(self, option: str) -> list[str]:
        opt = self.options[option]
        if opt.kind == "hybrid":
            return [t for t in self.coded_types if t in opt.parts]
        return self.coded_types

    def input_spec(self, path: str) -> InputValue:
        """The stated or default value behind a path: `volume_inpatient` or `offshore.hourly_pay`."""
        if "." in path:
            option, name = path.split(".", 1)
            if option not in self.options:
                raise KeyError(path)
            opt = self.options[option]
            if name in opt.inputs:
                return opt.inputs[name]
            definition = OPTION_INPUTS.get(name)
        else:
            if path in self.inputs:
                return self.inputs[path]
            definition = SCENARIO_INPUTS.get(path)
        if definition is None or definition.default is None:
            raise KeyError(path)
        return InputValue(definition.default, definition.unit, "not stated: model default", stated=False)

    def stated_paths(self) -> list[str]:
        paths = [name for name, spec in self.inputs.items() if spec.stated]
        for option in self.options.values():
            paths.extend(f"{option.name}.{name}" for name, spec in option.inputs.items() if spec.stated)
        return paths

    def ranged_paths(self) -> list[str]:
        """Inputs with a stated range that the model uses (informational inputs are not priced)."""
        out = []
        for path in self.stated_paths():
            spec = self.input_spec(path)
            name = path.split(".", 1)[-1]
            if name in INFORMATIONAL:
                continue
            if spec.low is not None and spec.high is not None and spec.low != spec.high:
                out.append(path)
        return out

    def with_value(self, path: str, value: Decimal) -> Scenario:
        """A copy of the scenario with one input set to a value (its source and range kept)."""
        clone = copy.deepcopy(self)
        spec = clone.input_spec(path)
        spec = copy.copy(spec)
        spec.value = Decimal(value)
        spec.stated = True
        if "." in path:
            option, name = path.split(".", 1)
            clone.options[option].inputs[name] = spec
        else:
            clone.inputs[path] = spec
        return clone

    def to_dict(self) -> dict:
        """The scenario as a plain dict, in the same shape as its YAML file."""
        out: dict = {"scenario": self.name}
        if self.description:
            out["description"] = self.description
        out["baseline"] = self.baseline
        if self.notes:
            out["notes"] = list(self.notes)
        out["inputs"] = {name: spec.to_dict() for name, spec in self.inputs.items() if spec.stated}
        options: dict = {}
        for option in self.options.values():
            entry: dict = {"label": option.label, "kind": option.kind}
            if option.kind == "hybrid":
                entry["parts"] = dict(option.parts)
                if option.audit_by:
                    entry["audit_by"] = option.audit_by
            else:
                entry["pricing"] = option.pricing
                if option.audit_basis != "coder":
                    entry["audit_basis"] = option.audit_basis
                if option.lake_vendor:
                    entry["lake_vendor"] = option.lake_vendor
                entry["inputs"] = {n: s.to_dict() for n, s in option.inputs.items() if s.stated}
            if option.notes:
                entry["notes"] = option.notes
            options[option.name] = entry
        out["options"] = options
        return out


# ---- parsing -----------------------------------------------------------------------------------

_TOP_KEYS = {"scenario", "description", "baseline", "inputs", "options", "notes", "currency"}
_OPTION_KEYS = {"label", "kind", "pricing", "audit_basis", "lake_vendor", "inputs", "parts", "audit_by",
                "notes"}
_SPEC_KEYS = {"value", "unit", "source", "low", "high", "distribution", "note"}


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario YAML file."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ScenarioError([f"cannot read the file ({exc.strerror})"], str(path)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise ScenarioError([f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"], str(path)) from exc
    return parse_scenario(data, origin=str(path))


def parse_scenario(data: object, origin: str = "scenario") -> Scenario:
    """Validate a scenario given as a dict (the YAML's shape); raise ScenarioError listing every fault."""
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise ScenarioError(["the scenario must be a mapping with `inputs` and `options`"], origin)
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(Problem(f"`{key}`", f"unknown top-level field (allowed: {', '.join(sorted(_TOP_KEYS))})"))
    name = str(data.get("scenario") or "Unnamed scenario")
    raw_inputs = data.get("inputs") or {}
    if not isinstance(raw_inputs, dict):
        problems.append(Problem("`inputs`", "must be a mapping of input name to {value, unit, source}"))
        raw_inputs = {}
    inputs = {}
    for key, raw in raw_inputs.items():
        definition = SCENARIO_INPUTS.get(key)
        if definition is None:
            hint = " (an option input: put it under options.<name>.inputs)" if key in OPTION_INPUTS else ""
            problems.append(Problem(f"inputs.{key}", f"unknown input{hint}", key))
            continue
        spec = _of_input(key, problems, _parse_spec, f"inputs.{key}", raw, definition)
        if spec is not None:
            inputs[key] = spec

    raw_options = data.get("options")
    options: dict[str, Option] = {}
    if not isinstance(raw_options, dict) or not raw_options:
        problems.append(Problem("`options`", "required, a mapping of option name to its kind and inputs"))
        raw_options = {}
    for opt_name, raw in raw_options.items():
        option = _parse_option(str(opt_name), raw, problems)
        if option is not None:
            options[option.name] = option

    baseline = str(data.get("baseline") or (next(iter(options)) if options else ""))
    if options and baseline not in options:
        problems.append(Problem("`baseline`", f"`{baseline}` is not one of the options ({', '.join(options)})"))
    notes = data.get("notes") or []
    if isinstance(notes, str):
        notes = [notes]

    scenario = Scenario(name=name, inputs=inputs, options=options, baseline=baseline,
                        description=str(data.get("description") or ""), notes=[str(n) for n in notes])
    if not problems:
        _check_required(scenario, problems)
    if problems:
        raise ScenarioError(problems, origin)
    return scenario


def _parse_option(name: str, raw: object, problems: list[Problem]) -> Option | None:
    where = f"options.{name}"
    if not isinstance(raw, dict):
        problems.append(Problem(where, "must be a mapping with `kind` and `inputs`"))
        return None
    for key in raw:
        if key not in _OPTION_KEYS:
            problems.append(Problem(f"{where}.{key}", f"unknown field (allowed: {', '.join(sorted(_OPTION_KEYS))})"))
    kind = raw.get("kind")
    if kind not in KINDS:
        problems.append(Problem(f"{where}.kind", f"must be one of {', '.join(KINDS)} (got {kind!r})"))
        return None
    option = Option(name=name, label=str(raw.get("label") or name), kind=kind,
                    notes=str(raw.get("notes") or ""))
    if kind == "hybrid":
        if raw.get("inputs"):
            problems.append(Problem(f"{where}.inputs", "a hybrid takes its inputs from the options in `parts`"))
        parts = raw.get("parts")
        if not isinstance(parts, dict) or not parts:
            problems.append(Problem(f"{where}.parts", "required for a hybrid, e.g. {inpatient: in_house, "
                            "outpatient: offshore}"))
            parts = {}
        for encounter_type in parts:
            if encounter_type not in ENCOUNTER_TYPES:
                problems.append(Problem(f"{where}.parts.{encounter_type}", "unknown encounter type "
                                f"(one of {', '.join(ENCOUNTER_TYPES)})"))
        option.parts = {str(k): str(v) for k, v in parts.items()}
        option.audit_by = str(raw["audit_by"]) if raw.get("audit_by") else None
        return option
    pricing = raw.get("pricing", "hourly")
    if pricing not in PRICING:
        problems.append(Problem(f"{where}.pricing", f"must be one of {', '.join(PRICING)} (got {pricing!r})"))
    option.pricing = pricing
    basis = raw.get("audit_basis", "coder")
    if basis not in AUDIT_BASIS:
        problems.append(Problem(f"{where}.audit_basis", f"must be one of {', '.join(AUDIT_BASIS)} (got {basis!r})"))
    option.audit_basis = basis
    option.lake_vendor = str(raw["lake_vendor"]) if raw.get("lake_vendor") is not None else None
    raw_inputs = raw.get("inputs") or {}
    if not isinstance(raw_inputs, dict):
        problems.append(Problem(f"{where}.inputs", "must be a mapping of input name to {value, unit, source}"))
        raw_inputs = {}
    for key, spec_raw in raw_inputs.items():
        definition = OPTION_INPUTS.get(key)
        if definition is None:
            hint = " (a scenario input: put it under the top-level `inputs`)" if key in SCENARIO_INPUTS else ""
            problems.append(Problem(f"{where}.inputs.{key}", f"unknown input{hint}", f"{name}.{key}"))
            continue
        spec = _of_input(f"{name}.{key}", problems, _parse_spec, f"{where}.inputs.{key}", spec_raw, definition)
        if spec is not None:
            option.inputs[key] = spec
    return option


def _of_input(path: str, problems: list[Problem], check, *args):
    """`check(*args, problems)`, its problems marked as the input's at `path` (a calculator field)."""
    before = len(problems)
    out = check(*args, problems)
    problems[before:] = [replace(p, input=path) for p in problems[before:]]
    return out


def _decimal(where: str, raw: object, problems: list[Problem]) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        problems.append(Problem(where, f"must be a number (got {raw!r})"))
        return None
    try:
        # str() first so that 0.1 in YAML becomes Decimal('0.1'), not its binary expansion.
        value = Decimal(str(raw).replace(",", "").replace("_", ""))
    except (InvalidOperation, ValueError):
        problems.append(Problem(where, f"must be a number (got {raw!r})"))
        return None
    if not value.is_finite():
        problems.append(Problem(where, f"must be a finite number (got {raw!r})"))
        return None
    return value


def _check_kind(where: str, value: Decimal, definition: InputDef, problems: list[Problem]) -> None:
    kind = definition.kind
    if kind in ("money", "rate", "count") and value < 0:
        problems.append(Problem(where, f"must not be negative (got {value})"))
    elif kind == "share" and not (0 <= value <= 1):
        problems.append(Problem(where, f"is a share and must be between 0 and 1 (got {value}; write 34% as 0.34)"))
    elif kind == "positive" and value <= 0:
        problems.append(Problem(where, f"must be greater than zero (got {value})"))


def _parse_spec(where: str, raw: object, definition: InputDef, problems: list[Problem]) -> InputValue | None:
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"must be a mapping {{value, unit, source}} (got {raw!r})"))
        return None
    before = len(problems)
    for key in raw:
        if key not in _SPEC_KEYS:
            problems.append(Problem(f"{where}.{key}", f"unknown field (allowed: {', '.join(sorted(_SPEC_KEYS))})"))
    if "value" not in raw:
        problems.append(Problem(f"{where}.value", "required"))
    unit = raw.get("unit")
    if unit is None:
        problems.append(Problem(f"{where}.unit", f"required (`{definition.unit}`)"))
    elif str(unit) != definition.unit:
        problems.append(Problem(f"{where}.unit", f"must be `{definition.unit}` (got `{unit}`)"))
    source = raw.get("source")
    if not source or not str(source).strip():
        problems.append(Problem(f"{where}.source", "required (where the figure comes from)"))
    value = _decimal(f"{where}.value", raw.get("value"), problems) if "value" in raw else None
    low = _decimal(f"{where}.low", raw["low"], problems) if "low" in raw else None
    high = _decimal(f"{where}.high", raw["high"], problems) if "high" in raw else None
    for label, number in (("value", value), ("low", low), ("high", high)):
        if number is not None:
            _check_kind(f"{where}.{label}", number, definition, problems)
    if (low is None) != (high is None):
        problems.append(Problem(where, "give both `low` and `high`, or neither"))
    if value is not None and low is not None and high is not None and not (low <= value <= high):
        problems.append(Problem(where, f"needs low <= value <= high (got {low}, {value}, {high})"))
    distribution = raw.get("distribution")
    if distribution is None:
        distribution = "triangular" if low is not None and high is not None and low != high else "fixed"
    elif distribution not in DISTRIBUTIONS:
        problems.append(Problem(f"{where}.distribution", f"must be one of {', '.join(DISTRIBUTIONS)} (got {distribution!r})"))
    elif distribution != "fixed" and (low is None or high is None):
        problems.append(Problem(f"{where}.distribution", f"`{distribution}` needs `low` and `high`"))
    if len(problems) > before:
        return None
    return InputValue(value=value, unit=str(unit), source=str(source).strip(), low=low, high=high,
                      distribution=str(distribution), note=str(raw.get("note") or ""))


def _check_required(scenario: Scenario, problems: list[Problem]) -> None:
    types = scenario.coded_types
    if not any(scenario.inputs[f"volume_{t}"].value > 0 for t in types):
        problems.append(Problem("inputs", "state at least one yearly volume above zero "
                        f"({', '.join('volume_' + t for t in ENCOUNTER_TYPES)})"))
    for t in types:
        if f"reference_charts_per_hour_{t}" not in scenario.inputs:
            problems.append(Problem(f"inputs.reference_charts_per_hour_{t}", f"required (there is {t} volume; "
                            "it defines a domestic-equivalent hour)", f"reference_charts_per_hour_{t}"))
    for option in scenario.options.values():
        where = f"options.{option.name}"
        if option.kind == "hybrid":
            for t in types:
                if t not in option.parts:
                    problems.append(Problem(f"{where}.parts.{t}", f"required (there is {t} volume; name the option "
                                    "that codes it)"))
            for t, part in option.parts.items():
                target = scenario.options.get(part)
                if target is None:
                    problems.append(Problem(f"{where}.parts.{t}", f"`{part}` is not an option"))
                elif target.kind == "hybrid":
                    problems.append(Problem(f"{where}.parts.{t}", f"`{part}` is a hybrid; name a single option"))
            if option.audit_by:
                target = scenario.options.get(option.audit_by)
                if target is None or target.kind == "hybrid":
                    problems.append(Problem(f"{where}.audit_by", f"`{option.audit_by}` is not a single option"))
            continue
        if option.pricing == "hourly" and "hourly_pay" not in option.inputs:
            problems.append(Problem(f"{where}.inputs.hourly_pay", "required for hourly pricing",
                                    f"{option.name}.hourly_pay"))
        # Every single option is also compared on its own, so it must be able to code every type.
        for t in types:
            if option.pricing == "per_chart" and f"price_per_chart_{t}" not in option.inputs:
                problems.append(Problem(f"{where}.inputs.price_per_chart_{t}", f"required for per-chart pricing of {t}",
                                        f"{option.name}.price_per_chart_{t}"))
            if f"charts_per_hour_{t}" not in option.inputs and "productivity_vs_reference" not in option.inputs:
                problems.append(Problem(f"{where}.inputs.charts_per_hour_{t}", "required (or give "
                                "productivity_vs_reference)", f"{option.name}.charts_per_hour_{t}"))

"""The calculator form <-> a scenario dict, and the engine's field errors mapped back to inputs.

Plain helpers (no request, no ORM) so the page, the brief download and the API share them.
The form carries the scenario it started from (hidden, as JSON) and one field per input,
named `in:<path>` (`in:volume_inpatient`, `in:offshore.hourly_pay`), plus `in:<path>@low` and
`in:<path>@high` for a stated input's range. A stated input's field holds its value; an input the scenario does not state is offered empty, its default shown,
and becomes stated when a value is typed into it.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

from codingwatch.cost import (
    Problem,
    ScenarioError,
    evaluate,
    parse_scenario,
    preset_names,
    preset_path,
    preset_scenario,
)
from codingwatch.cost.inputs import OPTION_INPUTS, SCENARIO_INPUTS

FIELD_PREFIX = "in:"
ENTERED = "entered on the calculator page"
DEFAULT_PRESET = "public-2025"
DEFAULT_DRAWS = 5_000
MAX_DRAWS = 100_000


def preset_dict(name: str) -> dict:
    """The preset's scenario as a mapping; its YAML is read and validated once per file version
    (a change to the file reads it again), and each caller gets its own copy to change."""
    path = preset_path(name)
    stamp = path.stat().st_mtime_ns
    kept = _PRESETS.get(name)
    if kept is None or kept[0] != stamp:
        kept = _PRESETS[name] = (stamp, preset_scenario(name).to_dict())
    return copy.deepcopy(kept[1])


_PRESETS: dict[str, tuple[int, dict]] = {}


def presets() -> list[str]:
    return preset_names()


def _spec_of(data: dict, path: str) -> dict | None:
    if "." in path:
        option, name = path.split(".", 1)
        return ((data.get("options") or {}).get(option) or {}).get("inputs", {}).get(name)
    return (data.get("inputs") or {}).get(path)


def _set_spec(data: dict, path: str, spec: dict) -> None:
    if "." in path:
        option, name = path.split(".", 1)
        data["options"][option].setdefault("inputs", {})[name] = spec
    else:
        data.setdefault("inputs", {})[path] = spec


def input_paths(data: dict) -> list[str]:
    """Every input the form offers: the shared ones, then each single option's."""
    paths = list(SCENARIO_INPUTS)
    for option, entry in (data.get("options") or {}).items():
        if isinstance(entry, dict) and entry.get("kind") != "hybrid":
            paths.extend(f"{option}.{name}" for name in OPTION_INPUTS)
    return paths


def _text(value) -> str:
    return "" if value is None else str(value)


def apply_form(base: dict, texts: dict[str, str]) -> dict:
    """The base scenario with the form's values in place (strings: the engine validates them).

    `texts` maps a path to its value, and `<path>@low` / `<path>@high` to a stated input's range
    (empty: no range)."""
    data = copy.deepcopy(base)
    for key, raw in texts.items():
        path, _, part = key.partition("@")
        part = part or "value"
        if part not in ("value", "low", "high"):
            continue
        text = raw.strip()
        spec = _spec_of(data, path)
        if spec is not None and isinstance(spec, dict):
            if text == _text(spec.get(part)):
                continue
            if part != "value" and not text:
                spec.pop(part, None)
            else:
                spec[part] = text
            source = str(spec.get("source") or "")
            if not source.startswith(ENTERED):
                spec["source"] = f"{ENTERED} (was {_describe(_spec_of(base, path))}: {source})"
        elif text and part == "value":
            option = path.split(".", 1)[0] if "." in path else None
            if option is not None and option not in (data.get("options") or {}):
                continue
            definition = OPTION_INPUTS.get(path.split(".", 1)[1]) if option else SCENARIO_INPUTS.get(path)
            if definition is None:
                continue
            _set_spec(data, path, {"value": text, "unit": definition.unit, "source": ENTERED})
    return data


def _describe(spec: dict) -> str:
    """`35` or `35 (30-40)`: what a stated input said before the page changed it."""
    text = _text(spec.get("value"))
    if spec.get("low") is not None or spec.get("high") is not None:
        text += f" ({_text(spec.get('low'))}-{_text(spec.get('high'))})"
    return text


def base_value(data: dict, path: str):
    spec = _spec_of(data, path)
    return spec.get("value") if isinstance(spec, dict) else None


def field_errors(problems: list[Problem]) -> tuple[dict[str, list[str]], list[str]]:
    """The engine's problems (ScenarioError.details) split into those of an input, by the
    input's path (its message beside the field), and the rest (whole lines)."""
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        if problem.input is not None:
            by_field.setdefault(problem.input, []).append(problem.message)
        else:
            general.append(str(problem))
    return by_field, general


@dataclass
class Calculation:
    """One evaluation of the form: the scenario it produced, and the figures or the errors."""

    base: dict  # the scenario the form started from (kept when the new one is not valid)
    scenario: dict  # the scenario with the form's values (valid only when `result` is set)
    texts: dict[str, str]
    draws: int
    seed: int
    pair: tuple[str, str] | None
    result: dict | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    general_errors: list[str] = field(default_factory=list)
    scenario_object: object = None  # the parsed Scenario (for the brief), when valid
    problems: list[str] = field(default_factory=list)  # every problem, as the engine words it

    @property
    def valid(self) -> bool:
        return self.result is not None

    @property
    def scenario_json(self) -> str:
        return json.dumps(self.scenario if self.valid else self.base, default=str)


def _whole(text, default: int, low: int, high: int, name: str, problems: list[str]) -> int:
    if text in (None, ""):
        return default
    try:
        value = int(str(text).strip())
    except ValueError:
        problems.append(f"{name}: must be a whole number (got {text!r})")
        return default
    if not low <= value <= high:
        problems.append(f"{name}: must be between {low:,} and {high:,} (got {value:,})")
        return default
    return value


def calculate(base: dict, texts: dict[str, str], *, draws=None, seed=None, pair: str | None = None,
              actuals=None) -> Calculation:
    """Evaluate the base scenario with the form's values. `actuals(scenario) -> scenario` replaces
    promised figures with measured ones (the page passes one reading the lake)."""
    general: list[str] = []
    n_draws = _whole(draws, DEFAULT_DRAWS, 100, MAX_DRAWS, "draws", general)
    n_seed = _whole(seed, 0, 0, 2**32 - 1, "seed", general)
    data = apply_form(base, texts)
    calc = Calculation(base=base, scenario=data, texts=texts, draws=n_draws, seed=n_seed, pair=None)
    options = list((data.get("options") or {}) if isinstance(data, dict) else {})
    if pair:
        chosen = tuple(p.strip() for p in pair.split(",") if p.strip())
        if len(chosen) != 2 or chosen[0] == chosen[1] or not set(chosen) <= set(options):
            general.append(f"tornado: choose two different options ({', '.join(options)}), got {pair!r}")
        else:
            calc.pair = chosen
    try:
        scenario = parse_scenario(data)
    except ScenarioError as exc:
        calc.errors, more = field_errors(exc.details)
        calc.general_errors = general + more
        calc.problems = general + exc.problems
        return calc
    if general:
        calc.general_errors = calc.problems = general
        return calc
    try:
        if actuals is not None:
            scenario = actuals(scenario)
        calc.result = evaluate(scenario, draws=n_draws, seed=n_seed, pair=calc.pair)
    except ScenarioError as exc:
        calc.errors, calc.general_errors = field_errors(exc.details)
        calc.problems = exc.problems
        return calc
    calc.scenario = scenario.to_dict() if actuals is not None else data
    calc.scenario_object = scenario
    return calc


def form_groups(data: dict, texts: dict[str, str] | None = None, errors: dict | None = None) -> list[dict]:
    """The form's inputs grouped by option: stated ones first, then the rest (model defaults)."""
    texts = texts or {}
    errors = errors or {}
    groups = [{"key": "shared", "title": "Shared by every option", "note": "", "stated": [], "defaults": []}]
    for option, entry in (data.get("options") or {}).items():
        if not isinstance(entry, dict):
            continue
        note = ""
        if entry.get("kind") == "hybrid":
            parts = ", ".join(f"{t} by {o}" for t, o in (entry.get("parts") or {}).items())
            note = f"hybrid: {parts}" + (f"; audited at {entry['audit_by']}'s rate" if entry.get("audit_by") else "")
        else:
            note = f"{entry.get('kind')}, {entry.get('pricing', 'hourly')} pricing"
        groups.append({"key": option, "title": entry.get("label") or option.replace("_", "-"), "note": note,
                       "stated": [], "defaults": []})
    by_key = {g["key"]: g for g in groups}
    for path in input_paths(data):
        option, name = path.split(".", 1) if "." in path else ("shared", path)
        definition = OPTION_INPUTS[name] if option != "shared" else SCENARIO_INPUTS[name]
        spec = _spec_of(data, path)
        row = {
            "path": path, "field": FIELD_PREFIX + path, "slug": re.sub(r"[^A-Za-z0-9_-]", "-", path),
            "name": name, "unit": definition.unit, "description": definition.description,
            "errors": errors.get(path, []),
        }
        if isinstance(spec, dict):
            row.update(value=texts.get(path, _text(spec.get("value"))), source=spec.get("source", ""),
                       low=texts.get(f"{path}@low", _text(spec.get("low"))),
                       high=texts.get(f"{path}@high", _text(spec.get("high"))),
                       distribution=spec.get("distribution", ""),
                       note=spec.get("note", ""), unit=spec.get("unit", definition.unit))
            by_key[option]["stated"].append(row)
        else:
            default = definition.default
            row.update(value=texts.get(path, ""), source="", low="", high="", distribution="", note="",
                       placeholder="required" if default is None else f"default {default}")
            by_key[option]["defaults"].append(row)
    return groups


def promised_notes(data: dict) -> list[dict]:
    """Inputs written by `codingwatch cost actuals --write` keep the promise as a note."""
    rows = []
    for option, entry in (data.get("options") or {}).items():
        for name, spec in ((entry or {}).get("inputs") or {}).items():
            note = str((spec or {}).get("note") or "")
            if note.startswith("promised:"):
                rows.append({"option": option, "figure": name, "promised": note.removeprefix("promised:").strip(),
                             "measured": spec.get("value"), "basis": spec.get("source", "")})
    return rows

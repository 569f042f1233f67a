"""docs/cost.md stays true: every input is documented and the example scenario is valid."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from codingwatch.cost import compare, parse_scenario
from codingwatch.cost.inputs import OPTION_INPUTS, SCENARIO_INPUTS
from codingwatch.vocabulary import ENCOUNTER_TYPES

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "cost.md"


def documented_names() -> set[str]:
    names = set()
    for pattern in re.findall(r"^\| `([a-z_<>]+)` \|", GUIDE.read_text(), flags=re.M):
        names |= {pattern.replace("<type>", t) for t in ENCOUNTER_TYPES} if "<type>" in pattern else {pattern}
    return names


def test_every_input_is_documented():
    missing = (set(SCENARIO_INPUTS) | set(OPTION_INPUTS)) - documented_names()
    assert not missing, f"undocumented inputs: {sorted(missing)}"


def test_guide_documents_no_input_that_does_not_exist():
    assert documented_names() <= set(SCENARIO_INPUTS) | set(OPTION_INPUTS)


def test_example_scenario_in_the_guide_is_valid():
    text = GUIDE.read_text()
    block = re.search(r"```yaml\n(scenario: Regional health system.*?)```", text, flags=re.S).group(1)
    result = compare(parse_scenario(yaml.safe_load(block)))
    assert set(result["options"]) == {"in_house", "offshore", "hybrid"}

"""The guide keeps up with the commands and settings of claims, remittances and denials."""

from __future__ import annotations

from pathlib import Path

from codingwatch.commands import common, x12

GUIDE = (Path(__file__).resolve().parents[3] / "docs" / "claims-and-remits.md").read_text()


def test_every_claims_remits_and_denials_command_has_an_example_and_is_in_the_guide():
    commands = [("ingest", c) for c in common.ingest_app.registered_commands if c.name in ("claims", "remits")]
    commands += [("denials", c) for c in x12.app.registered_commands]
    assert len(commands) == 5
    for prefix, command in commands:
        assert "Example: codingwatch" in (command.callback.__doc__ or ""), command.name
        assert f"codingwatch {prefix} {command.name}" in GUIDE, command.name


def test_the_rework_cost_setting_is_in_the_guide():
    from codingwatch.denials.analytics import REWORK_COST_SETTING

    assert REWORK_COST_SETTING in GUIDE

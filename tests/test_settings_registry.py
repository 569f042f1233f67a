"""Settings as data: every CODINGWATCH_* variable is registered, read only through the
registry, typed, and documented."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from codingwatch import config
from codingwatch.cli import app

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "codingwatch"
DOCS = ROOT / "docs"
# A variable's name; a family written with a star (CODINGWATCH_PROVENANCE_*) is not one.
NAME = re.compile(r"CODINGWATCH_[A-Z0-9_]+(?![A-Z0-9_*])")
# Environment variables that are not codingwatch settings: Django's own, and the terminal width.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "COLUMNS"}
TYPED_READERS = {"envstr", "envbool", "envint", "envfloat"}


def _sources():
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"))


def _is_environ(node) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" or (
        isinstance(node, ast.Name) and node.id == "environ")


def _reads_outside_the_registry() -> list[str]:
    """Every place in src/ outside config.py that reads the environment itself (os.environ,
    os.getenv) for a name other than NOT_SETTINGS, or calls a typed reader directly instead of
    config.setting(name)."""
    found = []
    for path, tree in _sources():
        if path.name == "config.py" and path.parent.name == "codingwatch":
            continue
        for node in ast.walk(tree):
            key = None
            if isinstance(node, ast.Subscript) and _is_environ(node.value):
                key = node.slice
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in {"get", "setdefault", "pop"} and _is_environ(node.func.value):
                    key = node.args[0] if node.args else None
                elif node.func.attr == "getenv":
                    key = node.args[0] if node.args else None
                elif node.func.attr in TYPED_READERS:
                    found.append(f"{path}:{node.lineno}: config.{node.func.attr}(...) instead of config.setting(...)")
                    continue
                else:
                    continue
            else:
                continue
            if not (isinstance(key, ast.Constant) and key.value in NOT_SETTINGS):
                found.append(f"{path}:{node.lineno}: reads the environment ({ast.unparse(node)[:80]})")
    return found


def test_no_setting_is_read_outside_the_registry():
    assert _reads_outside_the_registry() == []


def test_every_codingwatch_variable_named_in_src_is_registered():
    named = {}
    for path in sorted(SRC.rglob("*.py")):
        for line, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for name in NAME.findall(text):
                if name.endswith("_"):
                    continue
                named.setdefault(name, f"{path.relative_to(ROOT)}:{line}")
    unknown = {name: where for name, where in named.items() if name not in config.SETTINGS}
    assert unknown == {}, "not in codingwatch.config.SETTINGS (register it, with type, default and help)"
    # and nothing registered that nothing reads: each name is read by setting("...") or named
    # (as a constant passed to it) outside the registry
    used = set()
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'setting\("([A-Z0-9_]+)"\)', text))
        if path != SRC / "config.py":
            used |= {name for name in config.SETTINGS if f'"{name}"' in text}
    assert set(config.SETTINGS) - used == set()


def test_every_setting_is_documented_in_its_guide_and_in_the_settings_table():
    for entry in config.SETTINGS.values():
        guide = DOCS / entry.docs
        assert guide.is_file(), f"{entry.name}: its guide docs/{entry.docs} does not exist"
        assert entry.name in guide.read_text(encoding="utf-8"), f"docs/{entry.docs} does not document {entry.name}"
    text = (DOCS / "settings.md").read_text(encoding="utf-8")
    table = text.split("<!-- settings table: generated from codingwatch.config.SETTINGS -->\n")[1]
    table = table.split("<!-- end of settings table -->")[0]
    assert table == config.settings_markdown(), "docs/settings.md's table is out of date: regenerate it (see there)"


def test_every_default_has_the_type_its_setting_parses_to(monkeypatch):
    for entry in config.SETTINGS.values():
        if entry.default is None:
            continue
        monkeypatch.setenv(entry.name, entry.default_text)
        assert config.setting(entry.name) == entry.default, entry.name
        monkeypatch.delenv(entry.name)
        assert config.setting(entry.name) == entry.default, entry.name


@pytest.mark.parametrize(("name", "raw", "reason"), [
    ("CODINGWATCH_IDLE_MINUTES", "fifteen", "is not a whole number"),
    ("CODINGWATCH_DEBUG", "maybe", "is not a boolean"),
    ("CODINGWATCH_PROVENANCE_MAX_SPEED_KMH", "fast", "is not a number"),
    ("CODINGWATCH_PROVENANCE_OFF_HOURS_MIN_EVENTS", "0", "is below its minimum 1"),
    ("CODINGWATCH_DENIAL_REWORK_COST", "-5", "must be a non-negative amount"),
    ("CODINGWATCH_PROVENANCE_DECLARED_HOURS", "7am-7pm", "is not a span of hours"),
])
def test_a_bad_value_fails_loudly_naming_the_variable(monkeypatch, name, raw, reason):
    monkeypatch.setenv(name, raw)
    with pytest.raises(config.SettingError, match=re.escape(f"{name}={raw!r} {reason}")):
        config.setting(name)


def test_values_are_parsed_by_type(monkeypatch):
    monkeypatch.setenv("CODINGWATCH_ALLOWED_HOSTS", "app.example.org, 10.0.0.5")
    monkeypatch.setenv("CODINGWATCH_MFA_REQUIRED", "off")
    monkeypatch.setenv("CODINGWATCH_DENIAL_REWORK_COST", "25.00")
    monkeypatch.setenv("CODINGWATCH_IDLE_MINUTES", "")  # empty is unset
    assert config.setting("CODINGWATCH_ALLOWED_HOSTS") == ["app.example.org", "10.0.0.5"]
    assert config.setting("CODINGWATCH_MFA_REQUIRED") is False
    assert str(config.setting("CODINGWATCH_DENIAL_REWORK_COST")) == "25.00"
    assert config.setting("CODINGWATCH_IDLE_MINUTES") == 15
    with pytest.raises(config.SettingError, match="CODINGWATCH_NOPE is not a codingwatch setting"):
        config.setting("CODINGWATCH_NOPE")


def test_the_settings_command_lists_every_setting_and_hides_secrets(monkeypatch):
    monkeypatch.setenv("CODINGWATCH_SECRET_KEY", "s" * 60)
    monkeypatch.setenv("CODINGWATCH_LOCKOUT_MINUTES", "45")
    result = CliRunner().invoke(app, ["settings", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert list(rows) == list(config.SETTINGS)
    monkeypatch.setenv("DATABASE_URL", "postgres://cw:hunter2@db/cw")
    assert json.loads(CliRunner().invoke(app, ["settings", "--format", "json"]).stdout)[4]["value"] == "(set)"
    assert rows["CODINGWATCH_LOCKOUT_MINUTES"] | {} == {
        "name": "CODINGWATCH_LOCKOUT_MINUTES", "type": "int", "default": "30", "value": "45",
        "help": "how long a lockout lasts", "docs": "docs/web.md"}
    assert rows["CODINGWATCH_SECRET_KEY"]["value"] == "(set)"
    assert "s" * 60 not in result.stdout
    text = CliRunner().invoke(app, ["settings"])
    assert text.exit_code == 0 and "CODINGWATCH_PROVENANCE_GRACE_MIN" in text.stdout


def test_the_settings_command_names_a_value_it_cannot_use(monkeypatch):
    monkeypatch.setenv("CODINGWATCH_HSTS_SECONDS", "a year")
    result = CliRunner().invoke(app, ["settings"])
    assert result.exit_code != 0
    assert "CODINGWATCH_HSTS_SECONDS='a year' is not a whole number" in str(result.exception)

"""Fixtures for the X12 tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def x12_dir(shared_dir) -> Path:
    return shared_dir / "fixtures" / "x12"


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv("CODINGWATCH_SECRET_KEY", "test-secret-for-x12")

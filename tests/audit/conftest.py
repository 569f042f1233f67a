"""Fixtures of the audit tests: one grouper and one validator per session, and a code check."""

from __future__ import annotations

import pytest

from codingwatch.codesets import CodeValidator, Grouper
from tests.audit.audit_builders import Case


@pytest.fixture(scope="session")
def grouper():
    with Grouper() as g:
        yield g


@pytest.fixture(scope="session")
def validator():
    with CodeValidator() as v:
        yield v


@pytest.fixture
def assert_valid(validator):
    """Every code a test uses must be valid in FY2026 (the MCE), or the test proves nothing."""

    def check(case: Case) -> Case:
        day = case.encounter.date_of_service
        for line in case.coded + case.audited:
            result = validator.check(line.code_system, line.code, day)
            assert result.ok, result.reason
        return case

    return check



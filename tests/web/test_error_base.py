"""A CodingwatchError a page or the API lets through is shown as its message, never a server
error: here the lake's own error when a committed file has gone missing."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _break(lake_root) -> str:
    [parquet] = (lake_root / "encounters").glob("*.parquet")
    parquet.unlink()
    return parquet.name


def test_a_page_shows_the_lake_error_as_a_clear_message(login, director, lake, lake_root):
    missing = _break(lake_root)
    response = login(director).get("/")
    assert response.status_code == 400
    page = response.content.decode()
    assert "That cannot be done" in page
    assert missing in page and "codingwatch lake check --repair" in page  # what happened, what to do
    assert "Traceback" not in page and "Server Error" not in page


def test_the_api_answers_the_lake_error_in_json(login, director, lake, lake_root):
    missing = _break(lake_root)
    response = login(director).get("/api/totals")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert missing in detail and "codingwatch lake check --repair" in detail


def test_the_web_services_errors_are_codingwatch_errors():
    from codingwatch.errors import CodingwatchError
    from codingwatch.web.accounts.models import AppendOnlyError as AccessAppendOnly
    from codingwatch.web.audits.models import AppendOnlyError, AuditLocked
    from codingwatch.web.audits.services.bulk import BulkImportError
    from codingwatch.web.audits.services.draw import DrawRefused
    from codingwatch.web.audits.services.plan import PlanLocked
    from codingwatch.web.audits.services.workflow import WorkflowError
    from codingwatch.web.provenance.services import ActionError
    from codingwatch.web.sampling.services import SamplingInputError
    from codingwatch.web.vendors.services.roster import RosterError

    for error, builtin in ((AccessAppendOnly, RuntimeError), (AppendOnlyError, RuntimeError),
                           (AuditLocked, RuntimeError), (BulkImportError, ValueError), (DrawRefused, ValueError),
                           (PlanLocked, ValueError), (WorkflowError, ValueError), (ActionError, ValueError),
                           (SamplingInputError, ValueError), (RosterError, ValueError)):
        assert issubclass(error, CodingwatchError) and issubclass(error, builtin), error

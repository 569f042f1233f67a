"""What the quarterly review and the alert case page keep per lake load: the declared-vs-observed
comparison (per load and per every database input it reads) and a case's evidence table (per
load and per the case's evidence). A new load, or a changed declaration, is answered afresh."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scopes_disabled

from codingwatch.web.diligence import services as diligence
from codingwatch.web.diligence.models import Declaration
from codingwatch.web.provenance.models import AlertCase
from tests.web import provenance_fixtures as pf

access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned

pytestmark = pytest.mark.django_db


def _undeclared(vendor, declaration) -> list[str]:
    with scopes_disabled():
        found = diligence.declared_vs_observed(vendor, declaration)
    return sorted(d["subject"] for d in found["discrepancies"] if d["kind"] == "undeclared_country")


def test_declared_vs_observed_answers_a_new_load_and_a_changed_declaration_afresh(roster, access_lake):
    with scopes_disabled():
        declaration = Declaration.objects.create(vendor=roster["acme"], period_start=dt.date(2026, 3, 1),
                                                 period_end=dt.date(2026, 3, 31), work_countries=["US"])
    assert _undeclared(roster["acme"], declaration) == ["IN"]  # ac1 worked from Chennai
    assert _undeclared(roster["acme"], declaration) == ["IN"]  # kept: the same answer

    # a new load: ac1 also works from Manila
    pf.load(access_lake, pf.session("ac1-thu", "2026-03-05", "ac1", place="manila", device="ac1-vdi"), "week-1b.csv")
    assert _undeclared(roster["acme"], declaration) == ["IN", "PH"]

    # the declaration changes (no load): a new answer too
    declaration.work_countries = ["US", "IN"]
    with scopes_disabled():
        declaration.save()
    assert _undeclared(roster["acme"], declaration) == ["PH"]


def _evidence(page: str) -> str:
    return page.split('data-testid="evidence"', 1)[1].split("</table>", 1)[0]


def test_a_case_page_draws_the_evidence_of_a_new_load(client, compliance, scanned, access_lake):
    client.force_login(compliance)
    case = AlertCase.objects.get(rule="forbidden_country", login="bc1")
    url = f"/provenance/cases/{case.pk}/"
    first = _evidence(client.get(url).content.decode())
    assert "bc1-ph" in first and "not in the lake" not in first
    assert _evidence(client.get(url).content.decode()) == first, "the same load draws the same table"
    assert "bc1-replaced" not in first

    # a load that brings one of the case's evidence events again, seen from another device:
    # the next page shows it (nothing is drawn from before the load)
    [again] = [e for e in pf.session("bc1-tue", "2026-03-03", "bc1", place="manila", device="bc1-replaced")
               if e["event_id"] == "bc1-tue:1"]
    pf.load(access_lake, [again], "week-1-again.csv")
    after = _evidence(client.get(url).content.decode())
    assert "bc1-replaced" in after and after.count("<tr>") == first.count("<tr>") + 1

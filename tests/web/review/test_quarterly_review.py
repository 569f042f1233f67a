"""The quarterly business review: page, downloads, API and command; a vendor user sees their
own vendor's review only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django_scopes import scopes_disabled
from typer.testing import CliRunner

from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.diligence.models import Declaration, EvidenceDocument
from codingwatch.web.vendors.models import Contract, TurnaroundSLA

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(roster, lake):
    """Acme's contract (inpatient within 15 h), a declaration of US-only work, an expired pentest."""
    with scopes_disabled():
        contract = Contract.objects.create(vendor=roster["acme"], start_date=dt.date(2025, 1, 1),
                                           pricing="per_chart", price="6.50", rework_cost_per_denial="25.00")
        TurnaroundSLA.objects.create(contract=contract, encounter_type="inpatient", maximum_hours=15)
        Declaration.objects.create(vendor=roster["acme"], period_start=dt.date(2026, 1, 1),
                                   period_end=dt.date(2026, 3, 31), work_countries=["US"], vdi_only=True)
        EvidenceDocument.objects.create(vendor=roster["acme"], kind="pentest", issued_on=dt.date(2025, 1, 10))
    return roster


def test_the_review_shows_each_month_against_its_slas(login, director, reviewed):
    client = login(director)
    review = client.get("/api/review/acme/2026Q1").json()
    assert [m["month"] for m in review["months"]] == ["2026-01", "2026-02", "2026-03"]
    assert [m["charts"] for m in review["months"]] == [2, 1, 0]
    # January's inpatient charts took 10 h and 20 h against "within 15 h" (100% by default): breached
    january = [s for s in review["sla"] if s["month"] == "2026-01"]
    assert [(s["term"], s["target"], s["measured"], s["state"]) for s in january] == [
        ("turnaround, inpatient (standard): 100% within 15 h", "100.0%", "50.0%", "breached")]
    assert any("100% within 15 h breached" in a["item"] for a in review["actions"])
    assert any(a["source"] == "due diligence" and "Penetration test expired" in a["item"] for a in review["actions"])
    cost = {r["figure"]: r for r in review["cost"]["rows"]}
    assert cost["coding"]["measured"] == "$19.50"  # 3 charts x $6.50


def test_the_page_draws_its_charts_from_specs(login, director, reviewed):
    html = login(director).get("/review/acme/2026Q1/").content.decode()
    for name in ("trend", "volume"):
        assert f'data-testid="chart-{name}"' in html and f'id="qbr-chart-{name}"' in html
    assert 'data-testid="kpis"' in html and 'data-testid="actions"' in html


def test_the_downloads_are_a_standalone_document_a_pdf_and_json(login, director, reviewed):
    client = login(director)
    html = client.get("/review/acme/2026Q1.html")
    assert html.status_code == 200 and "attachment" in html["Content-Disposition"]
    text = html.content.decode()
    assert "<svg" in text and "<script" not in text and "/static/" not in text
    pdf = client.get("/review/acme/2026Q1.pdf")
    assert pdf.content.startswith(b"%PDF")
    data = json.loads(client.get("/review/acme/2026Q1.json").content)
    assert data["quarter"] == "2026Q1" and data["vendor"]["code"] == "acme"
    assert AccessEvent.objects.filter(object_type="quarterly-review", action=AccessEvent.EXPORT).count() == 3


def test_a_vendor_user_sees_their_own_review_and_never_anothers(login, acme_user, reviewed):
    client = login(acme_user)
    assert client.get("/review/acme/2026Q1/").status_code == 200
    assert client.get("/api/review/acme/2026Q1").status_code == 200
    for url in ("/review/bayside/2026Q1/", "/review/bayside/2026Q1.json", "/review/bayside/2026Q1.pdf",
                "/api/review/bayside/2026Q1"):
        assert client.get(url).status_code == 404, url
    assert "Bayside" not in client.get("/review/").content.decode()


def test_the_outsider_gets_404_on_every_new_diligence_url(login, bayside_user, reviewed):
    client = login(bayside_user)
    with scopes_disabled():
        document = EvidenceDocument.objects.get(vendor__code="acme")
    for url in ("/diligence/", "/diligence/rfp/", "/diligence/alerts/", "/diligence/vendors/acme/",
                "/diligence/vendors/acme/declared/", f"/diligence/documents/{document.pk}/file",
                "/api/diligence/vendors", "/api/diligence/vendors/acme", "/api/diligence/vendors/acme/declared",
                "/api/diligence/alerts", "/review/acme/2026Q1/", "/api/review/acme/2026Q1"):
        assert client.get(url).status_code == 404, url
    assert client.post("/diligence/vendors/acme/documents/", {"kind": "baa"}).status_code == 404


def test_a_bad_quarter_is_refused(login, director, reviewed):
    client = login(director)
    assert client.get("/review/acme/2026Q5/").status_code == 404
    response = client.get("/api/review/acme/spring")
    assert response.status_code == 400 and "write it as 2026Q2" in response.json()["detail"]


def test_the_command_writes_the_review(reviewed, tmp_path):
    from codingwatch.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["review", "quarterly", "--vendor", "acme", "--quarter", "2026q1", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout[result.stdout.index("{"):])
    assert data["quarter"] == "2026Q1" and len(data["months"]) == 3
    out = tmp_path / "qbr.html"
    result = runner.invoke(app, ["review", "quarterly", "--vendor", "Acme Coding", "--quarter", "2026Q1",
                                 "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Quarterly business review: Acme Coding, 2026Q1" in out.read_text()
    bad = runner.invoke(app, ["review", "quarterly", "--vendor", "nobody", "--quarter", "2026Q1"])
    assert bad.exit_code != 0 and "not on the roster" in str(bad.exception or bad.output)

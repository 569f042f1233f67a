"""The evidence chain of one chart: a denied, audited chart shows who coded it, the as-coded
and as-audited codes and findings, the 835 with its CARC and RARC, the finding <-> denial links
both ways, and what it did to the vendor's month; other vendors' users get 404."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django_scopes import scopes_disabled

from codingwatch.ingest.x12.load import ingest_remits
from codingwatch.lake.keys import source_key
from codingwatch.synth.x12_writer import write_835
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.audits.models import Finding
from tests.web import audit_fixtures as af
from tests.web.denials.test_denials_pages import _denied

pytestmark = pytest.mark.django_db

audit_lake, auditor, contracts, reviewed_audit = af.audit_lake, af.auditor, af.contracts, af.reviewed_audit


@pytest.fixture
def denied_chart(reviewed_audit, audit_lake, tmp_path):
    """An Acme chart of the reviewed audit that has findings, denied by the payer for coding (CARC 11 + M76)."""
    with open(af.CODED, newline="") as handle:
        ids = sorted({r["encounter_id"] for r in csv.DictReader(handle)})
    with scopes_disabled():
        with_findings = {f.case.encounter_key for f in Finding.objects.filter(case__audit=reviewed_audit)}
    source = next(i for i in ids if source_key(i) in with_findings)
    remit = tmp_path / "denied.835"
    remit.write_bytes(write_835([_denied(source, "11", ["M76"])], payment_date=dt.date(2026, 2, 25)))
    assert ingest_remits([remit], lake=audit_lake).rejected == []
    return source_key(source)


def test_the_chain_of_a_denied_audited_chart_shows_every_step(login, director, denied_chart):
    client = login(director)
    page = client.get(f"/encounters/{denied_chart}/chain/")
    assert page.status_code == 200
    html = page.content.decode()
    chain = client.get(f"/api/encounters/{denied_chart}/chain").json()
    coded = chain["coded"][0]
    assert coded["vendor"] == "acme" and coded["codes"] and coded["coder_id"] in html
    assert chain["audits"] and chain["audits"][0]["audited_lines"]
    assert chain["findings"], "the audit's findings on this chart"
    remit = chain["remits"][0]
    assert remit["denied"] and remit["coding_related"]
    assert [a["carc"] for a in remit["adjustments"]] == ["11"] and [m["code"] for m in remit["remarks"]] == ["M76"]
    # both ways: the denial names the findings, each finding names the denial
    assert remit["findings"] == [f["id"] for f in chain["findings"]]
    for f in chain["findings"]:
        assert f["denials"] == [{"load_id": remit["load_id"], "claim_row": remit["claim_row"],
                                 "coding_related": True, "carcs": ["11"]}]
        assert f'href="{f["url"]}"' in html
    assert f'/denials/claims/{remit["load_id"]}/{remit["claim_row"]}/' in html
    assert chain["impact"]["month"] == coded["coded_at"][:7]
    assert any("coding-related denial" in line for line in chain["impact"]["lines"])


def test_the_denied_claim_lists_the_findings_on_its_encounter(login, director, denied_chart):
    client = login(director)
    chain = client.get(f"/api/encounters/{denied_chart}/chain").json()
    remit = chain["remits"][0]
    claim = client.get(f"/api/denials/claims/{remit['load_id']}/{remit['claim_row']}").json()
    assert [f["id"] for f in claim["findings"]] == [f["id"] for f in chain["findings"]]
    page = client.get(f"/denials/claims/{remit['load_id']}/{remit['claim_row']}/").content.decode()
    assert chain["findings"][0]["url"] in page
    assert f'href="/encounters/{denied_chart}/chain/"' in page  # and back to the whole chain


def test_every_view_of_the_chain_is_in_the_trail(login, director, denied_chart):
    client = login(director)
    client.get(f"/encounters/{denied_chart}/chain/")
    client.get(f"/api/encounters/{denied_chart}/chain")
    events = AccessEvent.objects.filter(object_type="evidence-chain", object_id=denied_chart, username="dana")
    assert events.count() == 2


def test_another_vendors_user_gets_404(login, bayside_user, denied_chart):
    client = login(bayside_user)
    assert client.get(f"/encounters/{denied_chart}/chain/").status_code == 404
    assert client.get(f"/api/encounters/{denied_chart}/chain").status_code == 404


def test_the_vendors_own_user_sees_the_chart_but_not_a_draft_audits_findings(login, acme_user, denied_chart):
    chain = login(acme_user).get(f"/api/encounters/{denied_chart}/chain").json()
    assert chain["coded"] and chain["remits"]
    assert chain["findings"] == [] and chain["audits"] == []  # the audit is still the auditor's draft


def test_an_unknown_chart_is_404(login, director, denied_chart):
    assert login(director).get("/encounters/0123abc/chain/").status_code == 404

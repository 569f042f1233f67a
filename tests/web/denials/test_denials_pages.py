"""The denials page and its API: rates, reason codes, rework, recoveries and the drill-down
vendor -> coder -> claim, held to the denials engine and to the vendor scope."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa
import pytest
from django_scopes import scopes_disabled

from codingwatch import denials
from codingwatch.ingest.x12.load import ingest_remits
from codingwatch.lake import open_lake
from codingwatch.lake.keys import source_key
from codingwatch.lake.schema import CODE_LINES, ENCOUNTERS
from codingwatch.reports import charts
from codingwatch.synth.x12_writer import write_835
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.vendors.models import Contract
from tests.web.conftest import encounter_row

pytestmark = pytest.mark.django_db


def _paid(claim_id, charge="200.00", payment="120.00"):
    return {"claim_id": claim_id, "charge": charge, "payment": payment,
            "adjustments": [{"group": "CO", "carc": "45", "amount": str(Decimal(charge) - Decimal(payment))}]}


def _denied(claim_id, carc, remarks=(), charge="200.00"):
    return {"claim_id": claim_id, "status": "4", "charge": charge, "payment": "0",
            "adjustments": [{"group": "CO", "carc": carc, "amount": charge}], "remarks": list(remarks)}


@pytest.fixture
def denials_lake(lake_root, lake_from_template):
    """Acme: A1 denied for coding (CARC 11) then paid on resubmission, A2 paid, A3 denied for
    eligibility (CARC 27). Bayside: B1 denied for coding (CARC 16 + M76), B2 paid."""
    return lake_from_template("denials", build_denials_lake, lake_root)


def build_denials_lake(lake_root, tmp_path):
    lake = open_lake(lake_root)
    rows = [
        encounter_row(source_key("A1"), vendor="acme", coder="ac1", drg=291),
        encounter_row(source_key("A2"), vendor="acme", coder="ac1", drg=470, specialty="orthopedics"),
        encounter_row(source_key("A3"), vendor="acme", coder="ac2", encounter_type="outpatient"),
        encounter_row(source_key("B1"), vendor="bayside", coder="bc1", drg=871),
        encounter_row(source_key("B2"), vendor="bayside", coder="bc1", encounter_type="profee"),
    ]
    lines = [{"encounter_key": source_key("A1"), "code_system": "ICD10CM", "code": "I5023", "sequence": 1,
              "poa": "Y", "modifiers": "", "units": Decimal("1.00"), "load_id": "t"}]
    lake.commit_load(kind="encounters", source_name="t.csv", sha256="t", tables={
        "encounters": pa.Table.from_pylist(rows, schema=ENCOUNTERS),
        "code_lines": pa.Table.from_pylist(lines, schema=CODE_LINES)}, load_id="t")
    first = tmp_path / "first.835"
    first.write_bytes(write_835([_denied("A1", "11", ["M76"]), _paid("A2"), _denied("A3", "27"),
                                 _denied("B1", "16", ["M76"]), _paid("B2")], payment_date=dt.date(2026, 2, 25)))
    later = tmp_path / "later.835"
    later.write_bytes(write_835([_paid("A1", payment="130.00")], payment_date=dt.date(2026, 3, 25), control=2))
    report = ingest_remits([first, later], lake=lake)
    assert report.rejected == []
    return lake


def _claim_url(lake, claim_id, api=False):
    con = lake.connect()
    t = con.table("remit_claims")
    row = t.filter((t.encounter_key == source_key(claim_id)) & (t.claim_status == "4")).execute().iloc[0]
    return f"{'/api/denials' if api else '/denials'}/claims/{row.load_id}/{row.claim_row}"


def test_the_rates_by_vendor_are_the_engines(login, director, denials_lake):
    got = login(director).get("/api/denials/rates/vendor").json()["rows"]
    expected = denials.denial_rates(denials.from_lake(denials_lake.connect())["linked"], ["vendor"]).execute()
    assert [(r["key"], r["claims"], r["denied"], r["coding_denied"]) for r in got] == [
        (r.vendor, r.claims, r.denied, r.coding_denied) for r in expected.itertuples()]
    acme = next(r for r in got if r["key"] == "acme")
    assert (acme["claims"], acme["denied"], acme["coding_denied"]) == (4, 2, 1)


def test_every_breakdown_of_the_page_answers(login, director, denials_lake):
    client = login(director)
    for by in ("vendor", "coder", "specialty", "payer", "month"):
        assert client.get(f"/api/denials/rates/{by}").status_code == 200, by
    assert client.get("/api/denials/rates/facility").status_code == 400


def test_the_overview_shows_rates_reason_codes_and_recoveries(login, director, denials_lake):
    page = login(director).get("/denials/")
    text = page.content.decode()
    assert page.status_code == 200
    for section in ("vendor", "coder", "specialty", "payer", "month", "carcs"):
        assert f'data-testid="chart-{section}"' in text
    assert "Diagnosis does not support the procedure" in text  # CARC 11 in our words
    assert "1 claims, $130.00" in text  # A1 recovered on resubmission


def test_the_nav_links_the_denials_page(login, acme_user, denials_lake):
    assert 'href="/denials/"' in login(acme_user).get("/").content.decode()


def test_a_vendor_user_sees_only_its_own_vendors_denials(login, acme_user, denials_lake):
    client = login(acme_user)
    rows = client.get("/api/denials/rates/vendor").json()["rows"]
    assert [r["key"] for r in rows] == ["acme"]
    assert "bayside" not in client.get("/denials/").content.decode()
    carcs = {r["carc"] for r in client.get("/api/denials/carcs").json()}
    assert carcs == {"11", "27"}  # not Bayside's CARC 16


@pytest.mark.parametrize("path", [
    "/denials/vendors/bayside/", "/denials/coders/bc1/", "/denials/rates/month.csv?vendor=bayside",
    "/denials/rates/month/table/?coder=bc1", "/api/denials/vendors/bayside", "/api/denials/coders/bc1",
    "/api/denials/rates/month?vendor=bayside", "/api/denials/carcs?coder=bc1", "/api/denials/summary?vendor=bayside",
])
def test_a_vendor_user_asking_for_another_vendors_denials_gets_404(login, acme_user, denials_lake, path):
    assert login(acme_user).get(path).status_code == 404


@pytest.mark.parametrize("api", [False, True])
def test_a_vendor_user_asking_for_another_vendors_claim_gets_404_and_nothing_is_recorded(
        login, acme_user, denials_lake, api):
    assert login(acme_user).get(_claim_url(denials_lake, "B1", api) + ("" if api else "/")).status_code == 404
    assert not AccessEvent.objects.filter(object_type="denials-claim").exists()


def test_the_drill_down_goes_from_vendor_to_coder_to_claim(login, director, denials_lake):
    client = login(director)
    vendor = client.get("/denials/vendors/acme/").content.decode()
    assert 'href="/denials/coders/ac1/"' in vendor
    coder = client.get("/denials/coders/ac1/").content.decode()
    claim_url = _claim_url(denials_lake, "A1") + "/"
    assert f'href="{claim_url}"' in coder
    claim = client.get(claim_url).content.decode()
    assert "I5023" in claim  # the encounter's codes as coded
    assert "Diagnosis or condition missing or invalid" in claim  # RARC M76 in our words


def test_a_claim_page_view_is_recorded_in_the_access_trail(login, acme_user, denials_lake):
    url = _claim_url(denials_lake, "A1")
    login(acme_user).get(url + "/")
    event = AccessEvent.objects.get(object_type="denials-claim")
    assert (event.username, event.action, event.object_id) == ("amit", "view", url.split("/claims/")[1])


def test_a_claim_read_through_the_api_is_recorded_and_carries_the_catalog_descriptions(
        login, director, denials_lake):
    body = login(director).get(_claim_url(denials_lake, "A1", api=True)).json()
    assert body["coding_related"] is True and body["coder"] == "ac1"
    assert {(a["carc"], a["coding_related"]) for a in body["adjustments"]} == {("11", "yes")}
    assert AccessEvent.objects.filter(object_type="denials-claim", action="view").count() == 1


def test_an_export_is_scoped_and_recorded(login, acme_user, denials_lake):
    response = login(acme_user).get("/denials/rates/coder.csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("coder,claims,denied,coding_denied")
    assert {line.split(",")[0] for line in lines[1:]} == {"ac1", "ac2"}
    assert AccessEvent.objects.filter(action="export", object_type="denials-by-coder").count() == 1


def test_rework_cost_comes_from_the_contract_else_the_setting(login, director, denials_lake, roster, monkeypatch):
    monkeypatch.setenv("CODINGWATCH_DENIAL_REWORK_COST", "25.00")
    with scopes_disabled():
        Contract.objects.create(vendor=roster["acme"], start_date=dt.date(2025, 10, 1), pricing="per_chart",
                                price=Decimal("6.50"), rework_cost_per_denial=Decimal("43.84"))
    rework = {r["vendor"]: r for r in login(director).get("/api/denials/summary").json()["rework"]}
    assert Decimal(rework["acme"]["rework_cost"]) == Decimal("43.84")  # one coding denial
    assert Decimal(rework["bayside"]["rework_cost"]) == Decimal("25.00")
    assert rework["bayside"]["source"] == "CODINGWATCH_DENIAL_REWORK_COST"


def test_anonymous_visitors_are_sent_to_log_in(client, denials_lake):
    assert client.get("/denials/").status_code == 302
    assert client.get("/api/denials/rates/vendor").status_code == 401


def test_the_chart_specs_are_valid_vega_lite(login, director, denials_lake):
    client = login(director)
    rows = client.get("/api/denials/rates/month").json()["rows"]
    charts.denial_rates_spec(rows, "Month", month=True, validate=True)
    charts.denial_rates_spec(rows, "Month", validate=True)
    charts.denial_reasons_spec(client.get("/api/denials/carcs").json(), validate=True)
    assert json.dumps(rows)


def test_the_page_answers_before_any_remittance_is_loaded(login, director, lake):
    page = login(director).get("/denials/")
    assert page.status_code == 200
    assert "No remittances in the lake yet" in page.content.decode()
    assert login(director).get("/api/denials/summary").json()["claims"] == 0

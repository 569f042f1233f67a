"""What a production server promises beyond the pages: nothing a login protects is cached
(`Cache-Control: no-store`), the API's offset and limit are bounded (422 in JSON), every API
error is JSON, and /healthz tells a load balancer whether the database and the lake answer."""

from __future__ import annotations

import pytest

from codingwatch.web.accounts import roles
from codingwatch.web.paging import MAX_LIMIT, MAX_OFFSET
from tests.web import provenance_fixtures as pf
from tests.web.conftest import PersonaClient, make_user
from tests.web.denials.test_denials_pages import _claim_url, denials_lake  # noqa: F401 (a fixture)

access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned

pytestmark = pytest.mark.django_db


def assert_not_stored(client, paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response["Cache-Control"] == "no-store", path


# ---- Cache-Control: no-store on chart-level responses ---------------------------------------------

def test_audit_cases_review_findings_and_the_report_are_never_stored(client, auditor, reviewed_audit):
    client.force_login(auditor)
    pk = reviewed_audit.pk
    assert_not_stored(client, [f"/audits/{pk}/", f"/audits/{pk}/cases/1/", f"/audits/{pk}/report.html",
                               f"/api/audits/{pk}/cases", f"/api/audits/{pk}/findings", f"/api/audits/{pk}"])
    lines = {"code_system": ["ICD10CM"], "code": ["I50.21"], "sequence": ["1"], "poa": ["Y"], "modifiers": [""],
             "units": ["1"], "discharge_status": "01"}
    for answer in (client.post(f"/audits/{pk}/cases/1/preview/", lines), client.post(f"/audits/{pk}/cases/1/reveal/")):
        assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"


def test_access_alert_evidence_and_its_exports_are_never_stored(client, compliance, scanned):
    from codingwatch.web.provenance.models import ProvenanceAlert

    alert = ProvenanceAlert.objects.order_by("pk").first().pk
    client.force_login(compliance)
    assert_not_stored(client, ["/provenance/", f"/provenance/alerts/{alert}/", "/provenance/alerts.csv",
                               "/api/provenance/alerts", f"/api/provenance/alerts/{alert}"])


def test_denied_claim_lists_and_claims_are_never_stored(login, director, denials_lake):  # noqa: F811
    client = login(director)
    assert_not_stored(client, ["/denials/coders/ac1/", _claim_url(denials_lake, "A3") + "/",
                               _claim_url(denials_lake, "A3", api=True), "/api/denials/coders/ac1",
                               "/denials/rates/coder.csv"])


def test_aggregate_pages_and_exports_are_not_stored_either(login, director, lake):
    # The rule is every response a login protects, so a page added later cannot be missed.
    assert_not_stored(login(director), ["/", "/vendors/", "/vendors/acme/", "/coders/ac1/", "/figures/vendor.csv",
                                        "/api/figures/vendor", "/api/docs"])


def test_a_redirect_after_a_post_and_an_error_page_are_not_stored(login, director, lake):
    client = login(director)
    assert client.get("/vendors/nobody/")["Cache-Control"] == "no-store"
    logout = client.post("/logout/")
    assert logout.status_code == 302 and logout["Cache-Control"] == "no-store"


def test_public_responses_keep_their_own_caching(client, db):
    assert "no-store" in client.get("/login/")["Cache-Control"]  # Django's never_cache
    redirect = client.get("/audits/")
    assert redirect.status_code == 302 and redirect["Cache-Control"] == "no-store"
    # the chart library script is the same file for everyone, public like a static file
    assert client.get("/assets/vega-bundle.js")["Cache-Control"] == "public, max-age=86400"


# ---- API input bounds --------------------------------------------------------------------------------

@pytest.mark.parametrize("query, field", [
    ("offset=-1", "offset"), (f"offset={MAX_OFFSET + 1}", "offset"), ("offset=99999999999999999999", "offset"),
    ("limit=0", "limit"), (f"limit={MAX_LIMIT + 1}", "limit"), ("limit=1000000000", "limit"),
    ("limit=ten", "limit"),
])
def test_out_of_bounds_offsets_and_limits_answer_422_in_json(client, compliance, scanned, query, field):
    client.force_login(compliance)
    response = client.get(f"/api/provenance/alerts?{query}")
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/json")
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["query", field]


def test_a_negative_offset_is_named_with_its_reason(client, compliance, scanned):
    client.force_login(compliance)
    assert client.get("/api/provenance/alerts?offset=-1").json() == {"detail": [
        {"type": "greater_than_equal", "loc": ["query", "offset"], "msg": "Input should be greater than or equal to 0",
         "ctx": {"ge": 0}}]}


def test_offsets_and_limits_inside_the_bounds_page_through_the_queue(client, compliance, scanned):
    client.force_login(compliance)
    everything = client.get(f"/api/provenance/alerts?status=all&limit={MAX_LIMIT}").json()
    assert everything["count"] == len(everything["alerts"]) >= 3
    ids = [a["id"] for a in everything["alerts"]]
    second = client.get("/api/provenance/alerts?status=all&offset=1&limit=2").json()
    assert [a["id"] for a in second["alerts"]] == ids[1:3] and second["offset"] == 1
    assert client.get(f"/api/provenance/alerts?status=all&offset={MAX_OFFSET}").json()["alerts"] == []


def test_the_openapi_document_states_the_bounds(client, compliance):
    client.force_login(compliance)
    schema = client.get("/api/openapi.json").json()
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/provenance/alerts"]["get"]["parameters"]}
    assert (params["offset"]["minimum"], params["offset"]["maximum"]) == (0, MAX_OFFSET)
    assert (params["limit"]["minimum"], params["limit"]["maximum"]) == (1, MAX_LIMIT)


# ---- every API error is JSON -----------------------------------------------------------------------

def test_an_unknown_api_path_answers_404_in_json(login, director):
    response = login(director).get("/api/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_the_read_only_role_refused_a_post_gets_json(client, roster):
    client.force_login(make_user("ed", roles.EXECUTIVE))
    response = client.post("/api/costs/evaluate", {"preset": "hfma-2018"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "This role is read only."}


def test_a_server_error_in_the_api_answers_500_in_json_without_a_traceback(director, lake, lake_root):
    # A real failure below the endpoint: the lake's Parquet file is damaged after it was committed.
    [parquet] = (lake_root / "encounters").glob("*.parquet")
    parquet.write_bytes(b"not a parquet file")
    client = PersonaClient(raise_request_exception=False)  # logged in with both factors
    client.force_login(director)
    response = client.get("/api/totals")
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal Server Error"}
    assert "parquet" not in response.content.decode().lower()


def test_a_missing_login_and_a_bad_parameter_stay_json(client, director):
    assert client.get("/api/provenance/alerts?offset=-1").json() == {"detail": "Authentication required: log in first"}
    client.force_login(director)
    response = client.get("/api/figures/vendor?vendor=nobody")
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


# ---- /healthz ------------------------------------------------------------------------------------

@pytest.mark.postgres
def test_healthz_answers_without_a_login_and_says_nothing_but_ok(client, lake):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "lake": "ok"}}
    assert response["Cache-Control"] == "no-store"


def test_healthz_writes_no_access_trail(client, lake):
    from codingwatch.web.accounts.models import AccessEvent

    client.get("/healthz")
    assert not AccessEvent.objects.exists()


def test_healthz_fails_when_the_lake_folder_is_gone(client, lake_root):
    # lake_root is set as CODINGWATCH_LAKE but never created
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"database": "ok", "lake": "unreadable"}}
    assert str(lake_root) not in response.content.decode()


def test_healthz_fails_when_a_committed_file_is_missing(client, lake, lake_root):
    [parquet] = (lake_root / "encounters").glob("*.parquet")
    parquet.unlink()
    assert client.get("/healthz").json()["checks"]["lake"] == "unreadable"


def test_healthz_fails_when_a_manifest_does_not_parse(client, lake, lake_root):
    [manifest] = (lake_root / "_loads").glob("*.json")
    manifest.write_text("{not json")
    assert client.get("/healthz").status_code == 503


def test_healthz_fails_when_the_database_does_not_answer(client, lake, monkeypatch):
    from django.db import connection

    def closed(*args, **kwargs):
        from django.db import OperationalError

        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", closed)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unreachable", "lake": "ok"}


def test_healthz_refuses_a_post(client, lake):
    assert client.post("/healthz").status_code == 405

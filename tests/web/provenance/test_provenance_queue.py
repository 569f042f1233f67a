"""The alerts queue: the scan stores alerts once, compliance assigns, comments and resolves,
a false positive becomes a suppression rule that silences matching alerts of later scans,
and the evidence page shows the events behind an alert and writes the access trail."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.provenance import services
from codingwatch.web.provenance.models import ProvenanceAlert, Suppression
from tests.web import provenance_fixtures as pf

# the module's fixtures
access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned

pytestmark = [pytest.mark.django_db]


def forbidden(day: str) -> ProvenanceAlert:
    return ProvenanceAlert.objects.get(rule="forbidden_country", login="bc1", window_start__date=day)


def test_the_scan_raises_the_contract_breaches_of_the_week(scanned):
    alerts = {(a.rule, a.login, a.window_start.date().isoformat()) for a in ProvenanceAlert.objects.all()}
    assert ("forbidden_country", "bc1", "2026-03-03") in alerts
    assert ("forbidden_country", "bc1", "2026-03-04") in alerts
    assert ("local_phi", "ac1", "2026-03-02") in alerts
    assert not any(rule == "forbidden_country" and day == "2026-03-02" for rule, _, day in alerts)
    tuesday = forbidden("2026-03-03")
    assert tuesday.vendor_code == "bayside" and tuesday.countries == ["PH"] and tuesday.devices == ["bc1-ph"]
    assert tuesday.status == ProvenanceAlert.OPEN


def test_scanning_again_stores_no_alert_twice(access_lake, scanned):
    stored = ProvenanceAlert.objects.count()
    again = services.scan(takeover=False, lake=access_lake)
    assert scanned.new == stored > 0
    assert again.found == scanned.found and again.new == 0
    assert ProvenanceAlert.objects.count() == stored


def test_the_management_command_scans_and_reports_as_json(access_lake, capsys):
    call_command("provenance_scan", "--no-takeover", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["alerts_new"] == ProvenanceAlert.objects.count() > 0
    assert result["new_by_rule"]["forbidden_country"] == 2


def test_the_queue_filters_and_sorts(client, compliance, scanned):
    client.force_login(compliance)
    page = client.get("/provenance/?rule=local_phi").content.decode()
    assert "ac1" in page and "bc1" not in page
    api = client.get("/api/provenance/alerts?vendor=bayside&sort=-window_start").json()
    assert [a["window_start"][:10] for a in api["alerts"]] == ["2026-03-04", "2026-03-03"]
    assert client.get("/api/provenance/alerts?severity=low").json()["count"] == 0
    csv = client.get("/provenance/alerts.csv?rule=forbidden_country").content.decode().splitlines()
    assert len(csv) == 3 and csv[0].startswith("id,rule,severity,login")
    assert AccessEvent.objects.filter(action=AccessEvent.EXPORT, object_type="provenance-alerts").count() == 1


def test_compliance_assigns_comments_and_resolves_with_a_reason(client, compliance, scanned):
    alert = forbidden("2026-03-03")
    client.force_login(compliance)
    client.post(f"/provenance/alerts/{alert.pk}/assign/", {"assignee": "cora"})
    client.post(f"/provenance/alerts/{alert.pk}/comment/", {"text": "asked Bayside for the VPN logs"})
    refused = client.post(f"/provenance/alerts/{alert.pk}/resolve/", {"reason": " ", "outcome": "resolved"}, follow=True)
    assert "needs a reason" in refused.content.decode()
    client.post(f"/provenance/alerts/{alert.pk}/resolve/", {"reason": "breach reported to the vendor", "outcome": "resolved"})
    alert.refresh_from_db()
    assert alert.assigned_to == compliance and alert.comments.get().text == "asked Bayside for the VPN logs"
    assert (alert.status, alert.resolution, alert.resolved_by) == ("resolved", "breach reported to the vendor", compliance)
    assert not Suppression.objects.exists()
    assert client.get("/api/provenance/alerts?assigned=me&status=all").json()["count"] == 1


def test_an_alert_cannot_be_assigned_to_someone_who_does_not_work_the_queue(client, compliance, director, scanned):
    alert = forbidden("2026-03-03")
    client.force_login(compliance)
    response = client.post(f"/api/provenance/alerts/{alert.pk}/assign", {"assignee": "dana"},
                           content_type="application/json")
    assert response.status_code == 422 and "does not work the provenance queue" in response.json()["detail"]


def test_a_false_positive_silences_matching_alerts_of_the_next_scan(client, compliance, access_lake, scanned):
    alert = forbidden("2026-03-03")
    client.force_login(compliance)
    response = client.post(f"/api/provenance/alerts/{alert.pk}/resolve",
                           {"reason": "approved travel to Manila", "false_positive": True, "country": "PH"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "false_positive"
    rule = Suppression.objects.get()
    assert (rule.rule, rule.login, rule.country, rule.device, rule.created_by) == (
        "forbidden_country", "bc1", "PH", "", compliance)
    assert rule.reason == "approved travel to Manila" and rule.source_alert == alert
    # the next week: bc1 in Manila again on Monday, and from Chennai on Tuesday
    pf.load(access_lake, pf.session("bc1-mon2", "2026-03-09", "bc1", place="manila", device="bc1-ph")
            + pf.session("bc1-tue2", "2026-03-10", "bc1", place="chennai", device="bc1-in"), "week-2.csv")
    result = services.scan(takeover=False, lake=access_lake)
    assert result.new == 2 and result.suppressed == 1
    assert forbidden("2026-03-09").status == ProvenanceAlert.SUPPRESSED
    assert forbidden("2026-03-09").suppressed_by == rule
    assert forbidden("2026-03-10").status == ProvenanceAlert.OPEN  # another country: not silenced
    assert forbidden("2026-03-04").status == ProvenanceAlert.OPEN  # stored before the rule: left as it was
    assert client.get("/api/provenance/alerts?vendor=bayside").json()["count"] == 2


def test_a_suppression_can_only_name_a_country_the_alert_saw(client, compliance, scanned):
    alert = forbidden("2026-03-03")
    client.force_login(compliance)
    response = client.post(f"/api/provenance/alerts/{alert.pk}/resolve",
                           {"reason": "x", "false_positive": True, "country": "IN"}, content_type="application/json")
    assert response.status_code == 422 and "not among the alert's countries" in response.json()["detail"]
    assert not Suppression.objects.exists()


def test_the_evidence_page_shows_the_events_and_a_chart_and_writes_the_access_trail(client, compliance, scanned):
    alert = forbidden("2026-03-03")
    client.force_login(compliance)
    page = client.get(f"/provenance/alerts/{alert.pk}/").content.decode()
    for i in range(6):
        assert f"bc1-tue:{i}" in page
    assert "bc1-wed:0" not in page and "bc1-mon:0" not in page
    assert 'data-chart="chart-evidence-spec"' in page and 'id="chart-evidence-spec"' in page
    trail = AccessEvent.objects.filter(object_type="provenance-alert", object_id=str(alert.pk))
    assert [(t.user, t.action) for t in trail] == [(compliance, AccessEvent.VIEW)]
    detail = client.get(f"/api/provenance/alerts/{alert.pk}").json()
    assert [e["event_id"] for e in detail["events"]] == sorted(alert.evidence) == [f"bc1-tue:{i}" for i in range(6)]
    assert trail.all().count() == 2  # the API read is recorded too


def test_a_refused_request_writes_no_trail(client, director, scanned):
    alert = forbidden("2026-03-03")
    client.force_login(director)
    assert client.get(f"/provenance/alerts/{alert.pk}/").status_code == 403
    assert not AccessEvent.objects.filter(object_type="provenance-alert").exists()


def test_the_vendor_summary_gives_shares_by_country_credential_and_sharing(client, director, scanned):
    client.force_login(director)
    sections = {s["vendor"]: s for s in client.get("/api/provenance/summary").json()}
    bayside = sections["bayside"]
    countries = {r["key"]: r for r in bayside["by_country"]}
    assert set(countries) == {"US", "PH"}
    assert countries["PH"]["events"] == 12 and countries["US"]["events"] == 6
    assert countries["PH"]["event_share"] == pytest.approx(12 / 18, abs=1e-4)
    assert [r["key"] for r in bayside["by_credential"]] == ["no credential on file"]
    assert [r["key"] for r in sections["acme"]["by_credential"]] == ["verified credential"]
    assert [r["key"] for r in bayside["by_sharing"]] == ["no sharing alert"]
    page = client.get("/provenance/summary/?vendor=bayside").content.decode()
    assert 'data-testid="vendor-bayside"' in page and 'data-testid="vendor-acme"' not in page
    assert "PH" in page and 'id="chart-summary-0"' in page
    assert "is not a date" in client.get("/provenance/summary/?start=March").content.decode()

"""Who reaches the provenance module: every page and API endpoint, seen by each role.

Compliance and admin work the alerts queue; every staff role reads the vendor summary; a
vendor user gets 404 on every URL and endpoint of the module, as if it did not exist."""

from __future__ import annotations

import pytest

from codingwatch.web.accounts import roles
from codingwatch.web.provenance.models import ProvenanceAlert
from tests.web import provenance_fixtures as pf

# the module's fixtures
access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned

pytestmark = [pytest.mark.django_db]

QUEUE_READS = ["/provenance/", "/provenance/?rule=forbidden_country&sort=-window_start", "/provenance/alerts.csv",
               "/provenance/alerts/{id}/", "/provenance/suppressions/", "/api/provenance/alerts",
               "/api/provenance/alerts/{id}", "/api/provenance/suppressions"]
SUMMARY_READS = ["/provenance/summary/", "/provenance/summary/?vendor=bayside", "/api/provenance/summary"]


def expected(role: str, module: str) -> int:
    if role == roles.VENDOR:
        return 404
    return 200 if roles.may_open(role, module) else 403


@pytest.fixture
def alert_id(scanned):
    return ProvenanceAlert.objects.order_by("pk").first().pk


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_each_role_gets_what_the_provenance_module_allows_on_every_read(client, user_of_role, alert_id, role):
    client.force_login(user_of_role(role))
    for path in QUEUE_READS:
        path = path.format(id=alert_id)
        assert client.get(path).status_code == expected(role, "provenance"), (role, path)
    for path in SUMMARY_READS:
        assert client.get(path).status_code == expected(role, "provenance_summary"), (role, path)


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_only_compliance_and_admin_may_act_on_an_alert(client, user_of_role, alert_id, role):
    client.force_login(user_of_role(role))
    allowed = role in (roles.ADMIN, roles.COMPLIANCE)
    refused = 404 if role == roles.VENDOR else 403
    pages = [client.post(f"/provenance/alerts/{alert_id}/assign/", {"assignee": "me"}),
             client.post(f"/provenance/alerts/{alert_id}/comment/", {"text": "looking"}),
             client.post(f"/provenance/alerts/{alert_id}/resolve/", {"reason": "contract amended", "outcome": "resolved"})]
    assert [r.status_code for r in pages] == [302 if allowed else refused] * 3, role
    api = [client.post(f"/api/provenance/alerts/{alert_id}/assign", {"assignee": "me"}, content_type="application/json"),
           client.post(f"/api/provenance/alerts/{alert_id}/comments", {"text": "x"}, content_type="application/json")]
    assert [r.status_code for r in api] == [200 if allowed else refused, 201 if allowed else refused], role
    alert = ProvenanceAlert.objects.get(pk=alert_id)
    assert (alert.status == ProvenanceAlert.RESOLVED) == allowed
    assert alert.comments.count() == (2 if allowed else 0)


def test_a_vendor_user_gets_404_even_for_an_alert_on_their_own_vendor(client, acme_user, scanned):
    own = ProvenanceAlert.objects.filter(vendor_code="acme").first()
    assert own is not None
    client.force_login(acme_user)
    for path in (f"/provenance/alerts/{own.pk}/", f"/api/provenance/alerts/{own.pk}",
                 "/api/provenance/alerts?vendor=acme", "/provenance/summary/?vendor=acme"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/api/provenance/alerts/{own.pk}/resolve", {"reason": "fine"},
                       content_type="application/json").status_code == 404


def test_the_navigation_shows_the_module_links_only_to_roles_that_may_open_them(client, user_of_role):
    for role in roles.ROLES:
        client.force_login(user_of_role(role))
        page = client.get("/vendors/").content.decode()
        assert ('href="/provenance/cases/"' in page) == roles.may_open(role, "provenance"), role
        assert ('href="/provenance/summary/"' in page) == roles.may_open(role, "provenance_summary"), role


def test_anonymous_requests_are_sent_to_log_in(client, db):
    assert client.get("/provenance/").status_code == 302
    assert client.get("/provenance/summary/").status_code == 302
    assert client.get("/api/provenance/alerts").status_code == 401


def test_the_admin_screens_list_alerts_and_suppressions_read_only(client, user_of_role, alert_id):
    client.force_login(user_of_role(roles.ADMIN))
    assert client.get("/admin/provenance/provenancealert/").status_code == 200
    assert client.get("/admin/provenance/suppression/").status_code == 200
    assert client.get("/admin/provenance/provenancealert/add/").status_code == 403

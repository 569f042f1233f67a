"""A second organization sees nothing of the first: every page and API route, lists and details.

The first organization ("Test Health") has the standing roster (Acme, Bayside, their coders,
North Hospital), a lake with their charts, a reviewed audit with findings, a saved cost
scenario, an access alert with a comment and a suppression rule. The second ("Other Health")
has its own vendor and users. Every URL pattern of the app and of the API is asked for by the
second organization's administrator (who may open every module) with the first
organization's ids filled in; no answer may name anything of the first.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from codingwatch.web.accounts import roles
from codingwatch.web.organizations.models import Organization
from codingwatch.web.vendors.models import Coder, Vendor
from tests.web.conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# Words that name the first organization's data (as whole words: codes, logins, names).
MARKERS = [r"\bdana\b", r"\bacme\b", r"\bbayside\b", r"\bac1\b", r"\bac2\b", r"\bbc1\b", "Acme Coding", "Bayside Coders",
           "Test Health", "North Hospital", "HFMA as published", "Acme February", "first-org-alert-detail",
           "first-org-comment", "approved travel for the first"]


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or ""


def fill(route: str, values: dict) -> str:
    """'audits/<int:pk>/cases/<int:number>/' -> 'audits/7/cases/1/' (the first organization's ids)."""
    route = route.lstrip("^").rstrip("$")

    def value(match):
        name = match.group("name")
        key = f"{route.split('/')[0] if not route.startswith('api/') else route.split('/')[1]}:{name}"
        return str(values.get(key, values.get(name, "1")))

    return "/" + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", value, route)


@pytest.fixture
def first(roster, auditor, reviewed_audit, saved_scenario, director):
    from codingwatch.web.provenance.models import AlertComment, ProvenanceAlert, Suppression

    org = roster["acme"].organization
    start = dt.datetime(2026, 3, 3, 9, tzinfo=dt.UTC)
    alert = ProvenanceAlert.objects.create(
        fingerprint="f" * 64, rule="forbidden_country", severity="high", severity_rank=0, login="ac1",
        vendor_code="acme", window_start=start, window_end=start + dt.timedelta(hours=1), event_count=3,
        evidence=[], detail="first-org-alert-detail", countries=["PH"], organization=org)
    AlertComment.objects.create(alert=alert, author=director, text="first-org-comment")
    Suppression.objects.create(rule="off_hours", login="ac1", reason="approved travel for the first",
                               created_by=director, source_alert=alert, organization=org)
    finding = reviewed_audit.cases.filter(findings__isnull=False).first().findings.first()
    return {"audit": reviewed_audit, "alert": alert, "scenario": saved_scenario, "finding": finding}


@pytest.fixture
def other_admin(roster):
    other = Organization.objects.create(name="Other Health")
    zeta = Vendor.objects.create(organization=other, code="zeta", name="Zeta Coding", delivery_model="onshore",
                                 work_locations=["US"])
    Coder.objects.create(login_id="zc1", vendor=zeta, location="US", start_date=dt.date(2025, 1, 1))
    user = make_user("oscar", roles.ADMIN)
    user.organization = other
    user.save()
    return user


def first_org_values(first) -> dict:
    audit, alert, scenario, finding = first["audit"], first["alert"], first["scenario"], first["finding"]
    return {
        "audits:pk": audit.pk, "audit_id": audit.pk, "finding_id": finding.pk, "number": 1,
        "provenance:pk": alert.pk, "alert_id": alert.pk, "costs:pk": scenario.pk, "scenario_id": scenario.pk,
        "code": "acme", "login_id": "ac1", "by": "vendor", "fmt": "csv", "name": "route", "action": "agree",
        "load_id": "t", "claim_row": 0,
        "admin:object_id": 1, "admin:app_label": "vendors", "admin:content_type_id": 1, "admin:url": "x",
    }


def assert_names_nothing_of_the_first(path: str, response) -> None:
    assert response.status_code < 500, f"{path}: {response.status_code}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8", "replace")
    for marker in MARKERS:
        found = re.search(marker, text)
        assert found is None, f"{path} names {found.group(0)!r} of the first organization"


def test_every_route_answers_the_second_organization_with_nothing_of_the_first(login, first, other_admin, lake,
                                                                              client):

    # The first organization's users have logged in (and failed once): the login log and their
    # authenticators are theirs.
    client.post("/login/", {"username": "dana", "password": "wrong"})
    login(first["audit"].created_by)
    client = login(other_admin)
    values = first_org_values(first)
    routes = sorted(set(walk(get_resolver().url_patterns)))
    assert len(routes) > 60  # the app's pages, the admin screens and the API
    asked = 0
    for route, name in routes:
        path = fill(route, values)
        if name in ("logout",) or path.startswith(("/oidc/", "/mfa/")):
            continue
        response = client.get(path)
        assert_names_nothing_of_the_first(path, response)
        asked += 1
    assert asked > 60


@pytest.mark.parametrize("path", [
    "/vendors/acme/", "/coders/ac1/", "/denials/vendors/acme/", "/denials/coders/ac1/", "/figures/vendor.csv?vendor=acme",
    "/api/vendors/acme", "/api/coders/ac1", "/api/figures/month?vendor=acme", "/api/denials/vendors/acme",
    "/api/denials/coders/ac1",
])
def test_the_first_organizations_vendors_and_coders_do_not_exist_for_the_second(login, first, other_admin, lake, path):
    assert login(other_admin).get(path).status_code == 404


def test_no_administrator_sees_an_authenticator_secret_and_none_of_another_organization(login, first, other_admin,
                                                                                       user_of_role):
    from tests.web.conftest import enrol

    device = enrol(first["audit"].created_by)
    own_admin = user_of_role(roles.ADMIN)
    own_admin.organization = first["audit"].vendor.organization
    own_admin.save()
    for admin_user, own in ((other_admin, False), (own_admin, True)):
        client = login(admin_user)
        assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403
        assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/").status_code == 403
        change = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
        assert (change.status_code == 200) is own  # another organization's device: not found
        if own:
            assert device.key not in change.content.decode()


def test_the_first_organizations_records_do_not_exist_for_the_second(login, first, other_admin):
    client = login(other_admin)
    audit, alert, scenario = first["audit"].pk, first["alert"].pk, first["scenario"].pk
    for path in (f"/audits/{audit}/", f"/audits/{audit}/cases/1/", f"/api/audits/{audit}", f"/api/audits/{audit}/cases",
                 f"/api/audits/{audit}/findings", f"/provenance/alerts/{alert}/", f"/api/provenance/alerts/{alert}",
                 f"/costs/?saved={scenario}", f"/api/costs/scenarios/{scenario}",
                 f"/api/costs/scenarios/{scenario}/evaluate"):
        assert client.get(path).status_code == 404, path
    # ...and cannot be changed either
    assert client.post(f"/costs/saved/{scenario}/delete/").status_code == 404
    assert client.post(f"/provenance/alerts/{alert}/comment/", {"text": "x"}).status_code == 404


def test_the_lists_of_the_second_organization_hold_only_its_own(login, first, other_admin, lake):
    client = login(other_admin)
    assert [v["code"] for v in client.get("/api/vendors").json()] == ["zeta"]
    assert [c["login_id"] for c in client.get("/api/coders").json()] == ["zc1"]
    assert client.get("/api/costs/scenarios").json() == []
    assert client.get("/api/audits").json() == []
    assert client.get("/api/provenance/alerts").json()["alerts"] == []
    assert client.get("/api/provenance/suppressions").json() == []
    assert client.get("/api/figures/vendor").json()["rows"] == []
    assert client.get("/api/totals").json()["encounters"] == 0


def test_the_first_organization_still_sees_its_own(login, first, user_of_role, lake):
    client = login(user_of_role(roles.ADMIN))
    assert [v["code"] for v in client.get("/api/vendors").json()] == ["acme", "bayside"]
    assert [s["name"] for s in client.get("/api/costs/scenarios").json()] == ["HFMA as published"]
    assert len(client.get("/api/audits").json()) == 1
    assert [a["detail"] for a in client.get("/api/provenance/alerts").json()["alerts"]] == ["first-org-alert-detail"]


def test_a_scenario_is_saved_for_the_users_own_organization_only(login, first, other_admin):
    client = login(other_admin)
    from codingwatch.cost import preset_scenario

    response = client.post("/api/costs/scenarios", {"name": "x", "organization": "Test Health",
                                                    "scenario": preset_scenario("hfma-2018").to_dict()},
                           content_type="application/json")
    assert response.status_code == 422 and "no organization named 'Test Health'" in response.content.decode()


def test_a_user_without_an_organization_sees_no_vendor(login, first, lake):
    nobody = make_user("nemo", roles.DIRECTOR)
    nobody.organization = None
    nobody.save()
    client = login(nobody)
    assert client.get("/api/vendors").json() == []
    assert client.get("/api/totals").json()["encounters"] == 0

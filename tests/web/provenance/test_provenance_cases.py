"""Alert cases: the scan groups the alerts of one rule, login and episode into one case; triage
(assign, bulk resolve, suppress) acts on the case and its alerts; the queue puts a takeover,
PHI kept locally and out-of-assignment work first and speaks in plain words.

On the synthetic world the daily forbidden-country alerts of each offshore login become one
case per episode, and the takeover case heads the queue."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re

import pytest

from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.provenance import cases, services
from codingwatch.web.provenance.models import AlertCase, ProvenanceAlert, Suppression
from tests.web import provenance_fixtures as pf
from tests.web.conftest import make_user
from tests.web.provenance.test_provenance_world import scanned_world, world  # noqa: F401 (fixtures)

access_lake, compliance, scanned = pf.access_lake, pf.compliance, pf.scanned

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_two_days_of_one_breach_are_one_case_with_its_count_and_dates(scanned):
    case = AlertCase.objects.get(rule="forbidden_country", login="bc1")
    alerts = ProvenanceAlert.objects.filter(rule="forbidden_country", login="bc1")
    assert alerts.count() == 2 and set(alerts.values_list("case", flat=True)) == {case.pk}
    assert case.alert_count == 2 and case.event_count == sum(a.event_count for a in alerts)
    assert case.first_seen.date() == dt.date(2026, 3, 3) and case.last_seen.date() == dt.date(2026, 3, 4)
    assert case.vendor_code == "bayside" and case.countries == ["PH"] and case.severity == "high"
    # every alert is in exactly one case
    assert not ProvenanceAlert.objects.filter(case__isnull=True).exists()
    assert sum(AlertCase.objects.values_list("alert_count", flat=True)) == ProvenanceAlert.objects.count()


def test_scanning_again_makes_no_new_case(access_lake, scanned):
    before = list(AlertCase.objects.values_list("pk", "alert_count"))
    services.scan(takeover=False, lake=access_lake)
    assert list(AlertCase.objects.values_list("pk", "alert_count")) == before


def test_a_later_alert_within_the_episode_joins_the_case_and_after_a_quiet_week_starts_one(access_lake, scanned):
    pf.load(access_lake, pf.session("bc1-fri", "2026-03-06", "bc1", place="manila", device="bc1-ph"), "fri.csv")
    services.scan(takeover=False, lake=access_lake)
    assert AlertCase.objects.get(rule="forbidden_country", login="bc1").alert_count == 3
    pf.load(access_lake, pf.session("bc1-late", "2026-03-20", "bc1", place="manila", device="bc1-ph"), "late.csv")
    services.scan(takeover=False, lake=access_lake)
    found = AlertCase.objects.filter(rule="forbidden_country", login="bc1").order_by("first_seen")
    assert [c.alert_count for c in found] == [3, 1]


def test_the_queue_puts_local_phi_before_the_country_breach_in_plain_words(client, compliance, scanned):
    client.force_login(compliance)
    body = client.get("/api/provenance/cases").json()
    rules = [c["rule"] for c in body["cases"]]
    assert rules.index("local_phi") < rules.index("forbidden_country")
    page = client.get("/provenance/cases/").content.decode()
    assert "PHI saved to a local machine" in page and "Work from a country the contract does not allow" in page
    assert "forbidden_country" not in page.replace('value="forbidden_country"', "")
    assert "window_start" not in page and "first seen" in page and "last seen" in page
    assert AccessEvent.objects.filter(object_type="provenance-cases", username="cora").exists()


def test_a_case_page_shows_its_alerts_and_evidence(client, compliance, scanned):
    client.force_login(compliance)
    case = AlertCase.objects.get(rule="forbidden_country", login="bc1")
    page = client.get(f"/provenance/cases/{case.pk}/").content.decode()
    assert page.count("/provenance/alerts/") == 2
    assert "bc1-tue:1" not in page  # event ids are not shown; their times and places are
    assert page.count("bc1-ph") >= 2 and "PH" in page
    detail = client.get(f"/api/provenance/cases/{case.pk}").json()
    assert len(detail["alerts"]) == 2 and {e["country"] for e in detail["events"]} == {"PH"}


def test_assigning_a_case_assigns_its_open_alerts(client, compliance, scanned):
    client.force_login(compliance)
    case = AlertCase.objects.get(rule="forbidden_country", login="bc1")
    client.post(f"/provenance/cases/{case.pk}/assign/", {"assignee": "cora"})
    case.refresh_from_db()
    assert case.assigned_to == compliance
    assert set(case.alerts.values_list("assigned_to__username", flat=True)) == {"cora"}


def test_bulk_resolve_closes_every_ticked_case_and_its_alerts_with_one_reason(client, compliance, scanned):
    client.force_login(compliance)
    ticked = list(AlertCase.objects.filter(status=AlertCase.OPEN).values_list("pk", flat=True))
    assert len(ticked) >= 2
    response = client.post("/provenance/cases/bulk/", {"case": ticked, "action": "resolve",
                                                       "reason": "vendor retrained; contract amended"})
    assert response.status_code == 302
    assert not AlertCase.objects.filter(pk__in=ticked).exclude(status=AlertCase.RESOLVED).exists()
    alerts = ProvenanceAlert.objects.filter(case__in=ticked)
    assert set(alerts.values_list("status", flat=True)) == {ProvenanceAlert.RESOLVED}
    assert set(alerts.values_list("resolution", flat=True)) == {"vendor retrained; contract amended"}
    assert set(alerts.values_list("resolved_by__username", flat=True)) == {"cora"}
    # a second bulk resolve says the cases are closed and changes nothing
    again = client.post("/provenance/cases/bulk/", {"case": ticked, "action": "resolve", "reason": "again"},
                        follow=True).content.decode()
    assert "already resolved" in again
    assert not ProvenanceAlert.objects.filter(resolution="again").exists()


def test_suppressing_a_case_writes_one_rule_and_silences_its_later_alerts(client, compliance, access_lake, scanned):
    client.force_login(compliance)
    case = AlertCase.objects.get(rule="forbidden_country", login="bc1")
    client.post(f"/provenance/cases/{case.pk}/resolve/", {"reason": "travel approved", "outcome": "suppress"})
    case.refresh_from_db()
    assert case.status == AlertCase.FALSE_POSITIVE
    rule = Suppression.objects.get()
    assert (rule.rule, rule.login) == ("forbidden_country", "bc1")
    pf.load(access_lake, pf.session("bc1-thu", "2026-03-05", "bc1", place="manila", device="bc1-ph"), "thu.csv")
    services.scan(takeover=False, lake=access_lake)
    later = ProvenanceAlert.objects.get(rule="forbidden_country", login="bc1", window_start__date="2026-03-05")
    assert later.status == ProvenanceAlert.SUPPRESSED
    assert later.case.status == AlertCase.SUPPRESSED
    assert not AlertCase.objects.filter(status=AlertCase.OPEN, rule="forbidden_country").exists()


def test_resolving_needs_a_reason(compliance, scanned):
    case = AlertCase.objects.get(rule="forbidden_country", login="bc1")
    with pytest.raises(cases.CaseError, match="reason"):
        cases.resolve(case, compliance, reason=" ")


def test_vendor_users_get_404_and_read_only_roles_cannot_triage(client, scanned, acme_user, user_of_role):
    case = AlertCase.objects.first()
    client.force_login(acme_user)
    for url in ("/provenance/cases/", f"/provenance/cases/{case.pk}/", "/api/provenance/cases"):
        assert client.get(url).status_code == 404, url
    assert client.post("/provenance/cases/bulk/", {"case": [case.pk], "action": "resolve",
                                                   "reason": "x"}).status_code == 404
    client.force_login(user_of_role(roles.DIRECTOR))
    assert client.get("/provenance/cases/").status_code == 403
    client.force_login(user_of_role(roles.EXECUTIVE))
    assert client.post(f"/provenance/cases/{case.pk}/resolve/", {"reason": "x"}).status_code == 403
    case.refresh_from_db()
    assert case.status == AlertCase.OPEN


def test_another_organizations_cases_are_not_found(client, scanned):
    from codingwatch.web.organizations.models import Organization

    other = Organization.objects.create(name="Elsewhere Health")
    outsider = make_user("olga", roles.COMPLIANCE)
    outsider.organization = other
    outsider.save()
    client.force_login(outsider)
    case = AlertCase.objects.first()
    assert client.get(f"/provenance/cases/{case.pk}/").status_code == 404
    assert client.get("/api/provenance/cases").json()["count"] == 0


# --- the synthetic world ---------------------------------------------------------------------------------------

def test_on_the_synth_world_daily_country_alerts_become_one_case_per_login_episode(scanned_world):  # noqa: F811
    alerts = ProvenanceAlert.objects.filter(rule="forbidden_country")
    assert alerts.count() > 20  # one per login per working day
    by_login: dict[str, list] = {}
    for a in alerts.order_by("window_start"):
        by_login.setdefault(a.login, []).append(a)
    found = AlertCase.objects.filter(rule="forbidden_country")
    for login, mine in by_login.items():
        # an episode ends after a quiet week
        episodes = 1 + sum((b.window_start - a.window_end) > cases.EPISODE_GAP for a, b in itertools.pairwise(mine))
        assert found.filter(login=login).count() == episodes, login
        assert sum(found.filter(login=login).values_list("alert_count", flat=True)) == len(mine)
    assert found.count() < alerts.count() / 5


def test_on_the_synth_world_the_takeover_case_heads_the_queue(client, scanned_world):  # noqa: F811
    _, facts = scanned_world
    officer = make_user("cleo", roles.COMPLIANCE)
    client.force_login(officer)
    body = client.get("/api/provenance/cases?limit=500").json()
    rules = [c["rule"] for c in body["cases"]]
    takeovers = rules.count("takeover")
    assert takeovers >= 1 and rules[:takeovers] == ["takeover"] * takeovers  # every takeover case first
    assert facts["takeover"]["login_id"] in {c["login"] for c in body["cases"][:takeovers]}
    assert body["cases"][0]["rule_label"] == "Login taken over by someone else"
    # the takeover case's page shows its signals' charts, named in words
    case_page = client.get(f"/provenance/cases/{body['cases'][0]['id']}/").content.decode()
    headings = re.findall(r"<h[12][^>]*>(.*?)</h[12]>", case_page)
    assert 'class="chart"' in case_page and len(headings) > 3
    assert not [h for h in headings if "_" in h], headings
    page = client.get("/provenance/cases/").content.decode()
    first_row = page.split('data-testid="case-row"', 2)[1]
    assert "Login taken over by someone else" in first_row
    assert json.dumps(body)  # plain JSON


def test_the_summary_says_plainly_when_a_vendors_work_breaks_its_contracts_countries(client, director, scanned):
    client.force_login(director)
    sections = {s["vendor"]: s for s in client.get("/api/provenance/summary").json()}
    bayside, acme = sections["bayside"]["contract"], sections["acme"]["contract"]
    assert bayside["breach"] is True
    # bc1 worked from Manila on two of its three days (the hand-made log has no encounter keys: events count)
    ph = next(r for r in sections["bayside"]["by_country"] if r["key"] == "PH")
    assert ph["events"] == 12 and sections["bayside"]["events"] == 18
    assert "67% of its events (12 of 18) were recorded from PH" in bayside["text"]
    assert bayside["text"].startswith("Bayside Coders breaks its contract: the contract allows work from US only")
    assert acme == {"breach": False, "text": "All of Acme Coding's work was done from its contract's countries (IN, US)."}
    page = client.get("/provenance/summary/?vendor=bayside").content.decode()
    assert "Bayside Coders breaks its contract" in page

"""The vendor scorecard pages and contract terms in the app: import from YAML, effective dates,
states and credits on the page, and a vendor user sees only its own vendor."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from codingwatch.web.vendors.models import AccuracySLA, Contract, CreditSchedule, ServiceTerms, TurnaroundSLA
from codingwatch.web.vendors.services.contract_terms import terms_of

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TERMS = """\
contracts:
  - vendor: acme
    start_date: 2025-10-01
    pricing: per_chart
    price: 6.50
    periods:
      - effective_from: 2025-10-01
        effective_to: 2026-01-31
        accuracy:
          - {specialty: Cardiology, rule: code_over_code, minimum: 95}
        turnaround:
          - {encounter_type: inpatient, priority: standard, percent: 90, hours: 12}
        coding_denial_rate: 2
        min_charts: 30
        credits: {turnaround_breach_day: 100, rework_coding_denials: true, rework_cost_per_denial: 40}
      - effective_from: 2026-02-01
        turnaround:
          - {encounter_type: inpatient, priority: standard, percent: 90, hours: 48}
        min_charts: 30
"""


@pytest.fixture
def terms_file(tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text(TERMS)
    return path


def test_import_contract_terms_creates_the_contract_with_its_effective_dated_terms(roster, terms_file):
    call_command("import_contract_terms", str(terms_file))
    contract = Contract.objects.get(vendor=roster["acme"], start_date=dt.date(2025, 10, 1))
    assert contract.price == Decimal("6.50") and contract.rework_cost_per_denial == Decimal("40")
    assert AccuracySLA.objects.get(contract=contract).specialty == "cardiology"  # canonical name
    assert sorted(TurnaroundSLA.objects.filter(contract=contract).values_list("maximum_hours", flat=True)) == [12, 48]
    assert ServiceTerms.objects.filter(contract=contract).count() == 2
    assert CreditSchedule.objects.get(contract=contract).turnaround_breach_day == Decimal(100)
    engine = terms_of(contract)
    assert engine.in_force(dt.date(2026, 1, 1)).turnaround[0].hours == Decimal(12)
    assert engine.in_force(dt.date(2026, 2, 1)).turnaround[0].hours == Decimal(48)
    # importing the same file again changes nothing
    call_command("import_contract_terms", str(terms_file))
    assert Contract.objects.filter(vendor=roster["acme"]).count() == 1
    assert TurnaroundSLA.objects.filter(contract=contract).count() == 2


def test_a_file_naming_an_unknown_vendor_imports_nothing(roster, tmp_path):
    path = tmp_path / "terms.yaml"
    path.write_text(TERMS + TERMS.split("contracts:\n")[1].replace("vendor: acme", "vendor: nobody"))
    with pytest.raises(CommandError, match="no vendor with code or name 'nobody'"):
        call_command("import_contract_terms", str(path))
    assert not Contract.objects.exists()


def test_the_scorecard_shows_each_terms_state_month_by_month(roster, lake, terms_file, login, director):
    call_command("import_contract_terms", str(terms_file))
    response = login(director).get("/scorecard/vendors/acme/?from=2026-01&to=2026-02")
    assert response.status_code == 200
    page = response.content.decode()
    # January: inpatient charts coded in 10 h and 20 h against 90% within 12 h: breached, a credit per day
    assert "turnaround, inpatient (standard): 90% within 12 h" in page
    assert "breached" in page and "not enough evidence" in page  # no final audit: accuracy unsettled
    assert "30 more (30 in all)" in page
    assert "turnaround, inpatient (standard): 90% within 48 h" in page  # February, the amendment
    data = json.loads(login(director).get("/scorecard/vendors/acme.json?from=2026-01&to=2026-02").content)
    january, february = data["months"]
    states = {r["label"]: r["state"] for r in january["results"]}
    assert states["turnaround, inpatient (standard): 90% within 12 h"] == "breached"
    # February: the amended term, and no inpatient chart of Acme to measure it on
    assert [(r["label"], r["state"]) for r in february["results"] if r["kind"] == "turnaround"] == [
        ("turnaround, inpatient (standard): 90% within 48 h", "not enough evidence")]
    turnaround = [line for line in january["credits"]["lines"] if line["kind"] == "turnaround"]
    assert turnaround[0]["amount"] == "100.00" and turnaround[0]["inputs"]["breach_days"] == 1


@pytest.mark.scoped
def test_a_vendor_user_sees_its_own_scorecard_and_no_other(roster, lake, terms_file, login, acme_user):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        call_command("import_contract_terms", str(terms_file))
    client = login(acme_user)
    assert client.get("/scorecard/vendors/acme/?from=2026-01&to=2026-02").status_code == 200
    assert client.get("/scorecard/vendors/bayside/").status_code == 404
    assert client.get("/scorecard/vendors/bayside.json").status_code == 404
    page = client.get("/scorecard/").content.decode()
    assert "Acme Coding" in page and "Bayside" not in page


def test_the_terms_are_edited_in_the_admin(roster, terms_file, login):
    from codingwatch.web.accounts import roles
    from tests.web.conftest import make_user

    call_command("import_contract_terms", str(terms_file))
    contract = Contract.objects.get(vendor=roster["acme"])
    admin = make_user("root", roles.ADMIN)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    page = login(admin).get(f"/admin/vendors/contract/{contract.pk}/change/").content.decode()
    for field in ("counting_rule", "percent_within", "priority", "effective_from", "min_charts", "dnfb_days",
                  "accuracy_percent_per_point", "turnaround_breach_day", "rework_coding_denials"):
        assert f"{field}" in page, field


def test_the_scorecard_drills_down_by_coder_and_specialty(roster, lake, terms_file, login, director):
    call_command("import_contract_terms", str(terms_file))
    client = login(director)
    page = client.get("/scorecard/vendors/acme/?from=2026-01&to=2026-02&by=coder").content.decode()
    assert "KPIs by coder" in page and "ac1" in page and "ac2" in page
    page = client.get("/scorecard/vendors/acme/?from=2026-01&to=2026-02&by=specialty").content.decode()
    assert "orthopedics" in page and "bc1" not in page


def test_the_charts_of_a_final_audit_are_the_scorecards_accuracy_evidence(reviewed_audit, auditor, acme_user):
    from codingwatch.audit import Method, score
    from codingwatch.web.audits.models import Finding
    from codingwatch.web.audits.services.scores import case_results
    from codingwatch.web.audits.services.workflow import act_on_finding, transition
    from codingwatch.web.scorecard.services import audited_charts

    assert audited_charts(reviewed_audit.vendor) == []  # a draft is no evidence
    transition(reviewed_audit, auditor, "route")
    for f in Finding.objects.filter(case__audit=reviewed_audit):
        act_on_finding(f, acme_user, "agree")
    transition(reviewed_audit, acme_user, "submit_responses")
    transition(reviewed_audit, auditor, "finalize")
    charts = audited_charts(reviewed_audit.vendor)
    scores = score(case_results(reviewed_audit), Method())
    assert len(charts) == scores.encounters == reviewed_audit.cases.count()
    assert sum(c.codes_audited for c in charts) == scores.dx_codes_audited + scores.px_codes_audited
    assert sum(c.codes_matched for c in charts) == scores.dx_codes_matched + scores.px_codes_matched
    assert sum(c.record_correct for c in charts) == scores.record.correct
    assert {c.vendor for c in charts} == {"acme"}


def test_the_api_gives_each_months_states_limits_charts_needed_and_credits(roster, lake, terms_file, login,
                                                                           director):
    call_command("import_contract_terms", str(terms_file))
    client = login(director)
    data = client.get("/api/scorecard/vendors/acme?from=2026-01&to=2026-02").json()
    assert (data["code"], data["from"], data["to"]) == ("acme", "2026-01", "2026-02")
    january, february = data["months"]
    assert (january["month"], february["month"]) == ("2026-01", "2026-02")
    by_label = {r["label"]: r for r in january["results"]}
    assert by_label["turnaround, inpatient (standard): 90% within 12 h"]["state"] == "breached"
    [accuracy] = [r for r in january["results"] if r["kind"] == "accuracy"]
    assert accuracy["state"] == "not enough evidence" and accuracy["needed"]["total"] == 30  # no final audit
    turnaround = [line for line in january["credits"]["lines"] if line["kind"] == "turnaround"]
    assert turnaround[0]["amount"] == "100.00" and turnaround[0]["inputs"]["breach_days"] == 1
    # the same as the page's JSON export
    export = json.loads(client.get("/scorecard/vendors/acme.json?from=2026-01&to=2026-02").content)
    assert [m["results"] for m in export["months"]] == [m["results"] for m in data["months"]]
    assert data["credits"] == str(sum(Decimal(m["credits"]["total"]) for m in export["months"]))
    listing = client.get("/api/scorecard/vendors?from=2026-01&to=2026-02").json()
    acme = next(v for v in listing if v["code"] == "acme")
    assert acme["states"] == data["states"] and acme["months"] == 2 and acme["credits"] == data["credits"]
    assert client.get("/api/scorecard/vendors/acme?from=2026-13").status_code == 400


PERIODS = [  # the query, in the words of every other page and API, and the whole months it holds
    ("period=2026-01", ["2026-01"]),
    ("period=2026-Q1", ["2026-01", "2026-02", "2026-03"]),
    ("period=custom&from=2026-01-01&to=2026-02-28", ["2026-01", "2026-02"]),
    ("from=2026-01-15&to=2026-02-10", ["2026-02"]),  # January's first day is before the range
    ("from=2026-01-01&to=2026-01-01", ["2026-01"]),
    ("from=2026-01&to=2026-02", ["2026-01", "2026-02"]),  # the older month form still reads
]


@pytest.mark.parametrize(("query", "months"), PERIODS)
def test_the_scorecard_api_and_pages_read_the_same_period_words(roster, lake, terms_file, login, director,
                                                                 query, months):
    import re

    call_command("import_contract_terms", str(terms_file))
    client = login(director)
    api = client.get(f"/api/scorecard/vendors/acme?{query}").json()
    assert [m["month"] for m in api["months"]] == months
    assert (api["from"], api["to"]) == (months[0], months[-1])
    export = json.loads(client.get(f"/scorecard/vendors/acme.json?{query}").content)
    assert [m["results"] for m in export["months"]] == [m["results"] for m in api["months"]]
    page = client.get(f"/scorecard/vendors/acme/?{query}").content.decode()
    s = api["states"]
    assert (f"{len(months)} month(s): {s['met']} terms met, {s['breached']} breached,\n"
            f"{s['not_enough']} with not enough evidence") in page
    assert 'data-testid="period-error"' not in page
    listing = {v["code"]: v for v in client.get(f"/api/scorecard/vendors?{query}").json()}
    assert (listing["acme"]["states"], listing["acme"]["months"]) == (api["states"], len(months))
    index = client.get(f"/scorecard/?{query}").content.decode()
    first, last = dt.date.fromisoformat(months[0] + "-01"), dt.date.fromisoformat(months[-1] + "-01")
    assert re.search(f"{first:%b %Y}\\s+to\\s+{last:%b %Y}", index)


BAD_PERIODS = [
    ("period=2026-13", "period: '2026-13': no month 13 (months run 01 to 12)"),
    ("period=spring", "period: 'spring' is neither a month (2026-03) nor a quarter (2026-Q1)"),
    ("from=soon", "from: 'soon' is not a date (YYYY-MM-DD)"),
    ("from=2026-13", "from: '2026-13': no month 13 (months run 01 to 12)"),
    ("from=2026-03-01&to=2026-01-31", "to: 2026-01-31 is before the start, 2026-03-01"),
    ("from=2026-01-15&to=2026-01-31", "from: 2026-01-15 to 2026-01-31 holds no month's first day; the scorecard "
                                      "counts whole months: a month is in when its first day is within the range"),
]


@pytest.mark.parametrize(("query", "detail"), BAD_PERIODS)
def test_a_period_the_scorecard_cannot_read_is_a_clear_400_and_a_message_on_the_page(
        roster, lake, terms_file, login, director, query, detail):
    import html

    call_command("import_contract_terms", str(terms_file))
    client = login(director)
    for path in ("/api/scorecard/vendors/acme", "/api/scorecard/vendors"):
        response = client.get(f"{path}?{query}")
        assert (response.status_code, response.json()) == (400, {"detail": detail}), path
    if "whole months" not in detail and query != "from=2026-13":  # those two only the scorecard reads
        # the figure API refuses the same value with the same words
        assert client.get(f"/api/figures/vendor?{query}").json() == {"detail": detail}
    page = client.get(f"/scorecard/vendors/acme/?{query}")
    assert page.status_code == 200
    assert html.escape(detail, quote=True) in page.content.decode() or detail in html.unescape(
        page.content.decode())


def test_the_api_shows_a_vendor_user_only_its_own_vendor(roster, lake, terms_file, login, acme_user):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        call_command("import_contract_terms", str(terms_file))
    client = login(acme_user)
    assert client.get("/api/scorecard/vendors/acme?from=2026-01&to=2026-02").status_code == 200
    assert client.get("/api/scorecard/vendors/bayside").status_code == 404
    assert [v["code"] for v in client.get("/api/scorecard/vendors").json()] == ["acme"]

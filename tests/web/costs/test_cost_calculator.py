"""The cost calculator page and its API: the engine's figures, inputs that change them, field
errors beside the inputs, saved scenarios, the decision brief, promised vs measured."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

import pytest

from codingwatch.cost import evaluate, parse_scenario, preset_scenario
from codingwatch.cost.actuals import apply_actuals, measure_from_lake
from codingwatch.reports.format import money
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.costs.models import SavedScenario

pytestmark = [pytest.mark.django_db]


def hfma() -> dict:
    return preset_scenario("hfma-2018").to_dict()


def evaluate_url(scenario: dict, **fields) -> str:
    query = {"scenario": json.dumps(scenario), "draws": 200}
    query.update({f"in:{path}": value for path, value in fields.items()})
    return "/costs/evaluate/?" + urlencode(query)


def test_the_page_shows_the_engines_figures_for_a_preset(login, director):
    page = login(director).get("/costs/?preset=hfma-2018&draws=200").content.decode()
    headline = evaluate(hfma(), draws=200)["headline"]
    assert money(headline["offshore_total_per_hour"]) in page  # $63.29: the model's exact arithmetic
    assert money(headline["domestic_total_per_hour"]) in page


def test_changing_an_input_changes_the_figures_as_the_engine_computes_them(login, director):
    response = login(director).get(evaluate_url(hfma(), **{"offshore.hourly_pay": "40"}))
    changed = parse_scenario(hfma()).with_value("offshore.hourly_pay", 40)
    total = evaluate(changed, draws=200)["comparison"]["options"]["offshore"]["total_per_year"]
    assert f'data-testid="total-offshore">{money(total)}<' in response.content.decode()
    assert total != evaluate(hfma(), draws=200)["comparison"]["options"]["offshore"]["total_per_year"]


def test_a_bad_value_is_named_beside_its_input(login, director):
    page = login(director).get(evaluate_url(hfma(), **{"offshore.hourly_pay": "-5"})).content.decode()
    assert 'id="err-offshore-hourly_pay"' in page
    error = page.split('id="err-offshore-hourly_pay"', 1)[1].split("</span>", 1)[0]
    assert "must not be negative (got -5)" in error
    assert 'data-testid="total-offshore"' not in page  # no figures from an invalid scenario


def test_a_value_outside_its_stated_range_is_named_beside_its_input(login, director):
    page = login(director).get(evaluate_url(hfma(), **{"offshore.hourly_pay": "41"})).content.decode()
    error = page.split('id="err-offshore-hourly_pay"', 1)[1].split("</span>", 1)[0]
    assert "needs low &lt;= value &lt;= high (got 30, 41, 40)" in error


def test_a_widened_range_lets_the_value_through_and_moves_the_tornado(login, director):
    page = login(director).get(evaluate_url(hfma(), **{"offshore.hourly_pay": "41",
                                                       "offshore.hourly_pay@high": "45"})).content.decode()
    changed = parse_scenario(hfma()).with_value("offshore.hourly_pay", 41)
    changed.options["offshore"].inputs["hourly_pay"].high = 45
    result = evaluate(changed, draws=200)
    row = next(r for r in result["tornado"]["inputs"] if r["input"] == "offshore.hourly_pay")
    assert f'data-testid="total-offshore">{money(result["comparison"]["options"]["offshore"]["total_per_year"])}<' in page
    assert '<td>offshore.hourly_pay</td><td class="num">30</td><td class="num">41</td><td class="num">45</td>' in page
    assert money(row["difference_at_high"], signed=True) in page


def test_a_share_above_one_is_named_beside_its_input_on_the_full_page(login, director):
    query = urlencode({"scenario": json.dumps(hfma()), "in:offshore.vacancy_rate": "8"})
    page = login(director).get(f"/costs/?{query}").content.decode()
    block = page.split('data-testid="input-offshore.vacancy_rate"', 1)[1].split("</div>", 1)[0]
    assert "is a share and must be between 0 and 1 (got 8" in block


def test_a_value_typed_into_an_unstated_input_becomes_stated_with_its_source(login, director):
    response = login(director).get(evaluate_url(hfma(), **{"offshore.breach_probability": "0.1",
                                                           "offshore.breach_cost": "1000000"}))
    page = response.content.decode()
    changed = parse_scenario(hfma()).with_value("offshore.breach_probability", "0.1").with_value(
        "offshore.breach_cost", 1000000)
    total = evaluate(changed, draws=200)["comparison"]["options"]["offshore"]["total_per_year"]
    assert f'data-testid="total-offshore">{money(total)}<' in page
    saved = json.loads(page.split('name="scenario" value="', 1)[1].split('"', 1)[0].replace("&quot;", '"'))
    assert saved["options"]["offshore"]["inputs"]["breach_cost"]["source"] == "entered on the calculator page"


def test_the_tornado_and_monte_carlo_follow_the_chosen_pair_and_seed(login, director):
    scenario = preset_scenario("public-2025").to_dict()
    query = urlencode({"scenario": json.dumps(scenario), "pair": "in_house,hybrid", "draws": 300, "seed": 7})
    page = login(director).get(f"/costs/evaluate/?{query}").content.decode()
    result = evaluate(scenario, draws=300, seed=7, pair=("in_house", "hybrid"))
    assert f"cost of in-house minus hybrid ({money(result['tornado']['base_difference'], signed=True)}" in page
    assert result["tornado"]["inputs"][0]["input"] in page
    p50 = result["simulation"]["options"]["hybrid"]["percentiles_per_year"]["p50"]
    assert money(p50) in page
    assert 'data-chart="cost-spec-distribution"' in page and 'id="cost-spec-tornado"' in page


def test_the_brief_downloads_as_html_and_is_recorded_as_an_export(login, user_of_role):
    client = login(user_of_role(roles.EXECUTIVE))  # read only, and still may take the brief
    response = client.get("/costs/brief.html?preset=hfma-2018&draws=200")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="decision-brief-hfma')
    assert "Every input and its source" in response.content.decode()
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type) == ("export", "cost-brief-html")
    assert event.object_id.startswith("HFMA / KIWI-TEK 2018")


def test_the_brief_downloads_as_pdf(login, director):
    response = login(director).get("/costs/brief.pdf?preset=hfma-2018&draws=200")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AccessEvent.objects.filter(object_type="cost-brief-pdf", action="export").count() == 1


def test_an_invalid_scenario_gives_no_brief_and_no_export(login, director):
    response = login(director).get("/costs/brief.html?" + urlencode(
        {"scenario": json.dumps(hfma()), "in:offshore.hourly_pay": "abc"}))
    assert response.status_code == 400 and "offshore.hourly_pay: must be a number" in response.content.decode()
    assert not AccessEvent.objects.exists()


@pytest.mark.postgres
def test_a_director_saves_a_scenario_and_opens_it_again(login, director, roster):
    client = login(director)
    changed = parse_scenario(hfma()).with_value("offshore.hourly_pay", 38).to_dict()
    response = client.post("/costs/saved/", {"organization": roster["acme"].organization_id,
                                             "name": "HFMA at $38", "scenario": json.dumps(changed)})
    saved = SavedScenario.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?saved={saved.pk}")
    assert (saved.name, saved.saved_by, saved.organization.name) == ("HFMA at $38", director, "Test Health")
    page = client.get(response["Location"] + "&draws=200").content.decode()
    assert "saved: Test Health / HFMA at $38" in page
    total = evaluate(changed, draws=200)["comparison"]["options"]["offshore"]["total_per_year"]
    assert f'data-testid="total-offshore">{money(total)}<' in page


@pytest.mark.postgres
def test_saving_an_invalid_scenario_saves_nothing_and_says_why(login, director, roster):
    bad = hfma()
    bad["options"]["offshore"]["inputs"]["hourly_pay"]["value"] = -1
    response = login(director).post("/costs/saved/", {"organization": roster["acme"].organization_id,
                                                       "name": "bad", "scenario": json.dumps(bad)}, follow=True)
    assert not SavedScenario.objects.exists()
    assert "options.offshore.inputs.hourly_pay.value: must not be negative" in response.content.decode()


@pytest.mark.postgres
def test_a_director_deletes_a_saved_scenario(login, director, saved_scenario):
    response = login(director).post(f"/costs/saved/{saved_scenario.pk}/delete/")
    assert response.status_code == 302 and not SavedScenario.objects.exists()


def test_the_executive_sees_saved_scenarios_but_no_save_or_delete(login, user_of_role, saved_scenario):
    page = login(user_of_role(roles.EXECUTIVE)).get("/costs/?draws=200").content.decode()
    assert "HFMA as published" in page
    assert 'data-testid="save"' not in page and f'data-testid="delete-{saved_scenario.pk}"' not in page


def test_promised_vs_measured_shows_the_lakes_figures(login, director, lake):
    scenario = hfma()
    scenario["options"]["offshore"]["lake_vendor"] = "acme"
    query = urlencode({"scenario": json.dumps(scenario), "actuals": "1", "from": "2026-01-01",
                       "to": "2026-02-28", "draws": 200})
    page = login(director).get(f"/costs/evaluate/?{query}").content.decode()
    measured = apply_actuals(parse_scenario(scenario), measure_from_lake(lake, dt.date(2026, 1, 1),
                                                                          dt.date(2026, 2, 28))).measured
    row = next(r for r in measured["offshore"] if r["figure"] == "turnaround_hours")
    assert 'data-testid="measured"' in page
    assert f'<td class="num">{row["measured"]}</td>' in page and row["basis"] in page


def test_a_bad_measurement_period_is_named(login, director, lake):
    query = urlencode({"preset": "hfma-2018", "actuals": "1", "from": "2026-02-30", "to": "2026-03-01"})
    page = login(director).get(f"/costs/evaluate/?{query}").content.decode()
    assert "measured figures: `from` must be a date YYYY-MM-DD (got &#x27;2026-02-30&#x27;)" in page


# ---- API -------------------------------------------------------------------------------------
def test_api_evaluates_a_scenario_with_money_as_decimal_strings(login, director):
    body = login(director).post("/api/costs/evaluate", {"scenario": hfma(), "draws": 200, "seed": 3},
                                content_type="application/json").json()
    expected = evaluate(hfma(), draws=200, seed=3)
    assert body["headline"]["offshore_total_per_hour"] == str(expected["headline"]["offshore_total_per_hour"])
    assert body["simulation"]["seed"] == 3 and body["tornado"]["pair"] == list(expected["tornado"]["pair"])


def test_api_names_each_bad_field_of_a_scenario(login, director):
    bad = hfma()
    bad["options"]["offshore"]["inputs"]["vacancy_rate"] = {"value": 8, "unit": "share", "source": "x"}
    bad["options"]["offshore"]["inputs"]["hourly_rate"] = {"value": 1, "unit": "USD/hour", "source": "x"}
    response = login(director).post("/api/costs/evaluate", {"scenario": bad}, content_type="application/json")
    assert response.status_code == 422
    problems = response.json()["problems"]
    assert any(p.startswith("options.offshore.inputs.vacancy_rate.value: is a share") for p in problems)
    assert "options.offshore.inputs.hourly_rate: unknown input" in problems


@pytest.mark.postgres
def test_api_lists_reads_and_saves_scenarios(login, director, saved_scenario):
    client = login(director)
    assert [s["name"] for s in client.get("/api/costs/scenarios").json()] == ["HFMA as published"]
    detail = client.get(f"/api/costs/scenarios/{saved_scenario.pk}").json()
    assert detail["scenario"] == saved_scenario.scenario and detail["saved_by"] == "dana"
    created = client.post("/api/costs/scenarios", {"name": "copy", "organization": "Test Health",
                                                   "scenario": detail["scenario"]}, content_type="application/json")
    assert created.status_code == 201 and SavedScenario.objects.count() == 2
    assert client.get("/api/costs/presets").json() == ["hfma-2018", "public-2025"]


def test_api_evaluates_a_saved_scenario_by_get_for_the_read_only_executive(login, user_of_role, saved_scenario):
    body = login(user_of_role(roles.EXECUTIVE)).get(
        f"/api/costs/scenarios/{saved_scenario.pk}/evaluate?draws=200&seed=5&pair=offshore,domestic").json()
    expected = evaluate(saved_scenario.scenario, draws=200, seed=5, pair=("offshore", "domestic"))
    assert body["tornado"]["base_difference"] == str(expected["tornado"]["base_difference"])
    assert body["simulation"]["options"]["offshore"]["probability_cheapest"] == (
        expected["simulation"]["options"]["offshore"]["probability_cheapest"])


def test_the_admin_screens_list_saved_scenarios(login, user_of_role, saved_scenario):
    client = login(user_of_role(roles.ADMIN))
    assert "HFMA as published" in client.get("/admin/costs/savedscenario/").content.decode()
    assert client.get(f"/admin/costs/savedscenario/{saved_scenario.pk}/change/").status_code == 200

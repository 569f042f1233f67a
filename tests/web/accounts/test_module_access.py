"""Who reaches the cost calculator and the sampling page: every new view and API endpoint, seen by
each role. Vendor users (the outsider) get 404 as for anything outside their scope; staff roles a
module is not for get 403; the read-only executive may read the calculator but change nothing."""

from __future__ import annotations

import pytest

from codingwatch.web.accounts import roles

pytestmark = [pytest.mark.django_db]

PUBLIC_SEED = "10661935.55"
DRAW = f"seed={PUBLIC_SEED}&count=100&spares=1&low=0&high=101"

# (method, path, module, changes something)
COST_READS = [
    ("get", "/costs/"),
    ("get", "/costs/?preset=hfma-2018"),
    ("get", "/costs/evaluate/?preset=hfma-2018&draws=200"),
    ("get", "/costs/brief.html?preset=hfma-2018&draws=200"),
    ("get", "/api/costs/presets"),
    ("get", "/api/costs/presets/hfma-2018"),
    ("get", "/api/costs/scenarios"),
    ("get", "/api/costs/presets/hfma-2018/evaluate?draws=200"),
]
SAMPLING_READS = [
    ("get", "/sampling/"),
    ("get", f"/sampling/?run=random&{DRAW}"),
    ("get", f"/sampling/random.csv?{DRAW}"),
    ("get", f"/sampling/random.xlsx?{DRAW}"),
    ("get", "/sampling/?run=attribute&universe=150&sample=100&hits=97"),
    ("get", "/sampling/attribute.csv?universe=150&sample=100&hits=97"),
    ("get", "/sampling/attribute.xlsx?universe=150&sample=100&hits=97"),
    ("get", f"/api/sampling/random?{DRAW}"),
    ("get", "/api/sampling/attribute?universe=150&sample=100&hits=97"),
]


def expected(role: str, module: str) -> int:
    if role == roles.VENDOR:
        return 404
    return 200 if roles.may_open(role, module) else 403


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_each_role_gets_what_the_cost_module_allows_it_on_every_read(client, user_of_role, role):
    client.force_login(user_of_role(role))
    for method, path in COST_READS:
        assert getattr(client, method)(path).status_code == expected(role, "costs"), (role, path)


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_each_role_gets_what_the_sampling_module_allows_it_on_every_read(client, user_of_role, role):
    client.force_login(user_of_role(role))
    for method, path in SAMPLING_READS:
        assert getattr(client, method)(path).status_code == expected(role, "sampling"), (role, path)


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_only_admin_and_director_may_save_or_delete_a_cost_scenario(client, user_of_role, saved_scenario, role):
    client.force_login(user_of_role(role))
    allowed = role in (roles.ADMIN, roles.DIRECTOR)
    refused = 404 if role == roles.VENDOR else 403
    body = {"name": "try", "organization": str(saved_scenario.organization_id),
            "scenario": __import__("json").dumps(saved_scenario.scenario)}
    assert client.post("/costs/saved/", body).status_code == (302 if allowed else refused), role
    api = client.post("/api/costs/scenarios", {"name": "try-api", "organization": "Test Health",
                                               "scenario": saved_scenario.scenario}, content_type="application/json")
    assert api.status_code == (201 if allowed else refused), role
    assert client.get(f"/api/costs/scenarios/{saved_scenario.pk}").status_code == expected(role, "costs"), role
    evaluated = client.get(f"/api/costs/scenarios/{saved_scenario.pk}/evaluate?draws=200")
    assert evaluated.status_code == expected(role, "costs"), role
    assert client.delete(f"/api/costs/scenarios/{saved_scenario.pk}").status_code == (204 if allowed else refused), role


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_evaluating_through_the_api_is_open_to_admin_and_director_only(client, user_of_role, role):
    client.force_login(user_of_role(role))
    response = client.post("/api/costs/evaluate", {"preset": "hfma-2018", "draws": 200},
                           content_type="application/json")
    allowed = role in (roles.ADMIN, roles.DIRECTOR)
    # The executive may read the calculator, but the API's evaluate is a POST: read only means no POST.
    assert response.status_code == (200 if allowed else 404 if role == roles.VENDOR else 403), role


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_variable_appraisal_upload_is_open_to_admin_and_auditor_only(client, user_of_role, values_file, role):
    client.force_login(user_of_role(role))
    page = client.post("/sampling/", {"universe": "100", "values": values_file()})
    api = client.post("/api/sampling/variable", {"universe": "100", "values": values_file()})
    want = {roles.ADMIN: 200, roles.AUDITOR: 200, roles.VENDOR: 404}.get(role, 403)
    assert (page.status_code, api.status_code) == (want, want), role


def test_the_navigation_shows_each_role_only_the_modules_it_may_open(client, user_of_role):
    for role in roles.ROLES:
        client.force_login(user_of_role(role))
        page = client.get("/vendors/").content.decode()
        assert ('href="/costs/"' in page) == roles.may_open(role, "costs"), role
        assert ('href="/sampling/"' in page) == roles.may_open(role, "sampling"), role


def test_anonymous_requests_are_sent_to_log_in(client, db):
    assert client.get("/costs/").status_code == 302
    assert client.get("/sampling/").status_code == 302
    assert client.get("/api/costs/presets").status_code == 401
    assert client.get(f"/api/sampling/random?{DRAW}").status_code == 401


def test_the_guide_lists_every_module_and_the_roles_that_open_it():
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[3] / "docs" / "web.md").read_text()
    for module, (opened_by, _) in roles.MODULES.items():
        row = next((line for line in guide.splitlines() if line.startswith(f"| `{module}`")), None)
        assert row is not None, f"docs/web.md does not list the {module} module"
        opened_cell = row.split("|")[2]
        assert sorted(r for r in roles.ROLES if f"`{r}`" in opened_cell) == sorted(opened_by), module

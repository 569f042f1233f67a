"""The figure API takes the pages' period (`period` = a month or a quarter, or `from`/`to`), reads
it with the same rules, and answers for a period exactly what the page shows for it; a period
that cannot be read answers 400 naming the parameter, in the words the page prints."""

from __future__ import annotations

import html
import re

import pytest

from codingwatch.codesets import drg_weight
from codingwatch.web.api import FigureRow
from codingwatch.web.denials.api import CarcRow, DeniedClaim, RateRow, SummaryOut
from tests.web.denials.test_denials_pages import denials_lake  # noqa: F401

pytestmark = pytest.mark.django_db

# month, quarter, custom (both ends, one end open), everything
PERIODS = ["period=2026-02", "period=2026-Q1", "period=custom&from=2026-01-01&to=2026-01-31",
           "from=2026-02-01", "to=2026-01-31", ""]


def _as_api(schema, rows) -> list[dict]:
    """The page's rows as the API's schema writes them (decimals as strings), keyed for comparison."""
    return [schema.model_validate(row).model_dump(mode="json") for row in rows]


def _by_key(rows: list[dict], key: str = "key") -> dict:
    return {row[key]: row for row in rows}


def _sections(response) -> dict:
    assert response.status_code == 200
    return {section["by"]: section["rows"] for section in response.context["sections"]}


def _get(client, path: str, query: str):
    return client.get(f"{path}?{query}" if query else path)


@pytest.mark.parametrize("query", PERIODS)
def test_the_dashboard_api_answers_what_the_dashboard_shows_for_the_period(login, director, lake, query):
    client = login(director)
    page = _get(client, "/", query)
    for by, rows in _sections(page).items():
        api = _get(client, f"/api/figures/{by}", query).json()["rows"]
        assert _by_key(api) == _by_key(_as_api(FigureRow, rows)), (by, query)
    totals = _get(client, "/api/totals", query).json()
    assert totals == FigureRow.model_validate(page.context["totals"]).model_dump(mode="json")


@pytest.mark.parametrize("query", PERIODS)
def test_the_vendor_and_coder_apis_answer_what_their_pages_show_for_the_period(login, director, lake, query):
    client = login(director)
    vendor_page = _sections(_get(client, "/vendors/acme/", query))
    vendor_api = _get(client, "/api/vendors/acme", query).json()
    assert _by_key(vendor_api["months"]) == _by_key(_as_api(FigureRow, vendor_page["month"]))
    assert _by_key(vendor_api["coders"]) == _by_key(_as_api(FigureRow, vendor_page["coder"]))
    coder_page = _sections(_get(client, "/coders/ac1/", query))
    coder_api = _get(client, "/api/coders/ac1", query).json()
    assert _by_key(coder_api["months"]) == _by_key(_as_api(FigureRow, coder_page["month"]))


def test_the_periods_figures_are_the_encounters_served_in_it(login, director, acme_user, lake):
    # February 2026 holds a3 (Acme, outpatient, 3 Feb) and b1 (Bayside, DRG 871, 20 Feb)
    client = login(director)
    rows = _by_key(client.get("/api/figures/vendor?period=2026-02").json()["rows"])
    assert {k: (r["encounters"], r["inpatient_encounters"]) for k, r in rows.items()} == {
        "acme": (1, 0), "bayside": (1, 1)}
    assert rows["bayside"]["cmi"] == str(drg_weight(871))
    assert client.get("/api/totals?from=2026-01-01&to=2026-01-31").json()["encounters"] == 3  # a1, a2, b2
    assert client.get("/api/totals?period=2026-Q1").json()["encounters"] == 5
    assert client.get("/api/totals?period=2026-03").json()["encounters"] == 0
    months = client.get("/api/coders/ac1?period=2026-Q1").json()["months"]
    assert [(m["key"], m["encounters"]) for m in months] == [("2026-01", 2)]
    # a vendor user's period still holds only its own vendor
    mine = login(acme_user).get("/api/figures/vendor?period=2026-02").json()["rows"]
    assert [(r["key"], r["encounters"]) for r in mine] == [("acme", 1)]


@pytest.mark.parametrize("query", ["period=2026-02", "period=2026-03", "period=2026-Q1",
                                   "from=2026-03-01&to=2026-03-31", ""])
def test_the_denials_apis_answer_what_the_denials_pages_show_for_the_period(login, director,
                                                                            denials_lake, query):  # noqa: F811
    client = login(director)
    overview = _get(client, "/denials/", query)
    for by, rows in _sections(overview).items():
        api = _get(client, f"/api/denials/rates/{by}", query).json()["rows"]
        assert _by_key(api) == _by_key(_as_api(RateRow, rows)), (by, query)
    assert _get(client, "/api/denials/summary", query).json() == SummaryOut.model_validate(
        overview.context["summary"]).model_dump(mode="json")
    assert _get(client, "/api/denials/carcs", query).json() == _as_api(CarcRow, overview.context["pareto"]["rows"])

    vendor = _get(client, "/denials/vendors/acme/", query)
    assert _get(client, "/api/denials/vendors/acme", query).json() == SummaryOut.model_validate(
        vendor.context["summary"]).model_dump(mode="json")

    coder = _get(client, "/denials/coders/ac1/", query)
    coder_api = _get(client, "/api/denials/coders/ac1", query).json()
    assert coder_api["summary"] == SummaryOut.model_validate(coder.context["summary"]).model_dump(mode="json")
    assert coder_api["claims"] == _as_api(DeniedClaim, coder.context["claims"])


def test_the_denials_period_counts_the_claims_paid_in_it(login, director, denials_lake):  # noqa: F811
    client = login(director)
    february = client.get("/api/denials/summary?period=2026-02").json()
    assert (february["claims"], february["denied"], february["coding_denied"]) == (5, 3, 2)  # the first 835
    march = client.get("/api/denials/summary?period=2026-03").json()
    assert (march["claims"], march["denied"]) == (1, 0)  # A1 paid on resubmission
    assert client.get("/api/denials/coders/ac1?period=2026-03").json()["claims"] == []
    assert [c["carcs"] for c in client.get("/api/denials/coders/ac1?period=2026-02").json()["claims"]] == [["11"]]
    assert [r["carc"] for r in client.get("/api/denials/carcs?period=2026-03").json()] == []


FIGURE_APIS = ["/api/figures/vendor", "/api/totals", "/api/vendors/acme", "/api/coders/ac1",
               "/api/denials/rates/vendor", "/api/denials/carcs", "/api/denials/summary",
               "/api/denials/vendors/acme", "/api/denials/coders/ac1"]

BAD = [
    ("period=2026-13", "period: '2026-13': no month 13 (months run 01 to 12)"),
    ("period=2026-Q5", "period: '2026-Q5' is neither a month (2026-03) nor a quarter (2026-Q1)"),
    ("period=0000-01", "period: '0000-01': no year 0000"),
    ("from=2026-02-30", "from: '2026-02-30' is not a date (YYYY-MM-DD)"),
    ("period=custom&to=31-01-2026", "to: '31-01-2026' is not a date (YYYY-MM-DD)"),
    ("from=2026-03-01&to=2026-02-01", "to: 2026-02-01 is before the start, 2026-03-01"),
]


def test_a_period_that_cannot_be_read_is_a_400_naming_the_parameter_as_the_page_does(login, director,
                                                                                     denials_lake):  # noqa: F811
    client = login(director)
    for query, detail in BAD:
        for path in FIGURE_APIS:
            response = client.get(f"{path}?{query}")
            assert (response.status_code, response.json()) == (400, {"detail": detail}), (path, query)
        for page in ("/", "/denials/"):
            text = client.get(f"{page}?{query}").content.decode()
            shown = re.search(r'data-testid="period-error">([^<]*)<', text)
            assert shown and html.unescape(shown[1]) == detail, (page, query)


def test_the_period_parameters_are_described_in_the_api_schema(login, director):
    schema = login(director).get("/api/openapi.json").json()
    for path in ("/api/figures/{by}", "/api/totals", "/api/vendors/{code}", "/api/coders/{login_id}",
                 "/api/denials/rates/{by}", "/api/denials/carcs", "/api/denials/summary",
                 "/api/denials/vendors/{code}", "/api/denials/coders/{login_id}"):
        names = {p["name"] for p in schema["paths"][path]["get"]["parameters"] if p["in"] == "query"}
        assert {"period", "from", "to"} <= names, path

"""The REST API: the same figures as the pages, login required, vendor-scoped."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codingwatch.codesets import drg_weight

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_figures_by_vendor_give_encounters_and_cms_cmi(login, director, lake):
    body = login(director).get("/api/figures/vendor").json()
    rows = {row["key"]: row for row in body["rows"]}
    assert rows["acme"]["encounters"] == 3
    expected = ((drg_weight(291) + drg_weight(470)) / 2).quantize(Decimal("0.0001"))
    assert Decimal(rows["acme"]["cmi"]) == expected


def test_vendor_user_gets_only_their_vendor_from_figures(login, acme_user, lake):
    body = login(acme_user).get("/api/figures/vendor").json()
    assert [row["key"] for row in body["rows"]] == ["acme"]


def test_vendor_user_totals_cover_only_their_vendor(login, bayside_user, lake):
    assert login(bayside_user).get("/api/totals").json()["encounters"] == 2


def test_an_unknown_dimension_is_a_400_naming_the_choices(login, director, lake):
    response = login(director).get("/api/figures/payer")
    assert response.status_code == 400 and "choose one of vendor" in response.json()["detail"]


def test_director_lists_every_vendor(login, director, lake):
    assert [v["code"] for v in login(director).get("/api/vendors").json()] == ["acme", "bayside"]


def test_vendor_user_lists_only_their_vendor_and_coders(login, acme_user, lake):
    client = login(acme_user)
    assert [v["code"] for v in client.get("/api/vendors").json()] == ["acme"]
    assert [c["login_id"] for c in client.get("/api/coders").json()] == ["ac1", "ac2"]


def test_vendor_user_reads_their_own_coder(login, acme_user, lake):
    body = login(acme_user).get("/api/coders/ac1").json()
    assert body["vendor"] == "acme"
    assert [(m["key"], m["encounters"], m["mean_turnaround_hours"]) for m in body["months"]] == [("2026-01", 2, 15.0)]


def test_outsider_gets_404_for_another_vendors_coder(login, bayside_user, lake):
    assert login(bayside_user).get("/api/coders/ac1").status_code == 404


def test_outsider_gets_404_for_another_vendor(login, bayside_user, lake):
    client = login(bayside_user)
    assert client.get("/api/vendors/acme").status_code == 404
    assert client.get("/api/figures/month?vendor=acme").status_code == 404
    assert client.get("/api/figures/month?coder=ac1").status_code == 404


def test_director_reads_a_vendor_with_months_and_coders(login, director, lake):
    body = login(director).get("/api/vendors/acme").json()
    assert [c["key"] for c in body["coders"]] == ["ac1", "ac2"]
    assert [m["key"] for m in body["months"]] == ["2026-01", "2026-02"]


def test_the_api_is_documented_for_logged_in_users(login, director):
    client = login(director)
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/figures/{by}" in schema["paths"]

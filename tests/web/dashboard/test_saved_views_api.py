"""The saved views' API (/api/views): list mine, save, delete, the same views the figure pages
list under "My views". Each is its owner's alone: another user of the organization, Acme's own
QA lead, the outsider vendor (Bayside) and a user of another organization never see or delete
it, and a vendor user saves views only of pages it may see."""

from __future__ import annotations

import pytest

from codingwatch.web.accounts import roles
from codingwatch.web.dashboard.models import SavedView
from codingwatch.web.organizations.models import Organization
from tests.web.conftest import make_user

pytestmark = pytest.mark.django_db

MARCH = {"name": "March by volume", "page": "/denials/", "query": "period=2026-03&sort_vendor=-claims"}


def _save(client, body):
    return client.post("/api/views", body, content_type="application/json")


@pytest.fixture
def outsider(roster):
    """An administrator of another organization."""
    user = make_user("otto", roles.ADMIN)
    user.organization = Organization.objects.create(name="Elsewhere Health")
    user.save()
    return user


def test_a_view_saved_through_the_api_is_listed_on_its_page_and_opens_it(login, director, lake):
    client = login(director)
    answer = _save(client, {"name": "February by volume", "page": "/", "query": "period=2026-02&sort_vendor=-encounters"})
    assert answer.status_code == 201
    view = answer.json()
    assert (view["name"], view["page"], view["query"]) == ("February by volume", "/", "period=2026-02&sort_vendor=-encounters")
    assert view["url"] == "/?period=2026-02&sort_vendor=-encounters"
    assert client.get("/api/views").json() == [view]
    page = client.get("/").content.decode()
    assert 'href="/?period=2026-02&amp;sort_vendor=-encounters">February by volume</a>' in page
    assert "February by volume" not in client.get("/denials/").content.decode()  # listed on its own page only
    opened = client.get(view["url"]).content.decode()
    assert '<option value="2026-02" selected>February 2026</option>' in opened
    assert "2 encounters coded" in opened  # a3 and b1


def test_a_view_saved_on_the_page_is_in_the_api_and_the_same_name_replaces_it(login, director, lake):
    client = login(director)
    client.post("/views/save/", {"page": "/", "query": "period=2026-02", "name": "February"})
    client.post("/views/save/", {"page": "/vendors/acme/", "query": "period=2026-Q1", "name": "Acme Q1"})
    listed = client.get("/api/views").json()
    assert [(v["page"], v["name"], v["query"]) for v in listed] == [
        ("/", "February", "period=2026-02"), ("/vendors/acme/", "Acme Q1", "period=2026-Q1")]
    assert [v["name"] for v in client.get("/api/views?page=/vendors/acme/").json()] == ["Acme Q1"]
    replaced = _save(client, {"name": "February", "page": "/", "query": "?from=2026-02-01&to=2026-02-14"})
    assert replaced.status_code == 200 and replaced.json()["id"] == listed[0]["id"]
    assert replaced.json()["query"] == "from=2026-02-01&to=2026-02-14"
    assert SavedView.objects.count() == 2


def test_deleting_a_view_removes_it_from_the_api_and_the_page(login, director, lake):
    client = login(director)
    view = _save(client, MARCH).json()
    assert client.delete(f"/api/views/{view['id']}").status_code == 204
    assert client.get("/api/views").json() == []
    assert "March by volume" not in client.get("/denials/").content.decode()
    assert client.delete(f"/api/views/{view['id']}").status_code == 404


def test_nobody_else_sees_or_deletes_a_users_view(login, director, acme_user, bayside_user, outsider, user_of_role,
                                                  lake):
    mine = _save(login(director), MARCH).json()
    colleague = user_of_role(roles.ADMIN)  # same organization, another user
    for other in (colleague, acme_user, bayside_user, outsider):
        client = login(other)
        assert client.get("/api/views").json() == [], other.username
        assert client.get("/api/views?page=/denials/").json() == [], other.username
        assert client.delete(f"/api/views/{mine['id']}").status_code == 404, other.username
        assert "March by volume" not in client.get("/denials/").content.decode(), other.username
    assert SavedView.objects.filter(pk=mine["id"]).exists()
    # each keeps their own, and sees only theirs
    acme_view = _save(login(acme_user), {"name": "Mine", "page": "/vendors/acme/", "query": ""}).json()
    assert [v["id"] for v in login(acme_user).get("/api/views").json()] == [acme_view["id"]]
    assert login(bayside_user).delete(f"/api/views/{acme_view['id']}").status_code == 404
    assert [v["id"] for v in login(director).get("/api/views").json()] == [mine["id"]]


@pytest.mark.parametrize("page", ["/vendors/bayside/", "/coders/bc1/", "/denials/vendors/bayside/",
                                  "/denials/coders/bc1/"])
def test_a_vendor_user_saves_no_view_of_another_vendors_page(login, acme_user, lake, page):
    assert _save(login(acme_user), {"name": "theirs", "page": page}).status_code == 404
    assert not SavedView.objects.exists()


def test_another_organizations_user_saves_no_view_of_this_ones_vendor(login, outsider, lake):
    client = login(outsider)
    for page in ("/vendors/acme/", "/coders/ac1/", "/denials/vendors/acme/", "/denials/coders/ac1/"):
        assert _save(client, {"name": "Acme", "page": page}).status_code == 404, page
    assert _save(client, {"name": "mine", "page": "/"}).status_code == 201  # its own dashboard
    assert SavedView.objects.get().user == outsider


REFUSED = [
    ({"name": "  ", "page": "/"}, "name: empty: name the view"),
    ({"name": "x" * 121, "page": "/"}, "name: 121 characters, at most 120"),
    ({"name": "x", "page": "https://elsewhere.example/"},
     "page: 'https://elsewhere.example/' is not a path of this site: give a figure page's path, e.g. /denials/"),
    ({"name": "x", "page": "//elsewhere.example/"},
     "page: '//elsewhere.example/' is not a path of this site: give a figure page's path, e.g. /denials/"),
    ({"name": "x", "page": "/audits/"}, "page: '/audits/' is not a figure page: give the path of the dashboard (/), "
                                        "the vendors (/vendors/), a vendor, a coder or a denials page"),
    ({"name": "x", "page": "/no/such/page/"}, "page: '/no/such/page/' is not a figure page: give the path of the "
                                              "dashboard (/), the vendors (/vendors/), a vendor, a coder or a "
                                              "denials page"),
    ({"name": "x", "page": "/", "query": "period=2026-13"},
     "query: period: '2026-13': no month 13 (months run 01 to 12)"),
    ({"name": "x", "page": "/", "query": "from=2026-03-01&to=2026-02-01"},
     "query: to: 2026-02-01 is before the start, 2026-03-01"),
    ({"name": "x", "page": "/", "query": "a" * 2001}, "query: 2001 characters, at most 2000"),
]


@pytest.mark.parametrize(("body", "detail"), REFUSED)
def test_a_view_that_cannot_be_saved_is_a_400_naming_the_field(login, director, lake, body, detail):
    answer = _save(login(director), body)
    assert (answer.status_code, answer.json()) == (400, {"detail": detail})
    assert not SavedView.objects.exists()


def test_a_body_without_a_page_is_refused_naming_it(login, director, lake):
    answer = _save(login(director), {"name": "x"})
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["detail"]] == [["body", "body", "page"]]


def test_the_read_only_executive_lists_but_neither_saves_nor_deletes(login, user_of_role, director, lake):
    view = _save(login(director), MARCH).json()
    client = login(user_of_role(roles.EXECUTIVE))
    assert client.get("/api/views").json() == []
    assert _save(client, MARCH).status_code == 403
    assert client.delete(f"/api/views/{view['id']}").status_code == 403
    assert SavedView.objects.filter(pk=view["id"]).exists()


def test_the_saved_views_api_needs_a_login(client, lake):
    assert client.get("/api/views").status_code == 401
    assert _save(client, MARCH).status_code == 401


@pytest.mark.parametrize(("body", "detail"), [(b, d) for b, d in REFUSED if b["page"].startswith(("/", "/audits/"))
                                              and b["page"] != "/no/such/page/" and not b["page"].startswith("//")])
def test_the_pages_save_form_refuses_what_the_api_refuses_and_says_why(login, director, lake, body, detail):
    import html

    client = login(director)
    answer = client.post("/views/save/", {"query": "", **body}, follow=True)
    assert answer.status_code == 200 and answer.redirect_chain[-1][0] == body["page"]
    page = html.unescape(answer.content.decode())
    assert f'<li class="error">The view was not saved: {detail}.</li>' in page
    assert not SavedView.objects.exists()

"""Each view and API endpoint, seen by three personas: staff (director), the vendor's own user
(acme_user) and an outsider vendor user (bayside_user) who should have no access to Acme."""

from __future__ import annotations

import pytest

from codingwatch.web.accounts import roles

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


# ---- dashboard -------------------------------------------------------------------------------
def test_director_sees_every_vendor_on_the_dashboard(login, director, lake):
    page = login(director).get("/").content.decode()
    assert 'href="/vendors/acme/"' in page and 'href="/vendors/bayside/"' in page


def test_vendor_user_sees_only_their_vendor_on_the_dashboard(login, acme_user, lake):
    response = login(acme_user).get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "acme" in page and "bayside" not in page


def test_every_role_can_open_the_dashboard(client, user_of_role, lake):
    for role in roles.ROLES:
        client.force_login(user_of_role(role))
        assert client.get("/").status_code == 200, role


def test_nav_bar_shows_the_user_and_role(login, acme_user, lake):
    page = login(acme_user).get("/").content.decode()
    assert "amit · Vendor user · Acme Coding" in page


# ---- vendor pages ----------------------------------------------------------------------------
def test_director_opens_any_vendor_page(login, director, lake):
    client = login(director)
    assert client.get("/vendors/acme/").status_code == 200
    assert client.get("/vendors/bayside/").status_code == 200


def test_vendor_user_opens_their_own_vendor_page(login, acme_user, lake):
    response = login(acme_user).get("/vendors/acme/")
    assert response.status_code == 200
    assert "ac1" in response.content.decode()


def test_outsider_vendor_user_gets_404_for_another_vendors_page(login, bayside_user, lake):
    assert login(bayside_user).get("/vendors/acme/").status_code == 404


def test_vendor_list_shows_a_vendor_user_only_their_vendor(login, bayside_user, lake):
    page = login(bayside_user).get("/vendors/").content.decode()
    assert "Bayside Coders" in page and "Acme Coding" not in page


# ---- coder pages -----------------------------------------------------------------------------
def test_director_opens_any_coder_page(login, director, lake):
    client = login(director)
    assert client.get("/coders/ac1/").status_code == 200
    assert client.get("/coders/bc1/").status_code == 200


def test_vendor_user_opens_their_own_coders_page(login, acme_user, lake):
    page = login(acme_user).get("/coders/ac1/").content.decode()
    assert "Coder ac1" in page and "2026-01" in page


def test_outsider_vendor_user_asking_for_another_vendors_coder_by_url_gets_404(login, bayside_user, lake):
    response = login(bayside_user).get("/coders/ac1/")
    assert response.status_code == 404
    assert "ac1" not in response.content.decode()


# ---- tables and exports ----------------------------------------------------------------------
def test_outsider_cannot_export_another_vendors_figures(login, bayside_user, lake):
    client = login(bayside_user)
    assert client.get("/figures/month.csv?vendor=acme").status_code == 404
    assert client.get("/figures/month.csv?coder=ac1").status_code == 404


def test_outsider_export_without_filters_holds_only_their_vendor(login, bayside_user, lake):
    body = login(bayside_user).get("/figures/vendor.csv").content.decode()
    assert body.splitlines()[1:] == [line for line in body.splitlines()[1:] if line.startswith("bayside,")]
    assert len(body.splitlines()) == 2


def test_outsider_cannot_load_another_vendors_table_fragment(login, bayside_user, lake):
    assert login(bayside_user).get("/figures/coder/table/?vendor=acme").status_code == 404


def test_director_exports_every_vendor(login, director, lake):
    body = login(director).get("/figures/vendor.csv").content.decode()
    assert [line.split(",")[0] for line in body.splitlines()] == ["vendor", "acme", "bayside"]


# ---- read-only role --------------------------------------------------------------------------
def test_executive_cannot_post_anything(login, user_of_role, director, lake):
    # A director's POST reaches the view (which only answers GET); an executive's never does.
    assert login(director).post("/figures/vendor/table/").status_code == 405
    client = login(user_of_role(roles.EXECUTIVE))
    assert client.post("/figures/vendor/table/").status_code == 403


def test_executive_can_still_log_out(login, user_of_role):
    client = login(user_of_role(roles.EXECUTIVE))
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


# ---- admin screens ---------------------------------------------------------------------------
def test_admin_role_reaches_the_admin_screens(login, user_of_role):
    client = login(user_of_role(roles.ADMIN))
    for path in ("/admin/", "/admin/vendors/vendor/", "/admin/vendors/coder/", "/admin/vendors/contract/",
                 "/admin/organizations/workqueue/", "/admin/vendors/queueassignment/", "/admin/accounts/accessevent/"):
        assert client.get(path).status_code == 200, path


def test_other_roles_do_not_reach_the_admin_screens(login, director, acme_user):
    for user in (director, acme_user):
        response = login(user).get("/admin/vendors/coder/")
        assert response.status_code == 302 and "/login/" in response["Location"]

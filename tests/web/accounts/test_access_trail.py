"""Every view of a chart-level page and every export is recorded: who, when, what; never changed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from codingwatch.web.accounts.models import AccessEvent, AppendOnlyError

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_a_coder_page_view_is_recorded_with_who_when_and_what(login, acme_user, lake):
    before = timezone.now()
    login(acme_user).get("/coders/ac1/")
    event = AccessEvent.objects.get()
    assert (event.username, event.role, event.action) == ("amit", "vendor", "view")
    assert (event.object_type, event.object_id, event.path) == ("coder", "ac1", "/coders/ac1/")
    assert event.at >= before


def test_a_vendor_page_view_is_recorded(login, director, lake):
    login(director).get("/vendors/bayside/")
    assert AccessEvent.objects.filter(object_type="vendor", object_id="bayside", action="view").count() == 1


def test_an_export_is_recorded_with_its_filters(login, director, lake):
    login(director).get("/figures/month.csv?coder=ac1")
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type, event.object_id) == ("export", "figures-by-month", "coder=ac1")
    assert event.path == "/figures/month.csv?coder=ac1"


def test_the_api_records_coder_and_vendor_reads_like_the_pages(login, director, lake):
    client = login(director)
    client.get("/api/coders/ac1")
    client.get("/api/vendors/acme")
    assert sorted(AccessEvent.objects.values_list("object_type", "object_id", "path")) == [
        ("coder", "ac1", "/api/coders/ac1"), ("vendor", "acme", "/api/vendors/acme")]


def test_a_refused_page_is_not_recorded_as_viewed(login, bayside_user, lake):
    assert login(bayside_user).get("/coders/ac1/").status_code == 404
    assert not AccessEvent.objects.exists()


def test_access_events_cannot_be_changed(login, director, lake):
    login(director).get("/coders/ac1/")
    event = AccessEvent.objects.get()
    event.object_id = "someone-else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.update(object_id="x")
    assert AccessEvent.objects.get().object_id == "ac1"


def test_access_events_cannot_be_deleted(login, director, lake):
    login(director).get("/coders/ac1/")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.get().delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.all().delete()
    assert AccessEvent.objects.count() == 1


def test_the_admin_screen_of_the_trail_is_read_only(login, user_of_role, director, lake):
    login(director).get("/coders/ac1/")
    event = AccessEvent.objects.get()
    client = login(user_of_role("admin"))
    assert client.get(f"/admin/accounts/accessevent/{event.pk}/change/").status_code == 200
    client.post(f"/admin/accounts/accessevent/{event.pk}/delete/", {"post": "yes"})
    client.post("/admin/accounts/accessevent/add/", {})
    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [event.pk]

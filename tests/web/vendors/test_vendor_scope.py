"""The vendor scope lives in the ORM: scoped queries return one vendor's rows, unscoped ones fail."""

from __future__ import annotations

import pytest
from django_scopes import ScopeError, scope, scopes_disabled

from codingwatch.web.vendors.models import Coder, QueueAssignment, Vendor

pytestmark = [pytest.mark.django_db, pytest.mark.postgres, pytest.mark.scoped]


def test_a_query_outside_any_scope_fails_instead_of_returning_every_vendor(roster):
    with pytest.raises(ScopeError):
        list(Coder.objects.all())


def test_inside_a_vendor_scope_only_that_vendors_rows_exist(roster):
    with scope(vendor=roster["acme"].pk, organization=roster["acme"].organization_id):
        assert sorted(Coder.objects.values_list("login_id", flat=True)) == ["ac1", "ac2"]
        assert list(Vendor.objects.values_list("code", flat=True)) == ["acme"]
        assert not Coder.objects.filter(login_id="bc1").exists()
        assert QueueAssignment.objects.count() == 1


def test_the_unscoped_path_is_explicit(roster):
    with scopes_disabled():
        assert Coder.objects.count() == 3


def test_a_vendor_user_cannot_exist_without_a_vendor(roster):
    from django.db import IntegrityError, transaction

    from codingwatch.web.accounts.models import User

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="nobody", password="x", role="vendor", vendor=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="staff", password="x", role="director", vendor=roster["acme"])

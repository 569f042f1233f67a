"""The contract service (web/vendors/services/contracts): a contract and its SLAs stored together, checked as the admin checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from codingwatch.web.organizations.models import Organization
from codingwatch.web.vendors.models import AccuracySLA, Contract, Vendor
from codingwatch.web.vendors.services.contracts import Terms, add_contract, contract_every_vendor

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TERMS = Terms(start_date=dt.date(2025, 10, 1), pricing="per_chart", price=Decimal("6.50"),
              base_rate=Decimal("6500.00"), accuracy={"cardiology": Decimal("95.00")},
              turnaround_hours={"inpatient": Decimal("72")})


def test_a_contract_is_stored_with_its_slas_and_the_vdi_term_of_its_delivery_model(roster):
    with scopes_disabled():
        contract = add_contract(roster["acme"], TERMS)
        assert contract.requires_vdi is True  # an offshore vendor works through the VDI
        assert [(s.specialty, s.minimum_accuracy) for s in contract.accuracy_slas.all()] == [
            ("cardiology", Decimal("95.00"))]
        assert [(s.encounter_type, s.maximum_hours) for s in contract.turnaround_slas.all()] == [
            ("inpatient", Decimal("72.0"))]
        org = Organization.objects.get()
        own = Vendor.objects.create(organization=org, code="own", name="Own team", delivery_model="in-house")
        assert add_contract(own, TERMS).requires_vdi is False


def test_bad_terms_store_nothing_and_name_the_field(roster):
    with scopes_disabled(), pytest.raises(ValidationError) as refused:
        add_contract(roster["acme"], Terms(**{**TERMS.__dict__, "end_date": dt.date(2025, 1, 1)}))
    assert "contract_ends_after_it_starts" in str(refused.value.message_dict["__all__"])
    with scopes_disabled(), pytest.raises(ValidationError) as refused:
        add_contract(roster["acme"], Terms(**{**TERMS.__dict__, "accuracy": {"!!": Decimal("95")}}))
    assert "specialty" in refused.value.message_dict
    with scopes_disabled():
        assert not Contract.objects.exists() and not AccuracySLA.objects.exists()


def test_every_vendor_without_a_contract_gets_one_once(roster):
    with scopes_disabled():
        add_contract(roster["bayside"], TERMS)
        made = contract_every_vendor(TERMS)
        assert [c.vendor.code for c in made] == ["acme"]
        assert contract_every_vendor(TERMS) == []
        assert Contract.objects.count() == 2



def test_candidate_vendors_get_no_contract(roster):
    from codingwatch.web.diligence.models import Assessment

    with scopes_disabled():
        org = Organization.objects.get()
        candidate = Vendor.objects.create(organization=org, code="rfp", name="RFP Coding", delivery_model="onshore")
        Assessment.objects.create(vendor=candidate, stage=Assessment.CANDIDATE)
        Assessment.objects.create(vendor=roster["bayside"], stage=Assessment.CURRENT)
        made = contract_every_vendor(TERMS)  # as `codingwatch demo` does on every run
        assert sorted(c.vendor.code for c in made) == ["acme", "bayside"]
        assert contract_every_vendor(TERMS) == []  # the second run: still none for the candidate
        assert not Contract.objects.filter(vendor=candidate).exists()

"""Contracts of the roster's vendors: the terms, the accuracy SLAs and the turnaround SLAs, written together.

`add_contract` checks the terms as the admin screens do (model validation) and stores the
contract with its SLAs in one transaction, so a vendor never has half a contract;
`contract_every_vendor` gives each vendor that has none a contract on the same terms
(the demo's, or an organization's standard terms before the real ones are entered).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django_scopes import scopes_disabled

from codingwatch.web.vendors.models import AccuracySLA, Contract, TurnaroundSLA, Vendor


@dataclass(frozen=True)
class Terms:
    """A contract's terms. `requires_vdi` None: work only through the VDI for vendors that are not in-house."""

    start_date: dt.date
    pricing: str
    price: Decimal
    base_rate: Decimal | None = None
    rework_cost_per_denial: Decimal | None = None
    baa_date: dt.date | None = None
    end_date: dt.date | None = None
    allowed_countries: tuple[str, ...] = ()  # empty: the countries of the vendor's declared work locations
    requires_vdi: bool | None = None
    accuracy: dict[str, Decimal] = field(default_factory=dict)  # specialty -> minimum accuracy, percent
    turnaround_hours: dict[str, Decimal] = field(default_factory=dict)  # encounter type -> maximum hours


@transaction.atomic
def add_contract(vendor: Vendor, terms: Terms) -> Contract:
    """Stores a contract of `vendor` with its SLAs; a term the admin would refuse raises ValidationError."""
    contract = Contract(
        vendor=vendor, start_date=terms.start_date, end_date=terms.end_date, baa_date=terms.baa_date,
        pricing=terms.pricing, price=terms.price, base_rate=terms.base_rate,
        rework_cost_per_denial=terms.rework_cost_per_denial, allowed_countries=list(terms.allowed_countries),
        requires_vdi=vendor.delivery_model != "in-house" if terms.requires_vdi is None else terms.requires_vdi,
    )
    contract.full_clean()
    contract.save()
    slas = [AccuracySLA(contract=contract, specialty=s, minimum_accuracy=v) for s, v in terms.accuracy.items()]
    for sla in slas:
        sla.full_clean(exclude=["contract"])
    AccuracySLA.objects.bulk_create(slas)
    turnaround = [TurnaroundSLA(contract=contract, encounter_type=t, maximum_hours=h)
                  for t, h in terms.turnaround_hours.items()]
    for sla in turnaround:
        sla.full_clean(exclude=["contract"])
    TurnaroundSLA.objects.bulk_create(turnaround)
    return contract


@scopes_disabled()  # the installation's vendors, every organization's
def contract_every_vendor(terms: Terms) -> list[Contract]:
    """A contract on `terms` for each vendor that has none, except candidate vendors (an RFP's,
    marked by their due-diligence assessment: they have no contract until one is signed); the
    contracts made."""
    # The assessment's stage by the ORM's reverse lookup (web/diligence's Assessment.CANDIDATE),
    # so the vendors app does not import the diligence app that depends on it.
    without = Vendor.objects.filter(contracts__isnull=True).exclude(assessment__stage="candidate")
    return [add_contract(vendor, terms) for vendor in without]


def rework_cost_per_denial(vendor_code: str):
    """(cost of reworking one denial, where the figure comes from) for a vendor: its latest
    contract's figure, else the CODINGWATCH_DENIAL_REWORK_COST setting. Read here, below the
    denials pages and the reviews, so that neither imports the other."""
    from django_scopes import scopes_disabled

    from codingwatch import denials
    from codingwatch.web.vendors.models import Contract

    with scopes_disabled():
        contract = (Contract.objects.filter(vendor__code=vendor_code, rework_cost_per_denial__isnull=False)
                    .order_by("-start_date").first())
    if contract is not None:
        return contract.rework_cost_per_denial, f"contract from {contract.start_date}"
    try:
        setting = denials.rework_cost_setting()
    except ValueError:
        setting = None
    if setting is not None:
        return setting, denials.analytics.REWORK_COST_SETTING
    return None, "no contract figure and no setting"

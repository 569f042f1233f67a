"""Contract terms between the app database and the scorecard engine.

`import_terms(path)` loads the YAML layout (docs/scorecard.md) into contracts: each contract
of the file is found by vendor (code or name) and start date, or created, and its measurable
terms (accuracy and turnaround SLAs, service terms, credit schedule) are replaced by the
file's, all contracts of the file or none. Importing the same file again changes nothing.

`terms_of(contract)` gives the engine's `ContractTerms`: a term with no effective_from takes
effect when the contract starts, one with no effective_to runs to the contract's end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django_scopes import scopes_disabled

from codingwatch.scorecard.terms import (
    AccuracyTerm,
    ContractTerms,
    CreditTerms,
    ServiceTerms,
    TermsError,
    TurnaroundTerm,
    load_yaml,
)
from codingwatch.web.vendors import models as m


@dataclass
class ImportSummary:
    contracts_created: int = 0
    contracts_updated: int = 0
    terms: dict = field(default_factory=dict)


def import_terms(path: Path) -> ImportSummary:
    from codingwatch.web.organizations.vocabulary import load_vocabulary

    with scopes_disabled():
        vocab = load_vocabulary()
        contracts = load_yaml(Path(path), canonical=lambda kind, name: vocab.canonical(kind, name))
        summary = ImportSummary(terms={"accuracy": 0, "turnaround": 0, "service": 0, "credits": 0})
        with transaction.atomic():
            for terms in contracts:
                vendors = list(m.Vendor.objects.filter(Q(code=terms.vendor) | Q(name=terms.vendor)))
                if len(vendors) != 1:
                    reason = "no vendor" if not vendors else "more than one vendor"
                    raise TermsError(f"{path}: {reason} with code or name {terms.vendor!r} (import the roster first)")
                vendor = vendors[0]
                contract = m.Contract.objects.filter(vendor=vendor, start_date=terms.start_date).first()
                if contract is None:
                    contract = m.Contract.objects.create(vendor=vendor, start_date=terms.start_date,
                                                         end_date=terms.end_date, pricing=terms.pricing,
                                                         price=terms.price)
                    summary.contracts_created += 1
                else:
                    contract.end_date, contract.pricing, contract.price = terms.end_date, terms.pricing, terms.price
                    contract.save(update_fields=["end_date", "pricing", "price"])
                    summary.contracts_updated += 1
                save_terms(contract, terms)
                for kind, group in (("accuracy", terms.accuracy), ("turnaround", terms.turnaround),
                                    ("service", terms.service), ("credits", terms.credits)):
                    summary.terms[kind] += len(group)
    return summary


def save_terms(contract: m.Contract, terms: ContractTerms) -> None:
    """Replace the contract's measurable terms with `terms` (inside the caller's transaction)."""
    contract.accuracy_slas.all().delete()
    contract.turnaround_slas.all().delete()
    contract.service_terms.all().delete()
    contract.credit_schedules.all().delete()
    for t in terms.accuracy:
        m.AccuracySLA.objects.create(contract=contract, specialty=t.specialty, minimum_accuracy=t.minimum,
                                     counting_rule=t.rule, effective_from=t.effective_from,
                                     effective_to=t.effective_to)
    m.TurnaroundSLA.objects.bulk_create(
        m.TurnaroundSLA(contract=contract, encounter_type=t.encounter_type, priority=t.priority,
                        percent_within=t.percent, maximum_hours=t.hours, effective_from=t.effective_from,
                        effective_to=t.effective_to) for t in terms.turnaround)
    m.ServiceTerms.objects.bulk_create(
        m.ServiceTerms(contract=contract, min_charts=t.min_charts, dnfb_days=t.dnfb_days,
                       coding_denial_rate=t.coding_denial_rate, query_percent=t.query_percent,
                       query_hours=t.query_hours, effective_from=t.effective_from, effective_to=t.effective_to)
        for t in terms.service)
    m.CreditSchedule.objects.bulk_create(
        m.CreditSchedule(contract=contract, accuracy_percent_per_point=t.accuracy_percent_per_point,
                         accuracy_cap_percent=t.accuracy_cap_percent, turnaround_breach_day=t.turnaround_breach_day,
                         rework_coding_denials=t.rework_coding_denials, effective_from=t.effective_from,
                         effective_to=t.effective_to) for t in terms.credits)
    rework = next((t.rework_cost_per_denial for t in terms.credits if t.rework_cost_per_denial is not None), None)
    if rework is not None:
        contract.rework_cost_per_denial = rework
        contract.save(update_fields=["rework_cost_per_denial"])


def terms_of(contract: m.Contract) -> ContractTerms:
    """The engine's view of a contract and its effective-dated terms."""
    start, end = contract.start_date, contract.end_date

    def dates(t):
        return t.effective_from or start, t.effective_to or end

    return ContractTerms(
        vendor=contract.vendor.code, start_date=start, end_date=end, pricing=contract.pricing, price=contract.price,
        accuracy=tuple(AccuracyTerm(*dates(t), specialty=t.specialty, rule=t.counting_rule,
                                    minimum=t.minimum_accuracy) for t in contract.accuracy_slas.all()),
        turnaround=tuple(TurnaroundTerm(*dates(t), encounter_type=t.encounter_type, priority=t.priority,
                                        percent=t.percent_within, hours=t.maximum_hours)
                         for t in contract.turnaround_slas.all()),
        service=tuple(ServiceTerms(*dates(t), min_charts=t.min_charts, dnfb_days=t.dnfb_days,
                                   coding_denial_rate=t.coding_denial_rate, query_percent=t.query_percent,
                                   query_hours=t.query_hours) for t in contract.service_terms.all()),
        credits=tuple(CreditTerms(*dates(t), accuracy_percent_per_point=t.accuracy_percent_per_point,
                                  accuracy_cap_percent=t.accuracy_cap_percent,
                                  turnaround_breach_day=t.turnaround_breach_day,
                                  rework_coding_denials=t.rework_coding_denials,
                                  rework_cost_per_denial=contract.rework_cost_per_denial)
                      for t in contract.credit_schedules.all()),
    )

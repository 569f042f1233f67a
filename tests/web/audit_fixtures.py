"""Fixtures of the audit web tests: a lake holding the example charts, an auditor, audits.

The lake is loaded through the real ingest (docs/examples/audit/coded.csv: nine charts Acme
coded in February 2026); Bayside's one chart comes from a copy with its vendor changed, so
that isolation tests have another vendor's audit to reach for.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from django_scopes import scopes_disabled

from codingwatch.ingest.encounters import ingest_encounter_files
from codingwatch.lake import open_lake
from codingwatch.web.accounts import roles
from codingwatch.web.audits.models import Audit
from codingwatch.web.audits.services.draw import draw
from codingwatch.web.vendors.models import AccuracySLA, Contract
from tests.web.conftest import make_user

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples" / "audit"
CODED = EXAMPLES / "coded.csv"
AUDITED = EXAMPLES / "audited.csv"


@pytest.fixture
def audit_lake(lake_root, lake_from_template):
    """The example charts in a fresh lake: Acme's nine, and IP-1001 again as Bayside's BX-1."""
    return lake_from_template("audit", build_audit_lake, lake_root)


def build_audit_lake(lake_root, tmp_path):
    with open(CODED, newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["encounter_id"] == "IP-1001"]
    bayside = tmp_path / "bayside.csv"
    with open(bayside, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow(row | {"encounter_id": "BX-1", "vendor": "bayside", "coder_id": "bc1"})
    lake = open_lake(lake_root)
    results = ingest_encounter_files([CODED, bayside], lake=lake)
    assert all(r.status == "loaded" for r in results), [r.message for r in results]
    return lake


@pytest.fixture
def auditor(roster):
    return make_user("aud", roles.AUDITOR)


@pytest.fixture
def contracts(roster):
    with scopes_disabled():
        contract = Contract.objects.create(vendor=roster["acme"], start_date=dt.date(2025, 1, 1), pricing="per_chart",
                                           price="12.00", base_rate="6500.00")
        AccuracySLA.objects.create(contract=contract, specialty="cardiology", minimum_accuracy="95.00")
    return contract


def new_audit(vendor, auditor, **fields) -> Audit:
    values = dict(title=f"{vendor.code} Q1", vendor=vendor, period_from=dt.date(2026, 1, 1),
                  period_to=dt.date(2026, 3, 31), seed="4967669.23", sample_size=4, created_by=auditor)
    values.update(fields)
    with scopes_disabled():
        return Audit.objects.create(**values)


@pytest.fixture
def acme_audit(roster, auditor, audit_lake, contracts):
    """A drawn Acme audit (simple random sample of 4 of its 9 charts), still a draft."""
    audit = new_audit(roster["acme"], auditor)
    with scopes_disabled():
        draw(audit, auditor)
    return audit


@pytest.fixture
def bayside_audit(roster, auditor, audit_lake):
    audit = new_audit(roster["bayside"], auditor, sample_size=1)
    with scopes_disabled():
        draw(audit, auditor)
    return audit


@pytest.fixture
def reviewed_audit(roster, auditor, audit_lake, contracts):
    """All nine of Acme's example charts drawn and reviewed (the auditor's file imported): a draft."""
    from codingwatch.web.audits.services.bulk import import_audited

    audit = new_audit(roster["acme"], auditor, sample_size=9, title="Acme February")
    with scopes_disabled():
        draw(audit, auditor)
        import_audited(audit, auditor, AUDITED)
    return audit


@pytest.fixture
def bayside_reviewed(roster, auditor, audit_lake):
    """Bayside's one chart drawn and reviewed with a change (so it has findings), then routed."""
    from codingwatch.web.audits.services import review
    from codingwatch.web.audits.services.workflow import transition

    audit = new_audit(roster["bayside"], auditor, sample_size=1, title="Bayside February")
    with scopes_disabled():
        draw(audit, auditor)
        case = audit.cases.get()
        lines = [dict(line) for line in case.coded_lines] + [
            {"code_system": "ICD10CM", "code": "J9601", "sequence": 9, "poa": "Y", "modifiers": [], "units": "1"}]
        review.save_review(case, auditor, lines, None, {})
        transition(audit, auditor, "route")
    return audit

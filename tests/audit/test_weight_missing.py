"""An audit of discharges whose fiscal year has no Table 5: the DRG moves are found, but no
payment figure takes another year's weight; each figure says how many cases it lacks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from codingwatch.audit import (
    Case,
    FindingKind,
    case_impacts,
    compare_case,
    payment_totals,
    sample_overpayments,
    score,
)
from codingwatch.audit.compare import compare_cases
from codingwatch.codesets import add_weights, drg_weight
from tests.audit.audit_builders import dx, inpatient
from tests.codesets.test_weights import SHIFT, fy2025_rows, write_txt

FY2025 = dt.date(2025, 5, 1)


@pytest.fixture
def no_imported_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("CODINGWATCH_VAR", str(tmp_path / "var"))


def charts(grouper):
    # A: FY2025 sepsis with the MCC deleted (871 -> 872); B: the same in FY2026.
    cases = [Case(inpatient("A", day=FY2025), dx("A419", "J9601", "N179"), dx("A419", "N179")),
             Case(inpatient("B"), dx("A419", "J9601", "N179"), dx("A419", "N179"))]
    return [compare_case(c, grouper) for c in cases]


def test_a_drg_move_without_its_years_weights_is_found_but_not_priced(no_imported_weights, grouper):
    a, b = charts(grouper)
    assert (a.drg.coded_drg, a.drg.audited_drg, a.drg.grouper_version) == (871, 872, 421)
    assert a.drg.weight_missing and a.drg.weight_change is None
    finding = next(f for f in a.findings if f.kind in (FindingKind.drg_up, FindingKind.drg_down))
    assert finding.weight_change is None and "weight missing (FY2025)" in finding.detail
    s = score([a, b])
    assert s.drg_changed == 2 and s.weight_missing == 1
    assert s.payment_impact_weight == drg_weight(872, 2026) - drg_weight(871, 2026)  # B alone
    assert s.as_dict()["weight_missing_cases"] == 1
    impacts = {i.encounter_id: i for i in case_impacts([a, b], Decimal("6500.00"))}
    assert impacts["A"].weight_change is None and impacts["A"].payment_change is None
    totals = payment_totals(impacts.values())
    assert totals.weight_missing == 1 and totals.over_coded == impacts["B"].overpayment
    with pytest.raises(ValueError, match=r"1 sampled chart\(s\) .* without a weight .*first: A.*add-weights"):
        sample_overpayments([a, b], Decimal("6500.00"))


def test_with_fy2025_weights_imported_the_move_is_priced_with_fy2025_weights(no_imported_weights, tmp_path):
    add_weights(write_txt(tmp_path / "t5.txt", fy2025_rows()), 2025)
    a, b = compare_cases([Case(inpatient("A", day=FY2025), dx("A419", "J9601", "N179"), dx("A419", "N179")),
                          Case(inpatient("B"), dx("A419", "J9601", "N179"), dx("A419", "N179"))])
    assert a.drg.weight_change == (drg_weight(872, 2026) + SHIFT) - (drg_weight(871, 2026) + SHIFT)
    assert a.drg.coded_weight == drg_weight(871, 2026) + SHIFT  # FY2025's own, not FY2026's
    assert score([a, b]).weight_missing == 0
    assert len(sample_overpayments([a, b], Decimal("6500.00"))) == 2


def test_audit_score_regroups_a_poa_exempt_facility_without_the_poa_check(grouper):
    hac = dx("I5021", "L89154")
    hac = (hac[0], hac[1]._replace(poa="1"))
    case = Case(inpatient("H"), hac, hac)
    assert compare_case(case, grouper).drg.coded_drg == 999  # facility "north" is not exempt
    (exempt,) = compare_cases([case], poa_exempt_facilities=["North"])
    assert exempt.drg.coded_drg == 291

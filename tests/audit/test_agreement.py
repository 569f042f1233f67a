"""Parallel coding agreement (codingwatch.audit.agreement): the vendor's coding against the in-house team's."""

from __future__ import annotations

import pytest

from codingwatch.audit import Case, compare_case
from codingwatch.audit.agreement import REFERENCE, parallel_agreement
from tests.audit.audit_builders import cpt, dx, inpatient, outpatient

# (vendor coding, in-house coding) of the same three charts
CHARTS = [
    Case(inpatient("IP-1", coder="C1"), dx("I509", "N179"), dx("I5021", "N179", "J9601")),
    Case(inpatient("IP-2", coder="C1", specialty="hospital_medicine"), dx("A419", "J9601", "N179"),
         dx("A419", "N179")),
    Case(outpatient("OP-1", coder="C2"), dx("R0789") + cpt("71046-26"), dx("R0789") + cpt("71046-TC")),
]


def test_agreement_counts_the_in_house_codes_the_vendor_matched(grouper):
    out = parallel_agreement([compare_case(c, grouper) for c in CHARTS])
    assert out["reference"] == REFERENCE
    # in-house diagnosis codes 3 + 2 + 1; the vendor has N179, A419, N179 and R0789 of them
    assert out["overall"]["encounters"] == 3
    assert out["overall"]["dx_agreement"] == pytest.approx(4 / 6)
    # Wilson 95% interval of 4/6 (Newcombe 1998, method 3): 0.300 to 0.903
    assert out["overall"]["dx_agreement_limits"] == pytest.approx([0.3000, 0.9032], abs=5e-4)
    by = {row["key"]: row for row in out["by_specialty"]}
    assert list(by) == ["cardiology", "hospital_medicine", "radiology"]
    assert by["cardiology"]["dx_agreement"] == pytest.approx(1 / 3)
    assert by["hospital_medicine"]["dx_agreement"] == 1.0
    assert by["radiology"]["dx_agreement"] == 1.0
    assert out["overall"]["record_agreement"] == 0.0  # every chart has some disagreement
    assert "modifier_changed" in by["radiology"]["disagreements"]

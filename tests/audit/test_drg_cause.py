"""The grouper's word on each code (CC/MCC per CMS Table 6, HACs) and the lines that moved a DRG."""

from __future__ import annotations

from codingwatch.audit import Case
from codingwatch.audit.compare import drg_cause, grouped_versions
from tests.audit.audit_builders import dx, inpatient, outpatient


def test_each_code_carries_its_cc_mcc_level_and_its_part_in_the_drg(assert_valid, grouper):
    # Heart failure with N17.9 (a CC on CMS Table 6J) groups to 292; J96.01 is an MCC (Table 6I): 291.
    case = assert_valid(Case(inpatient("IP-1"), dx("I509", "E119", "N179"), dx("I509", "E119", "N179", "J9601")))
    coded, audited = grouped_versions(case, grouper)
    assert (coded.drg, audited.drg) == (292, 291)
    assert coded.outcome("N179").flags == ("CC", "DRG")
    assert coded.outcome("E119").flags == ()
    assert audited.outcome("J9601").severity == "MCC" and audited.outcome("J9601").drives_drg


def test_a_hospital_acquired_condition_is_flagged(assert_valid, grouper):
    # T80.211A (bloodstream infection due to a central line) not present on admission: HAC 07.
    case = assert_valid(Case(inpatient("IP-2"), dx("I509", "T80211A:N"), dx("I509", "T80211A:N")))
    coded, _ = grouped_versions(case, grouper)
    assert any(h.startswith("HAC 07") for h in coded.outcome("T80211A").hacs)
    assert "HAC 07" in coded.outcome("T80211A").flags


def test_the_line_that_moved_the_drg_is_named(assert_valid, grouper):
    added = assert_valid(Case(inpatient("IP-3"), dx("I509", "E119", "N179"), dx("I509", "E119", "N179", "J9601")))
    assert drg_cause(added, grouper) == [("J9601", "added", "MCC DRG")]
    deleted = assert_valid(Case(inpatient("IP-4"), dx("I509", "E119", "N179"), dx("I509", "E119")))
    assert drg_cause(deleted, grouper) == [("N179", "deleted", "CC DRG")]
    held = assert_valid(Case(inpatient("IP-5"), dx("I509", "E119", "N179"), dx("I509", "N179", "E119")))
    assert drg_cause(held, grouper) == []
    assert grouped_versions(Case(outpatient("OP-1"), dx("R0789"), dx("R0789")), grouper) is None

"""Every changed line is classified by the error taxonomy (domain.md), on real FY2026 codes."""

from __future__ import annotations

from decimal import Decimal

import pytest

from codingwatch.audit import Case, FindingKind, compare_case
from codingwatch.audit.model import RESEQUENCED
from codingwatch.codesets import drg_title, drg_weight
from tests.audit.audit_builders import cpt, dx, inpatient, outpatient, px

K = FindingKind


def kinds(result) -> list[str]:
    return sorted(f.kind.value for f in result.findings)


def only(result, kind: FindingKind):
    hits = [f for f in result.findings if f.kind == kind]
    assert len(hits) == 1, kinds(result)
    return hits[0]


# (name, case, the finding kind expected, its coded and audited text)
LINE_CASES = [
    ("missed diagnosis", Case(inpatient(), dx("J189", "E119"), dx("J189", "E119", "I10")), K.dx_added, None, "I10"),
    ("unsupported diagnosis", Case(inpatient(), dx("J189", "E119", "I10"), dx("J189", "E119")), K.dx_deleted, "I10", None),
    ("more specific", Case(inpatient(), dx("J189", "I509"), dx("J189", "I5021")), K.dx_more_specific, "I509", "I5021"),
    ("less specific", Case(inpatient(), dx("J189", "I5021"), dx("J189", "I509")), K.dx_less_specific, "I5021", "I509"),
    ("same category, other code", Case(inpatient(), dx("J189", "E1165"), dx("J189", "E1169")), K.dx_same_category,
     "E1165", "E1169"),
    ("wrong category in the block", Case(inpatient(), dx("I5021", "J189"), dx("I5021", "J151")), K.dx_wrong_category,
     "J189", "J151"),
    ("laterality", Case(outpatient(specialty="orthopedics"), dx("M1711"), dx("M1712")), K.dx_laterality, "M1711", "M1712"),
    ("7th character", Case(outpatient(specialty="orthopedics"), dx("S72001A"), dx("S72001D")), K.dx_seventh_character,
     "S72001A", "S72001D"),
    ("POA", Case(inpatient(), dx("J189", "N179:N"), dx("J189", "N179:Y")), K.poa_changed, "N179 POA=N", "N179 POA=Y"),
    ("secondary order", Case(inpatient(), dx("J189", "E119", "I10"), dx("J189", "I10", "E119")), K.dx_sequencing_changed,
     "E119 I10", "I10 E119"),
    ("procedure added", Case(outpatient(specialty="orthopedics"), dx("M1711") + cpt("29881"),
                             dx("M1711") + cpt("29881", "20610")), K.px_added, None, "20610"),
    ("procedure deleted", Case(outpatient(specialty="orthopedics"), dx("M1711") + cpt("29881", "20610"),
                               dx("M1711") + cpt("29881")), K.px_deleted, "20610", None),
    ("procedure changed", Case(inpatient(specialty="orthopedics"), dx("S72001A") + px("0QS704Z"),
                               dx("S72001A") + px("0QS734Z")), K.px_changed, "0QS704Z", "0QS734Z"),
    ("modifier added", Case(outpatient(), dx("R0789") + cpt("71046"), dx("R0789") + cpt("71046-26")), K.modifier_added,
     "71046", "71046-26"),
    ("modifier deleted", Case(outpatient(), dx("R0789") + cpt("71046-26"), dx("R0789") + cpt("71046")),
     K.modifier_deleted, "71046-26", "71046"),
    ("modifier changed", Case(outpatient(), dx("R0789") + cpt("71046-26"), dx("R0789") + cpt("71046-TC")),
     K.modifier_changed, "71046-26", "71046-TC"),
    ("units", Case(outpatient(specialty="oncology"), dx("C50911") + cpt("96413", "96415*2"),
                   dx("C50911") + cpt("96413", "96415*3")), K.units_changed, "96415 x2", "96415 x3"),
    ("E/M level up", Case(outpatient(encounter_type="profee", specialty="neurology"), dx("G40909") + cpt("99213"),
                          dx("G40909") + cpt("99214")), K.em_level_up, "99213", "99214"),
    ("E/M level down", Case(outpatient(encounter_type="ed", specialty="emergency_medicine"), dx("R0789") + cpt("99285"),
                            dx("R0789") + cpt("99284")), K.em_level_down, "99285", "99284"),
]


@pytest.mark.parametrize("name,case,kind,coded,audited", LINE_CASES, ids=[c[0] for c in LINE_CASES])
def test_a_changed_line_is_classified(name, case, kind, coded, audited, assert_valid, grouper):
    result = compare_case(assert_valid(case), grouper)
    finding = only(result, kind)
    assert (finding.coded, finding.audited) == (coded, audited)


def test_a_new_principal_diagnosis_is_one_finding_classified_like_a_change(assert_valid, grouper):
    result = compare_case(assert_valid(Case(inpatient(), dx("I509", "N179"), dx("I5021", "N179"))), grouper)
    finding = only(result, K.principal_dx_changed)
    assert (finding.coded, finding.audited, finding.detail) == ("I509", "I5021", "dx_more_specific")
    assert not [f for f in result.findings if f.kind == K.dx_more_specific]


def test_a_principal_swapped_with_a_secondary_is_resequenced_and_keeps_its_code_match(assert_valid, grouper):
    result = compare_case(assert_valid(Case(inpatient(specialty="hospital_medicine"), dx("N179", "A419"),
                                            dx("A419", "N179"))), grouper)
    finding = only(result, K.principal_dx_changed)
    assert finding.detail == RESEQUENCED
    assert not finding.misses_audited_dx
    assert not [f for f in result.findings if f.kind in (K.dx_added, K.dx_deleted)]


def test_an_outpatient_first_listed_change_is_not_a_principal_change(assert_valid, grouper):
    result = compare_case(assert_valid(Case(outpatient(specialty="oncology"), dx("C50911"), dx("C50912"))), grouper)
    assert kinds(result) == ["dx_laterality"]


def test_codes_in_different_blocks_are_a_deletion_and_an_addition(assert_valid, grouper):
    result = compare_case(assert_valid(Case(inpatient(), dx("I5021", "J189"), dx("I5021", "J690"))), grouper)
    assert kinds(result) == ["dx_added", "dx_deleted"]


def test_a_missed_mcc_moves_heart_failure_up_a_drg(assert_valid, grouper):
    # MS-DRGs 291/292/293 are heart failure and shock with MCC / with CC / without CC/MCC.
    result = compare_case(assert_valid(Case(inpatient(), dx("I5021", "N179"), dx("I5021", "N179", "J9601"))), grouper)
    assert (result.drg.coded_drg, result.drg.audited_drg) == (292, 291)
    assert drg_title(291).startswith("HEART FAILURE AND SHOCK WITH MCC")
    finding = only(result, K.drg_up)
    assert finding.weight_change == drg_weight(291) - drg_weight(292) > 0
    assert all(f.payment_affecting for f in result.findings)


def test_an_unsupported_mcc_moves_sepsis_down_a_drg(assert_valid, grouper):
    # MS-DRGs 871/872: septicemia or severe sepsis without MV >96 hours with / without MCC.
    result = compare_case(assert_valid(Case(inpatient(specialty="hospital_medicine"), dx("A419", "J9601", "N179"),
                                            dx("A419", "N179"))), grouper)
    assert (result.drg.coded_drg, result.drg.audited_drg) == (871, 872)
    assert only(result, K.drg_down).weight_change == drg_weight(872) - drg_weight(871) < 0


def test_a_discharge_status_change_is_a_finding(assert_valid, grouper):
    case = Case(inpatient(), dx("I5021", "N179"), dx("I5021", "N179"), audited_discharge_status=3)
    finding = only(compare_case(assert_valid(case), grouper), K.discharge_status_changed)
    assert (finding.coded, finding.audited) == ("01", "03")


def test_an_unchanged_chart_has_no_findings_and_keeps_its_drg(assert_valid, grouper):
    case = Case(inpatient(), dx("I5021", "N179") + px("02703DZ"), dx("I5021", "N179") + px("02703DZ"))
    result = compare_case(assert_valid(case), grouper)
    assert result.findings == ()
    assert not result.drg.changed and result.drg.weight_change == Decimal(0)


def test_every_taxonomy_kind_is_produced_by_some_chart(assert_valid, grouper):
    extra = [
        Case(inpatient(), dx("I509", "N179"), dx("I5021", "N179")),
        Case(inpatient(), dx("I5021", "N179"), dx("I5021", "N179", "J9601")),
        Case(inpatient(specialty="hospital_medicine"), dx("A419", "J9601", "N179"), dx("A419", "N179")),
        Case(inpatient(), dx("I5021", "N179"), dx("I5021", "N179"), audited_discharge_status=3),
    ]
    seen = set()
    for case in [c[1] for c in LINE_CASES] + extra:
        seen |= {f.kind for f in compare_case(assert_valid(case), grouper).findings}
    assert seen == set(FindingKind)

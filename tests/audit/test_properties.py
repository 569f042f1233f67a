"""Properties every comparison keeps, on random charts drawn from valid FY2026 codes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codingwatch.audit import Case, compare_case, score
from tests.audit.audit_builders import dx, inpatient

# Valid and billable in FY2026 (checked by the MCE in test_the_pool_is_valid).
POOL = ["I5021", "I509", "I5023", "N179", "J9601", "E119", "E1165", "E1169", "I10", "J189", "J151",
        "A419", "D62", "E871", "S72001A", "S72002A", "S72001D", "M1711", "M1712", "F17210"]
charts = st.lists(st.sampled_from(POOL), min_size=1, max_size=7, unique=True)
poas = st.sampled_from(["Y", "N"])


def test_the_pool_is_valid(validator):
    case = Case(inpatient(), dx(*POOL), dx(*POOL))
    for line in case.coded:
        assert validator.check("ICD10CM", line.code, case.encounter.date_of_service).ok


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coded=charts, audited=charts, poa=poas)
def test_matched_plus_missed_equals_the_auditors_codes(grouper, coded, audited, poa):
    result = compare_case(Case(inpatient(), dx(*coded), dx(*audited, poa=poa)), grouper)
    s = score([result])
    exact = len(set(coded) & set(audited))
    assert s.dx_codes_audited == len(audited)
    assert s.dx_codes_matched == exact
    assert 0.0 <= s.dx.value <= 1.0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(codes=charts)
def test_a_chart_compared_with_itself_has_no_findings(grouper, codes):
    result = compare_case(Case(inpatient(), dx(*codes), dx(*codes)), grouper)
    assert result.findings == ()
    assert not result.drg.changed
    assert score([result]).record.value == 1.0


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(coded=charts, audited=charts)
def test_every_code_on_either_side_is_accounted_for(grouper, coded, audited):
    result = compare_case(Case(inpatient(), dx(*coded), dx(*audited)), grouper)
    code_findings = [f for f in result.findings
                     if f.kind.value.startswith("dx_") and f.kind.value != "dx_sequencing_changed"]
    removed = {f.coded for f in code_findings if f.coded}
    added = {f.audited for f in code_findings if f.audited}
    principal = [f for f in result.findings if f.kind.value == "principal_dx_changed"]
    if principal and principal[0].detail != "resequenced":
        removed.add(principal[0].coded)
        added.add(principal[0].audited)
    assert removed == set(coded) - set(audited)
    assert added == set(audited) - set(coded)

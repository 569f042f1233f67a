"""The review screen takes the discharge statuses the encounters layout takes, 00 included, as
`audit score` does from a file: the status is saved, regrouped (an off-list status is refused by
the grouper only where the DRG depends on it, as the CMS grouper does) and found as a changed
discharge status; what the layout refuses, the screen refuses too."""

from __future__ import annotations

import csv

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from codingwatch.audit import compare_case
from codingwatch.audit.reader import EncounterFileError, match_cases, read_encounters
from codingwatch.codesets import Grouper
from codingwatch.web.audits.models import Finding
from tests.web.audit_fixtures import AUDITED, CODED
from tests.web.audits.test_audit_review import IP_1001_AUDITED, case_of, form_of, full_audit  # noqa: F401

pytestmark = pytest.mark.django_db


def _audited_with_status(tmp_path, status: str):
    """The example audited file with IP-1001's discharge status changed, as an auditor would."""
    with AUDITED.open(newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["encounter_id"] == "IP-1001":
            row["discharge_status"] = status
    path = tmp_path / f"audited-{status or 'blank'}.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _the_layout_takes(tmp_path, status: str) -> bool:
    try:
        read_encounters(_audited_with_status(tmp_path, status))
    except EncounterFileError:
        return False
    return True


def test_status_00_is_saved_and_regrouped_as_the_cli_does(login, auditor, full_audit, tmp_path):  # noqa: F811
    coded, audited = read_encounters(CODED), read_encounters(_audited_with_status(tmp_path, "00"))
    engine_case = next(c for c in match_cases(coded, audited) if c.encounter.encounter_id == "IP-1001")
    assert engine_case.audited_discharge_status == 0
    with Grouper() as grouper:
        engine = compare_case(engine_case, grouper)
    expected = sorted((f.kind.value, f.coded or "", f.audited or "") for f in engine.findings)
    assert ("discharge_status_changed", "01", "00") in expected

    case = case_of(full_audit, "IP-1001")
    url = reverse("audit-case", args=[full_audit.pk, case.number])
    client = login(auditor)
    preview = client.post(reverse("audit-case-preview", args=[full_audit.pk, case.number]),
                          form_of(IP_1001_AUDITED, discharge_status="00"))
    assert preview.status_code == 200
    assert "discharge status is a CMS 2-digit code" not in preview.content.decode()
    assert f'data-testid="audited-drg">{engine.drg.audited_drg} ' in preview.content.decode()
    saved = client.post(url, form_of(IP_1001_AUDITED, discharge_status="00", save="1"))
    assert saved.status_code == 302
    with scopes_disabled():
        case.refresh_from_db()
        stored = sorted((f.kind, f.coded, f.audited) for f in Finding.objects.filter(case=case))
    assert stored == expected
    assert (case.audited_discharge_status, case.coded_drg, case.audited_drg) == (
        0, engine.drg.coded_drg, engine.drg.audited_drg)
    # reopened, the screen shows the auditor's 00, not the chart's 01
    assert 'value="00" size="3" form="review-form" data-testid="discharge-status"' in client.get(url).content.decode()


@pytest.mark.parametrize("status", ["0", "00", "01", "7", "30", "99", "100", "-1", "x1", "1 1", "1.5", "+1", "1e1"])
def test_the_screen_takes_what_the_layout_takes(login, auditor, full_audit, tmp_path, status):  # noqa: F811
    case = case_of(full_audit, "IP-1001")
    client = login(auditor)
    taken = _the_layout_takes(tmp_path, status)
    preview = client.post(reverse("audit-case-preview", args=[full_audit.pk, case.number]),
                          form_of(IP_1001_AUDITED, discharge_status=status)).content.decode()
    refusal = "Discharge status is a CMS 2-digit code, e.g. 01: fix it to regroup."
    assert (refusal not in preview and 'data-testid="audited-drg"' in preview) == taken, status
    saved = client.post(reverse("audit-case", args=[full_audit.pk, case.number]),
                        form_of(IP_1001_AUDITED, discharge_status=status, save="1"))
    assert saved.status_code == (302 if taken else 422), status
    if not taken:
        assert refusal in preview, status
        assert "discharge status is a CMS 2-digit code, e.g. 01" in saved.content.decode()

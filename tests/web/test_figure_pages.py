"""Figure pages as people read them: payer names and claim status words, months not yet begun
left out and months covered in part marked, the period in the URL, saved views, "data as of",
the denied-claim list paged on the server, and figures that follow a new load at once."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest

from codingwatch.ingest.x12.load import ingest_remits
from codingwatch.lake.schema import ENCOUNTERS
from codingwatch.synth.x12_writer import write_835
from codingwatch.web.dashboard.models import SavedView
from tests.web.conftest import encounter_row
from tests.web.denials.test_denials_pages import _claim_url, _denied, _paid, denials_lake  # noqa: F401

pytestmark = pytest.mark.django_db

FAR_FUTURE = dt.date(2099, 1, 15)


def _remit(tmp_path, lake, claims, day, control, *, payer_name="NORTHWIND HEALTH PLAN"):
    path = tmp_path / f"r{control}.835"
    path.write_bytes(write_835(claims, payment_date=day, control=control, payer_name=payer_name))
    report = ingest_remits([path], lake=lake)
    assert report.rejected == []


def test_payers_are_named_as_the_835_names_them(login, director, denials_lake):  # noqa: F811
    rows = login(director).get("/api/denials/rates/payer").json()["rows"]
    assert [r["key"] for r in rows] == ["SYNTHETIC PAYER"]  # N1*PR N102 of write_835, not its id 9999999999
    page = login(director).get("/denials/").content.decode()
    assert "SYNTHETIC PAYER" in page and "9999999999" not in page.split('id="section-payer"')[1].split("</section>")[0]


def test_claim_status_reads_in_words_on_the_claim_and_in_the_list(login, director, denials_lake):  # noqa: F811
    client = login(director)
    claim = client.get(_claim_url(denials_lake, "A1") + "/").content.decode()
    status = re.search(r'data-testid="claim-status">([^<]*)<', claim)[1]
    assert status == "denied (4)"
    assert client.get(_claim_url(denials_lake, "A1", api=True)).json()["status_code"] == "4"
    listing = client.get("/denials/coders/ac1/").content.decode()
    assert "denied (4)" in listing and "SYNTHETIC PAYER" in listing


def test_a_month_not_yet_begun_is_absent_and_partial_months_are_marked(login, director, denials_lake,  # noqa: F811
                                                                       tmp_path):
    _remit(tmp_path, denials_lake, [_denied("A2", "16")], FAR_FUTURE, 9)
    rows = login(director).get("/api/denials/rates/month").json()["rows"]
    # payments on 2026-02-25 and 2026-03-25, and one dated 2099: no month for it yet, and March is
    # whole (the payments go on after it)
    assert [(r["key"], r["partial"]) for r in rows] == [("2026-02", True), ("2026-03", False)]
    assert rows[0]["days"] == "2026-02-25 to 2026-02-28"
    page = login(director).get("/denials/").content.decode()
    month = page.split('id="section-month"')[1].split("</section>")[0]
    assert "2099" not in month and "(partial)" in month


def test_the_dashboard_months_leave_out_the_future_and_mark_partial_months(login, director, lake):
    lake.commit_load(kind="encounters", source_name="late.csv", sha256="late", tables={"encounters": pa.Table.from_pylist(
        [encounter_row("z1", vendor="acme", coder="ac1", day=FAR_FUTURE)], schema=ENCOUNTERS)})
    rows = login(director).get("/api/figures/month").json()["rows"]
    assert [r["key"] for r in rows] == ["2026-01", "2026-02"]
    assert [r["partial"] for r in rows] == [True, False]  # the data starts on 15 January


def test_the_period_is_in_the_url_and_narrows_every_figure(login, director, denials_lake):  # noqa: F811
    client = login(director)
    march = client.get("/api/denials/rates/vendor?period=2026-03").json()["rows"]
    assert [(r["key"], r["claims"], r["denied"]) for r in march] == [("acme", 1, 0)]  # A1's paid resubmission
    page = client.get("/denials/?period=2026-03").content.decode()
    assert '<option value="2026-03" selected>March 2026</option>' in page
    assert 'href="/denials/vendors/acme/?period=2026-03"' in page  # the drill-down keeps the period
    assert "/denials/rates/vendor.csv?period=2026-03" in page  # and so does the export
    custom = client.get("/api/denials/rates/vendor?from=2026-02-01&to=2026-02-28").json()["rows"]
    assert {r["key"]: r["claims"] for r in custom} == {"acme": 3, "bayside": 2}
    quarter = client.get("/denials/vendors/acme/?period=2026-Q1")
    assert quarter.status_code == 200 and "Q1 2026" in quarter.content.decode()


def test_the_dashboard_and_vendor_pages_take_the_period_too(login, director, lake):
    client = login(director)
    february = client.get("/?period=2026-02").content.decode()
    assert "2 encounters coded" in february  # a3 and b1
    assert "3 encounters coded" in client.get("/?from=2026-01-01&to=2026-01-31").content.decode()
    vendor = client.get("/vendors/acme/?period=2026-02").content.decode()
    assert '<option value="2026-02" selected>February 2026</option>' in vendor


def test_a_period_that_cannot_be_read_says_why_and_shows_every_date(login, director, lake):
    page = login(director).get("/?period=2026-13")
    assert page.status_code == 200
    assert "period: &#x27;2026-13&#x27;: no month 13" in page.content.decode()
    assert login(director).get("/api/denials/rates/vendor?period=soon").status_code == 400


def test_every_figure_page_says_when_its_data_was_loaded(login, director, acme_user, denials_lake):  # noqa: F811
    latest = max(record.loaded_at for record in denials_lake.loads())
    stamp = dt.datetime.fromisoformat(latest)
    for user, paths in ((director, ["/", "/vendors/", "/vendors/acme/", "/coders/ac1/", "/denials/",
                                    "/denials/vendors/acme/", "/denials/coders/ac1/"]),
                        (acme_user, ["/", "/denials/"])):
        client = login(user)
        for path in paths:
            text = client.get(path).content.decode()
            found = re.search(r'data-testid="data-as-of">Data as of <time datetime="([^"]+)"', text)
            assert found, path
            assert dt.datetime.fromisoformat(found[1]) == stamp, path


def test_a_user_saves_a_view_opens_it_and_nobody_else_sees_it(login, director, acme_user, denials_lake,  # noqa: F811
                                                               client):
    me = login(director)
    answer = me.post("/views/save/", {"page": "/denials/", "query": "period=2026-03&sort_vendor=-claims",
                                      "name": "March by volume"})
    assert answer.status_code == 302 and answer["Location"] == "/denials/?period=2026-03&sort_vendor=-claims"
    page = me.get("/denials/").content.decode()
    assert 'href="/denials/?period=2026-03&amp;sort_vendor=-claims">March by volume</a>' in page
    assert "March by volume" not in me.get("/").content.decode()  # listed on its own page only
    other = login(acme_user)
    assert "March by volume" not in other.get("/denials/").content.decode()
    view = SavedView.objects.get()
    assert other.post(f"/views/{view.pk}/delete/").status_code == 404  # not theirs
    me = login(director)
    assert me.post(f"/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_a_saved_view_names_only_a_page_of_ours(login, director, lake):
    client = login(director)
    assert client.post("/views/save/", {"page": "https://elsewhere.example/", "name": "x"}).status_code == 404
    assert client.post("/views/save/", {"page": "//elsewhere.example/", "name": "x"}).status_code == 404
    assert client.post("/views/save/", {"page": "/no/such/page/", "name": "x"}).status_code == 404
    assert not SavedView.objects.exists()


def test_the_denied_claim_list_is_paged_on_the_server(login, director, denials_lake, tmp_path):  # noqa: F811
    # 60 more denied claims of coder ac1 (A1's patient control number again): 61 with A1's first
    claims = [_denied("A1", "11", charge=f"{100 + i}.00") for i in range(60)]
    _remit(tmp_path, denials_lake, claims, dt.date(2026, 1, 20), 5)
    client = login(director)
    first = client.get("/denials/coders/ac1/").content.decode()
    rows = first.split('data-testid="denied-claims"')[1].split("</table>")[0].count('href="/denials/claims/')
    assert rows == 50
    assert "Rows 1–50 of 61" in first and 'rel="next"' in first
    second = client.get("/denials/coders/ac1/?page=2").content.decode()
    assert second.split('data-testid="denied-claims"')[1].split("</table>")[0].count('href="/denials/claims/') == 11
    assert "Rows 51–61 of 61" in second and 'rel="prev"' in second
    assert client.get("/denials/coders/ac1/?page=99").status_code == 200  # the last page


def test_a_new_load_shows_at_once_on_the_page(login, director, denials_lake, tmp_path):  # noqa: F811
    client = login(director)
    before = client.get("/api/denials/rates/vendor").json()["rows"]
    assert {r["key"]: r["claims"] for r in before} == {"acme": 4, "bayside": 2}
    _remit(tmp_path, denials_lake, [_paid("B2", payment="180.00")], dt.date(2026, 3, 28), 7)
    after = client.get("/api/denials/rates/vendor").json()["rows"]
    assert {r["key"]: r["claims"] for r in after} == {"acme": 4, "bayside": 3}
    assert Decimal(after[1]["denied_charge"]) == Decimal("200.00")

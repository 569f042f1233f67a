"""The sampling page and API give the same numbers as the engine and the CLI: the public RAT-STATS
checks of ratstats.md for the public seed, exports recorded, clear errors naming the field."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from codingwatch.sampling import appraise_variable, random_numbers
from codingwatch.sampling.export import draw_csv
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import AccessEvent

pytestmark = [pytest.mark.django_db]

# ratstats.md, public check (RAT-STATS 2010 output): seed 10661935.55, n = 100, m = 1, frame 0..101.
PUBLIC_DRAW = "seed=10661935.55&count=100&spares=1&low=0&high=101"
PUBLIC_SORTED = [(60, 0), (47, 1), (78, 2), (10, 3), (25, 4), (67, 5), (39, 6), (74, 7), (92, 8), (18, 9), (43, 10)]
PUBLIC_SUM = 5122


@pytest.fixture
def auditor(roster):
    from tests.web.conftest import make_user

    return make_user("ayo", roles.AUDITOR)


def table_rows(page: str, testid: str) -> list[tuple[int, int]]:
    table = page.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return [(int(a), int(b)) for a, b in re.findall(r'<tr><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>', table)]


def test_the_page_shows_the_public_check_values_for_the_public_seed(login, auditor):
    page = login(auditor).get(f"/sampling/?run=random&{PUBLIC_DRAW}").content.decode()
    assert table_rows(page, "draw-sample")[:11] == PUBLIC_SORTED
    assert "<th>Sum of all numbers drawn</th><td>5122</td>" in page
    spare = random_numbers("10661935.55", 100, 0, 101, spares=1).spare_rows[0]
    assert table_rows(page, "draw-spares") == [(101, spare.value)]


def test_the_csv_download_is_the_clis_csv_and_is_recorded(login, auditor):
    response = login(auditor).get(f"/sampling/random.csv?{PUBLIC_DRAW}")
    body = response.content.decode()
    assert body == draw_csv(random_numbers("10661935.55", 100, 0, 101, spares=1))
    assert body.splitlines()[0] == "kind,order,value"
    assert sum(int(line.split(",")[2]) for line in body.splitlines()[1:]) == PUBLIC_SUM
    event = AccessEvent.objects.get()
    assert (event.action, event.object_type) == ("export", "random-numbers-csv")
    assert event.object_id == "seed=10661935.55 count=100 spares=1 frame=0..101"


def test_the_xlsx_download_is_laid_out_like_ratstats_output(login, auditor):
    response = login(auditor).get(f"/sampling/random.xlsx?{PUBLIC_DRAW}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [tuple(c.value for c in row[:2]) for row in sheet.iter_rows()]
    assert ("Seed", "10661935.55") in cells and ("Sum of all numbers drawn", PUBLIC_SUM) in cells
    start = cells.index(("Selection Order", "Value")) + 1
    assert cells[start:start + 11] == PUBLIC_SORTED
    assert AccessEvent.objects.filter(object_type="random-numbers-xlsx").count() == 1


def test_a_count_larger_than_the_frame_is_a_clear_error(login, auditor):
    page = login(auditor).get("/sampling/?run=random&seed=1&count=20&spares=0&low=1&high=10").content.decode()
    assert "20 numbers and 0 spares were asked for but the frame 1..10 holds only 10" in page


def test_a_non_numeric_seed_is_a_clear_error(login, auditor):
    page = login(auditor).get("/sampling/?run=random&seed=abc&count=2&low=1&high=10").content.decode()
    assert "seed &#x27;abc&#x27; is not a number" in page


def test_attribute_appraisal_shows_the_public_check_lower_limits(login, auditor):
    page = login(auditor).get("/sampling/?run=attribute&universe=150&sample=100&hits=97").content.decode()
    lowers = {level: int(re.search(rf'data-testid="attribute-{level}"><td>{level}%</td><td class="num">(\d+)</td>',
                                    page)[1]) for level in ("80", "90", "95")}
    assert lowers == {"80": 143, "90": 142, "95": 141}


def test_attribute_appraisal_downloads_as_the_clis_csv_and_is_recorded(login, auditor):
    from codingwatch.sampling import appraise_attribute
    from codingwatch.sampling.export import attribute_csv

    client = login(auditor)
    body = client.get("/sampling/attribute.csv?universe=150&sample=100&hits=97").content.decode()
    assert body == attribute_csv(appraise_attribute(150, 100, 97))
    sheet = load_workbook(io.BytesIO(client.get("/sampling/attribute.xlsx?universe=150&sample=100&hits=97").content))
    assert sheet.active.max_row > 3
    assert [e.object_type for e in AccessEvent.objects.order_by("id")] == [
        "attribute-appraisal-csv", "attribute-appraisal-xlsx"]


def test_variable_appraisal_of_an_uploaded_file_gives_the_engines_limits(login, auditor, values_file):
    from decimal import Decimal

    page = login(auditor).post("/sampling/", {"universe": "100", "values": values_file()}).content.decode()
    difference = appraise_variable(100, [Decimal(x) for x in ("20.00", "0", "75.50", "20.00")]).as_dict()
    table = page.split('data-testid="variable-difference"', 1)[1].split("</table>", 1)[0]
    assert f'<td class="num">{difference["levels"]["90"]["lower"]}</td>' in table
    assert f'<td class="num">{difference["levels"]["90"]["upper"]}</td>' in table
    assert 'data-testid="variable-examined"' in page and 'data-testid="variable-audited"' in page


def test_a_bad_values_file_names_the_file_line_and_column(login, auditor, values_file):
    upload = values_file("examined,audited\n100,80\nten,5\n", name="mine.csv")
    page = login(auditor).post("/sampling/", {"universe": "100", "values": upload}).content.decode()
    assert "mine.csv: line 3: column examined: &#x27;ten&#x27; is not a number" in page


def test_api_draws_the_public_check(login, auditor):
    body = login(auditor).get(f"/api/sampling/random?{PUBLIC_DRAW}").json()
    assert [(r["order"], r["value"]) for r in body["rows"][:11]] == PUBLIC_SORTED
    assert body["total"] == PUBLIC_SUM and body["rows"][-1]["kind"] == "spare"


def test_api_attribute_appraisal_gives_counts_and_rates(login, auditor):
    body = login(auditor).get("/api/sampling/attribute?universe=150&sample=100&hits=97").json()
    assert {k: v["lower"] for k, v in body["limits"].items()} == {"80": 143, "90": 142, "95": 141}
    assert body["rates"]["limits"]["95"]["lower"] == 141 / 150


def test_api_rejects_a_frame_with_high_below_low(login, auditor):
    response = login(auditor).get("/api/sampling/random?seed=1&count=1&low=10&high=5")
    assert response.status_code == 400 and response.json()["detail"] == "high value 5 is below low value 10"


def test_api_variable_appraisal_of_an_uploaded_file(login, auditor, values_file):
    body = login(auditor).post("/api/sampling/variable", {"universe": "100", "values": values_file(),
                                                          "column": "audited"}).json()
    assert list(body) == ["audited"] and body["audited"]["sample"] == 4

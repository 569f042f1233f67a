"""The denials overview's figures written when a remittance load commits (`denials.kept.keep_figures`):
the pages answer them for the lake's snapshot, exactly as they would compute them; a new load
is answered afresh; a reader whose scope does not hold every vendor, another question, or a
failed write falls back to computing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache

from codingwatch.denials.kept import figures_path, kept_figures
from codingwatch.ingest.x12.load import ingest_remits
from codingwatch.synth.x12_writer import write_835
from codingwatch.web.denials import services
from tests.web.denials import test_denials_pages as pages

_denied, _paid = pages._denied, pages._paid
denials_lake = pages.denials_lake  # the denials pages' world: Acme and Bayside, two remittances

pytestmark = pytest.mark.django_db


def _figures(user, **kwargs) -> dict:
    """Everything the overview asks of the denials services."""
    cache.clear()
    return {"summary": services.summary(user, **kwargs), "pareto": services.pareto(user, **kwargs),
            **{by: services.rates(user, by, **kwargs) for by in ("vendor", "specialty", "payer", "month", "coder")},
            "coverage": services.coverage(user)}


def _page(client) -> str:
    cache.clear()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", client.get("/denials/").content.decode())


def _never():
    raise AssertionError("computed, though the load kept this figure")


def test_the_load_keeps_the_figures_and_the_page_answers_them_exactly(login, director, denials_lake):
    path = figures_path(denials_lake)
    assert path.is_file(), "the 835 load wrote the overview's figures of its snapshot"
    kept = kept_figures(denials_lake)
    assert kept["vendors"] == ["acme", "bayside"]
    client = login(director)
    with_kept, page_with_kept = _figures(director), _page(client)

    # the director sees both vendors: each figure is answered from the file, not computed
    parts = [[["acme", "bayside"], None], {}]
    assert services._from_load("totals", parts, _never)["claims"] == with_kept["summary"]["claims"]
    assert services._from_load("rates.vendor", parts + [services._today().isoformat()], _never) == \
        with_kept["vendor"]

    path.unlink()
    computed = _figures(director)
    assert with_kept == computed, "the kept figures are the ones the page computes"
    assert _page(client) == page_with_kept
    assert computed["summary"]["claims"] == 6 and computed["summary"]["recovered"]["claims"] == 1


def test_a_new_load_is_answered_afresh_and_the_old_figures_are_gone(login, director, denials_lake, tmp_path):
    before = _figures(director)
    old = figures_path(denials_lake)
    third = tmp_path / "third.835"
    third.write_bytes(write_835([_denied("A2", "16"), _paid("B2")], payment_date=dt.date(2026, 4, 25), control=3))
    assert ingest_remits([third], lake=denials_lake).rejected == []

    new = figures_path(denials_lake)
    assert new != old and new.is_file() and not old.exists()
    after = _figures(director)
    assert after["summary"]["claims"] == before["summary"]["claims"] + 2
    assert after["summary"]["denied"] == before["summary"]["denied"] + 1
    new.unlink()
    assert _figures(director) == after, "the new load's kept figures are its own"


def test_a_narrower_scope_or_another_question_is_computed(login, director, acme_user, denials_lake):
    # Acme's user: only Acme's claims, though the file holds Bayside's too
    acme = _figures(acme_user)
    assert [r["key"] for r in acme["vendor"]] == ["acme"]
    assert acme["summary"]["claims"] == 4
    # a coder or a period: computed, the same as with no file at all
    march = services.rates(director, "vendor", period=services.periods.parse({"period": "2026-03"}))
    by_coder = services.summary(director, coder="ac1")
    figures_path(denials_lake).unlink()
    assert _figures(acme_user) == acme
    cache.clear()
    assert services.rates(director, "vendor", period=services.periods.parse({"period": "2026-03"})) == march
    assert services.summary(director, coder="ac1") == by_coder


def test_a_failed_write_leaves_the_load_standing_and_the_page_computes(login, director, lake_root, tmp_path):
    import pyarrow as pa

    from codingwatch.lake import open_lake
    from codingwatch.lake.keys import source_key
    from codingwatch.lake.schema import ENCOUNTERS
    from tests.web.conftest import encounter_row

    lake = open_lake(lake_root)
    rows = [encounter_row(source_key(c), vendor="acme", coder="ac1") for c in ("A1", "A2")]
    lake.commit_load(kind="encounters", source_name="t.csv", sha256="t",
                     tables={"encounters": pa.Table.from_pylist(rows, schema=ENCOUNTERS)}, load_id="t")
    (lake.root / "_derived").write_text("not a folder: nothing can be kept")
    era = tmp_path / "era.835"
    era.write_bytes(write_835([_denied("A1", "11"), _paid("A2")], payment_date=dt.date(2026, 2, 25)))
    report = ingest_remits([era], lake=lake)
    assert report.rejected == [] and [r.status for r in report.results] == ["loaded"]
    assert kept_figures(lake) is None
    figures = _figures(director)
    assert figures["summary"]["claims"] == 2 and figures["summary"]["denied"] == 1
    assert login(director).get("/denials/").status_code == 200

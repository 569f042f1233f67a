"""The engines give the same answers on DuckDB and on PySpark (local mode).

Each case runs one engine's expressions (the dashboard figures, the denial analytics, sampling
frames and the records an audit copies, the provenance rules and behavior profiles) on the
tables of one small world: on the lake's embedded DuckDB (`Lake.connect()`) and on Spark
(`Lake.tables_on(ibis.pyspark.connect(spark))`), and requires equal results. Where a backend
is known to answer differently, the difference is data, in DIFFERENCES (like the markers of
ibis's own backend suite): which case, which backend, why, and how the two answers are
compared instead. An entry that no longer makes a difference fails, so the table stays true.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow.parquet as pq
import pytest

from codingwatch.denials import analytics as denials
from codingwatch.lake import metrics, open_lake
from codingwatch.provenance import inputs, rules, takeover
from codingwatch.sampling import frames
from codingwatch.synth import access_logs as al

pytestmark = [pytest.mark.spark,
              # PySpark 4.3's own pandas conversions, not ours to fix
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
              pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")]

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
QUARTER = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
LAKE_TABLES = ("encounters", "code_lines", "remit_claims", "remit_adjustments", "remit_remarks", "remit_payments")


# ---- the known differences, as data --------------------------------------------------------

def _naive_utc(value):
    """Timestamps as instants in UTC without a zone, in nested dicts and lists."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dict):
        return {k: _naive_utc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_naive_utc(v) for v in value)
    return value


def _close(a, b, rel=1e-9) -> bool:
    """Equal, floats to `rel` (NaN equals NaN), in nested dicts and lists."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=rel)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k], rel) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_close(x, y, rel) for x, y in zip(a, b, strict=True))
    return a == b


@dataclass(frozen=True)
class Difference:
    backend: str
    reason: str
    same: Callable[[Any, Any], bool]  # how the two answers are compared instead of ==


DIFFERENCES: dict[str, Difference] = {
    "sampled_records": Difference(
        "pyspark", "timestamps with a time zone (received_at, coded_at) come back without one, as "
        "wall-clock times of the session's time zone (UTC here)",
        lambda a, b: _naive_utc(a) == _naive_utc(b)),
    "provenance_profiles": Difference(
        "pyspark", "float sums and means agree to 1e-9, not to the last bit (another summation order)",
        _close),
}


# ---- the cases: one engine's results on one backend's tables --------------------------------

def _rows(table) -> list[dict]:
    return table.to_pyarrow().to_pylist()


def _sorted(rows: list[dict], *keys: str) -> list[dict]:
    return sorted(rows, key=lambda r: tuple("" if r[k] is None else str(r[k]) for k in keys))


def _outcomes(t):
    return denials.claim_outcomes(t["remit_claims"], t["remit_adjustments"], t["remit_remarks"],
                                  t["remit_payments"])


def _frame(t, **options):
    frame = frames.build_frame(t["encounters"], loads=t["loads"], **options)
    return {"encounters": frame.encounters, "strata": frame.strata, "funnel": frame.meta["funnel"]}


def case_figures(t):
    return {by: metrics.figures(t["encounters"], by).rows for by in ("vendor", "month", "coder")} | {
        "totals": metrics.totals(t["encounters"]),
        "one_vendor": metrics.figures(t["encounters"], "specialty", vendors="In-house HIM").rows,
    }


def case_denials(t):
    outcomes = _outcomes(t)
    linked = denials.linked_outcomes(outcomes, t["encounters"])
    return {
        "outcomes": _sorted(_rows(outcomes), "load_id", "claim_row"),
        "by_vendor": _rows(denials.denial_rates(linked, ["vendor"])),
        "pareto": _rows(denials.carc_pareto(outcomes, t["remit_adjustments"])),
        "recoveries": _sorted(_rows(denials.recoveries(outcomes)), "denied_load", "denied_row"),
    }


def case_frames(t):
    denied = denials.coding_denial_keys(_outcomes(t))
    return {
        "per_coder": _frame(t, date_from=QUARTER[0], date_to=QUARTER[1], vendor="In-house HIM", strata="coder_id"),
        # names matched as the organization's names are (a regular expression on the backend)
        "coding_denials": _frame(t, date_from=YEAR[0], date_to=YEAR[1], specialty="Cardiology",
                                 coding_denials="stratum", coding_denied=denied),
        # the funnel names the vendors there are where the vendor filter leaves none
        "empty": _frame(t, date_from=QUARTER[0], date_to=QUARTER[1], vendor="Nobody", encounter_type="inpatient"),
    }


def case_sampled_records(t):
    frame = frames.build_frame(t["encounters"], loads=t["loads"], date_from=YEAR[0], date_to=YEAR[1])
    sample = frames.draw_sample(frame, "20260301", 12)
    return frames.sampled_records(t["encounters"], t["code_lines"], sample.sample_keys, loads=t["loads"])


def case_provenance_rules(t):
    alerts = inputs.to_alerts(rules.run_rules(t["access_events"], **t["provenance"]).to_pyarrow())
    assert {a.rule for a in alerts} >= {"forbidden_country", "local_phi", "concurrent_sessions", "not_on_roster"}
    return alerts


def case_provenance_profiles(t):
    profile = takeover.daily_profile(t["access_events"]).to_pyarrow().to_pylist()
    assert len(profile) > 50  # 8 coders x about 10 working days
    return _sorted(profile, "login", "day")


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


# ---- the world, on both backends ------------------------------------------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory, full_lake):
    """A small health system's lake (encounters, claims, remittances through the real ingest: a
    copy of the run's full lake) and a small access log with one of each provenance breach."""
    folder = tmp_path_factory.mktemp("world")
    lake_root = shutil.copytree(full_lake.lake_root, folder / "lake")
    # an orphan of a crashed load beside the committed files: no backend may read it
    committed = sorted((lake_root / "encounters").glob("*.parquet"))
    shutil.copy(committed[0], committed[0].with_name("20990101T000000000000-orphan.parquet"))
    w = al.example_world(8, seed=5, start=dt.date(2026, 3, 2), days=15)
    s = al.generate(w["roster"], w["contracts"], w["assignments"], seed=5, start=dt.date(2026, 3, 2), days=15,
                    injections=al.Injections(offshore=1, out_of_queue=1, local_phi=1, shared_login=1, takeover=1,
                                             off_hours=1, not_on_roster=1, after_end_date=1))
    events = folder / "access_events.parquet"
    pq.write_table(s.event_table(), events)
    roster = inputs.roster_table(al.roster_as_declared(w["roster"], s))
    provenance = {"roster": roster,
                  "contracts": inputs.contracts_table(w["contracts"]),
                  "assignments": inputs.assignments_table(w["assignments"]),
                  # the UTC-offset table is an input like the roster (computed once, from the IANA database)
                  "offsets": inputs.tz_offsets(roster.column("timezone").to_pylist(),
                                               dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
                                               dt.datetime(2026, 4, 1, tzinfo=dt.UTC))}
    return {"lake": open_lake(lake_root), "events": events, "provenance": provenance}


@pytest.fixture(scope="module")
def on_duckdb(world):
    con = world["lake"].connect()
    tables = {name: con.table(name) for name in (*LAKE_TABLES, "loads")}
    tables["access_events"] = ibis.duckdb.connect().read_parquet(world["events"], table_name="access_events")
    return tables | {"provenance": world["provenance"]}


@pytest.fixture(scope="module")
def on_pyspark(world, spark):
    con = ibis.pyspark.connect(spark)
    tables = world["lake"].tables_on(con, names=LAKE_TABLES)
    tables["access_events"] = con.read_parquet(str(world["events"]), table_name="access_events")
    return tables | {"provenance": world["provenance"]}


def test_every_difference_names_a_case():
    assert set(DIFFERENCES) <= set(CASES)
    assert {d.backend for d in DIFFERENCES.values()} <= {"pyspark"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_pyspark_gives_the_same_results_as_duckdb(case, on_duckdb, on_pyspark):
    expected, got = CASES[case](on_duckdb), CASES[case](on_pyspark)
    assert expected, f"{case}: the world gives nothing to compare"
    difference = DIFFERENCES.get(case)
    if difference is None:
        assert got == expected
    else:
        assert got != expected, f"{case}: PySpark no longer differs ({difference.reason}); remove it from DIFFERENCES"
        assert difference.same(got, expected), difference.reason

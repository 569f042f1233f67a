"""An installation upgraded past alert cases: the alerts it stored before (migration 0003 made
the cases) are grouped into cases by the data migration that follows, with the scan's own
grouping, so the queue shows cases at once and not at the next scan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_scopes import scopes_disabled

from codingwatch.web.provenance import cases
from codingwatch.web.provenance.models import AlertCase, ProvenanceAlert

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

BEFORE = [("provenance", "0003_alert_cases")]
AFTER = [("provenance", "0004_group_existing_alerts_into_cases")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC)


def test_alerts_stored_before_cases_are_grouped_into_cases_by_the_migration():
    old = _migrate(BEFORE)
    Alert = old.get_model("provenance", "ProvenanceAlert")  # noqa: N806
    made = 0

    def alert(rule, login, day, *, severity="medium", status="open", vendor="bayside", countries=("IN",)):
        nonlocal made
        made += 1
        Alert.objects.create(fingerprint=f"fp{made}", rule=rule, severity=severity,
                             severity_rank={"high": 0, "medium": 1, "low": 2}[severity], login=login,
                             vendor_code=vendor, window_start=_at(day), window_end=_at(day, 17), event_count=2,
                             detail=f"{rule} {login} on 2026-03-{day:02d}", countries=list(countries), status=status)

    for day in (2, 3, 4, 6):  # one breach, day after day (a weekend off does not split it)
        alert("forbidden_country", "bc1", day)
    alert("forbidden_country", "bc1", 20)  # after a quiet fortnight: another episode
    alert("forbidden_country", "bc2", 3, countries=("PH",))
    alert("takeover", "ac1", 5, severity="high", vendor="acme", countries=("US", "RO"))
    alert("forbidden_country", "bc3", 2, status="resolved")
    assert not old.get_model("provenance", "AlertCase").objects.exists()

    _migrate(AFTER)
    with scopes_disabled():
        assert not ProvenanceAlert.objects.filter(case__isnull=True).exists()
        bc1 = list(AlertCase.objects.filter(rule="forbidden_country", login="bc1").order_by("first_seen"))
        assert [(c.alert_count, c.event_count, c.first_seen, c.last_seen, c.status) for c in bc1] == [
            (4, 8, _at(2), _at(6, 17), "open"), (1, 2, _at(20), _at(20, 17), "open")]
        assert bc1[1].detail == "forbidden_country bc1 on 2026-03-20"
        queue = list(cases.ordered(AlertCase.objects.filter(status=AlertCase.OPEN)))
        assert [(c.rule, c.login) for c in queue][0] == ("takeover", "ac1")  # the takeover heads the queue
        assert queue[0].countries == ["RO", "US"] and queue[0].severity == "high"
        assert {(c.rule, c.login) for c in queue} == {("takeover", "ac1"), ("forbidden_country", "bc1"),
                                                      ("forbidden_country", "bc2")}
        assert AlertCase.objects.get(login="bc3").status == AlertCase.RESOLVED
        assert AlertCase.objects.count() == 5
        # the next scan's grouping finds nothing left to group
        assert cases.group_alerts() == []
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

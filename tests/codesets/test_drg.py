import datetime as dt
from decimal import Decimal

from codingwatch.codesets import Grouper, drg_weight


def test_missed_mcc_moves_heart_failure_drg():
    with Grouper() as grouper:
        with_cc = grouper.group(
            discharge_date=dt.date(2026, 2, 1), age=70, sex="M", discharge_status=1,
            diagnoses=[("I5021", "Y"), ("N179", "Y")], procedures=[],
        )
        with_mcc = grouper.group(
            discharge_date=dt.date(2026, 2, 1), age=70, sex="M", discharge_status=1,
            diagnoses=[("I5021", "Y"), ("N179", "Y"), ("J9601", "Y")], procedures=[],
        )
    assert with_cc.drg == 292
    assert with_mcc.drg == 291
    assert with_mcc.weight > with_cc.weight


def test_table5_weight_has_published_precision():
    assert drg_weight(291) == Decimal("1.2838")
    assert drg_weight(999) is None


def test_exempt_poa_indicator_groups_like_blank():
    with Grouper() as grouper:
        exempt = grouper.group(
            discharge_date=dt.date(2026, 2, 1), age=70, sex="M", discharge_status=1,
            diagnoses=[("I5021", "Y"), ("N179", "1")], procedures=[],
        )
    assert exempt.return_code == "OK" and exempt.drg == 292

"""The `codingwatch` command turns any CodingwatchError into one line and exit code 2: run as a
user runs it (a real process), with a bad file and with a bad setting, and never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from codingwatch.errors import CodingwatchError
from codingwatch.ingest.ipmap import IpCountryMap, IpMapError


def codingwatch(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "codingwatch.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200", **(env or {})}, timeout=300)


def test_a_bad_ip_map_file_is_one_clear_line_and_exit_code_2(tmp_path, lake_root):
    access = tmp_path / "access.csv"
    access.write_text("occurred_at,login,event,session_id,client_ip,country,device_id,work_queue,encounter_id\n"
                      "2026-03-02T09:00:00Z,no1,view,s1,10.0.0.1,,pc,,E1\n")
    ip_map = tmp_path / "egress.csv"
    ip_map.write_text("cidr,country\n10.0.0.0/8,US\n10.300.0.0/16,IN\n")
    done = codingwatch("ingest", "access", str(access), "--ip-map", str(ip_map))
    assert done.returncode == 2
    assert done.stderr.strip() == "error: egress.csv line 3: cidr '10.300.0.0/16' is not an IP range"
    assert "Traceback" not in done.stderr + done.stdout


def test_a_bad_setting_an_engine_reads_is_one_clear_line_not_a_traceback(tmp_path, lake_root):
    roster = tmp_path / "roster.csv"
    roster.write_text("login\n")
    done = codingwatch("provenance", "check", "--roster", str(roster), "--contracts", str(roster),
                       "--assignments", str(roster), env={"CODINGWATCH_PROVENANCE_GRACE_MIN": "soon"})
    assert done.returncode == 2
    assert done.stderr.strip() == "error: CODINGWATCH_PROVENANCE_GRACE_MIN='soon' is not a whole number"
    assert "Traceback" not in done.stderr + done.stdout


def test_the_engines_errors_share_the_base_and_keep_their_builtin_bases(tmp_path):
    bad = tmp_path / "egress.csv"
    bad.write_text("cidr,country\nnot-a-range,US\n")
    with pytest.raises(CodingwatchError) as caught:
        IpCountryMap.from_csv(bad)
    assert isinstance(caught.value, IpMapError) and isinstance(caught.value, ValueError)
    assert caught.value.message == "egress.csv line 2: cidr 'not-a-range' is not an IP range"

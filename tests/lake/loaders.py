"""Real loads in separate processes, for the concurrency and kill -9 tests of the lake.

`Loaders()` starts one server process that imports the ingest code once, then forks a fresh
child process for every load it is asked for (a fork costs milliseconds; a new interpreter
importing DuckDB, pandas and pyarrow costs seconds, which would make hundreds of rounds
slow). Each child runs the real loader (`ingest_encounter_file`, `ingest_access_file`,
`ingest_claims`) on a real lake folder, with the environment it is given (e.g. the store's
pause hook), and writes its outcome as JSON: status and message, or the traceback it died of.

Protocol (one JSON object a line): the test sends {"op": "load", ...} and reads back
{"pid": ...}; {"op": "wait", "pid": ...} reads back {"pid", "signal", "exit"} once the child
ends; {"op": "quit"} stops the server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

ENCOUNTER_HEADER = (
    "encounter_id,facility,encounter_type,specialty,admit_date,discharge_date,service_date,sex,age,"
    "discharge_status,coder_id,vendor,received_at,coded_at,code_system,code,sequence,poa,modifiers,units,drg\n"
)
ACCESS_HEADER = "occurred_at,login,event,session_id,client_ip,country,device_id,work_queue,encounter_id\n"


def encounters_csv(path: Path, ids: list[str]) -> Path:
    """Outpatient encounters (one ICD-10-CM and one CPT line each) that pass every check."""
    lines = [ENCOUNTER_HEADER]
    for encounter in ids:
        common = (f"{encounter},F1,outpatient,radiology,,,2026-02-01,F,50,,c1,Acme Coding,"
                  "2026-02-02T10:00:00+00:00,2026-02-03T10:00:00+00:00")
        lines.append(f"{common},ICD10CM,R07.9,1,,,,\n")
        lines.append(f"{common},CPT,71046,1,,,,\n")
    path.write_text("".join(lines))
    return path


def access_csv(path: Path, login: str, events: int) -> Path:
    lines = [ACCESS_HEADER]
    for i in range(events):
        lines.append(f"2026-03-02T09:{i % 60:02d}:00Z,{login},view,s{i},10.20.1.5,US,pc-1,IP-CARD,ENC-{i}\n")
    path.write_text("".join(lines))
    return path


# ---- the server (runs in its own interpreter) ----------------------------------------------------


def _run_load(request: dict) -> dict:
    from codingwatch.lake import Lake

    lake = Lake(Path(request["lake"]))
    path = Path(request["path"])
    rejects = Path(request["lake"]).parent / "rejects"
    kind = request["kind"]
    if kind == "encounters":
        from codingwatch.ingest.encounters import ingest_encounter_file

        result = ingest_encounter_file(path, lake=lake, rejects_dir=rejects)
        return {"status": result.status, "message": result.message, "loaded": result.encounters_loaded,
                "rejected": result.encounters_rejected}
    if kind == "access":
        from codingwatch.ingest.access import ingest_access_file

        result = ingest_access_file(path, lake=lake, rejects_dir=rejects)
        return {"status": result.status, "message": result.message, "loaded": result.events_loaded}
    if kind == "claims":
        from codingwatch.ingest.x12.load import ingest_claims

        report = ingest_claims([path], lake=lake, lenient=True)
        status = "loaded" if report.files else ("skipped" if report.skipped else "rejected")
        return {"status": status, "message": json.dumps(report.rejected), "loaded": report.claims}
    raise ValueError(kind)


def _child(request: dict) -> None:
    """In the forked child: set the environment, wait for the start time, load, write the outcome."""
    os.environ.update(request.get("env", {}))
    start = request.get("start_at")
    if start:
        while time.time() < start:
            time.sleep(0.001)
    outcome_path = Path(request["outcome"])
    try:
        outcome = _run_load(request)
    except BaseException as exc:  # the test reports whatever the loader died of
        outcome = {"status": "error", "message": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    temporary = outcome_path.with_name(outcome_path.name + ".tmp")
    temporary.write_text(json.dumps(outcome))
    os.replace(temporary, outcome_path)


def serve() -> None:
    # Import the loaders (and what they import) once, before any fork.
    import codingwatch.ingest.access  # noqa: F401
    import codingwatch.ingest.encounters  # noqa: F401
    import codingwatch.ingest.x12.load  # noqa: F401

    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "quit":
            break
        if request["op"] == "load":
            pid = os.fork()
            if pid == 0:
                try:
                    _child(request)
                finally:
                    os._exit(0)
            print(json.dumps({"pid": pid}), flush=True)
        elif request["op"] == "wait":
            _, status = os.waitpid(request["pid"], 0)
            print(json.dumps({"pid": request["pid"],
                              "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                              "exit": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None}), flush=True)


# ---- the client (in the test) ----------------------------------------------------------------------


class Loaders:
    def __init__(self, env: dict[str, str]) -> None:
        root = Path(__file__).resolve().parents[2]
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from tests.lake.loaders import serve; serve()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root, env={**os.environ, **env},
        )
        assert json.loads(self._process.stdout.readline()) == {"ready": True}
        self._outcomes: dict[int, Path] = {}

    def _ask(self, request: dict) -> dict:
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        return json.loads(self._process.stdout.readline())

    def start(self, kind: str, path: Path, lake: Path, *, env: dict | None = None,
              start_at: float | None = None) -> int:
        """Fork a child that loads `path` into `lake`; its pid."""
        outcome = lake.parent / f"outcome-{time.time_ns()}.json"
        pid = self._ask({"op": "load", "kind": kind, "path": str(path), "lake": str(lake), "env": env or {},
                         "start_at": start_at, "outcome": str(outcome)})["pid"]
        self._outcomes[pid] = outcome
        return pid

    def wait(self, pid: int) -> dict:
        """Wait for the child; its outcome (status, message, ...) or, if killed, {"status": "killed"}."""
        ended = self._ask({"op": "wait", "pid": pid})
        if ended["signal"] is not None:
            return {"status": "killed", "signal": ended["signal"]}
        outcome = self._outcomes.pop(pid)
        if not outcome.exists():
            return {"status": "error", "message": f"the loader exited {ended['exit']} without an outcome"}
        return json.loads(outcome.read_text())

    def kill(self, pid: int) -> dict:
        os.kill(pid, signal.SIGKILL)
        return self.wait(pid)

    def close(self) -> None:
        try:
            self._ask({"op": "quit"})
        except (BrokenPipeError, json.JSONDecodeError, ValueError):
            pass
        self._process.wait(timeout=30)


def wait_for(path: Path, *, limit: float = 60.0) -> str:
    """Wait until the pause hook has written `path` (the step reached); its content."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"the load never reached its pause point ({path} not written)")
        time.sleep(0.005)
    return path.read_text().strip()

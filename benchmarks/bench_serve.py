"""The production server under load: 20 users logged in at once, every page of their navigation.

Builds the demo world in a temporary CODINGWATCH_VAR (`codingwatch demo --no-serve`), adds 20
staff users (4 of each staff role, so each navigation differs as the roles do), starts
`codingwatch serve --production` (gunicorn) on a free loopback port, logs the 20 users in at
once, then has each request every page of its own navigation `--rounds` times, back to back,
as a TLS-terminating proxy would forward them (X-Forwarded-Proto: https). A fixed number of
requests, no think time. Reports p50/p95 per page and the errors (any answer but 200, any
failed request); 0 errors are required (exit 1 otherwise).

Baseline, measured in the same run (skip it with --no-baseline): the same users and pages on
Django's development server (`codingwatch serve`, what `make demo` runs).

    uv run python benchmarks/bench_serve.py [--encounters 20000] [--users 20] [--rounds 3]
        [--workers N] [--threads N] [--var DIR (reuse a demo world built there)] [--no-baseline]
        [--output benchmarks/results/serve.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.web.proxied_client import ProxiedClient  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "serve.json"
STAFF_ROLES = ("admin", "auditor", "director", "compliance", "executive")
PASSWORD = "load test passphrase, long enough"
STARTUP_SECONDS = 900


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def codingwatch(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "codingwatch.cli", *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"codingwatch {' '.join(args[:2])} failed: {done.stderr.strip()[-2000:]}")
    return done


class User(ProxiedClient):
    """One browser, logged in with its own recovery codes (one per login)."""

    def __init__(self, base: str, name: str, *, proxied: bool, codes: list[str]):
        super().__init__(base, proxied=proxied, timeout=300)
        self.name = name
        self.codes = codes  # recovery codes, shared by every run of this user: one per login

    def login(self) -> bool:
        answer = super().login(self.name, PASSWORD, self.codes.pop())
        return answer is not None and answer.status_code == 302 and "/mfa/" not in answer.headers.get("location", "")

    def navigation(self) -> list[str]:
        page = self.request("GET", "/").text
        nav = page.split('<nav class="topbar">', 1)[1].split("</nav>", 1)[0]
        return list(dict.fromkeys(re.findall(r'<a [^>]*href="(/[^"]*)"', nav)))


def build_world(encounters: int, env: dict[str, str]) -> float:
    """`codingwatch demo --no-serve` (it skips what a previous run built); seconds taken."""
    started = time.perf_counter()
    codingwatch("demo", "--no-serve", "--encounters", str(encounters), "--format", "json", env=env)
    return time.perf_counter() - started


def add_users(users: int, env: dict[str, str]) -> dict[str, list[str]]:
    """load-00, load-01, ...: the staff roles in turn (admins are staff, so they see the admin),
    each with an authenticator and new recovery codes (returned by user name)."""
    code = "\n".join([
        "import json",
        "from django_otp.plugins.otp_totp.models import TOTPDevice",
        "from codingwatch.web.accounts import mfa",
        "from codingwatch.web.accounts.models import User",
        "codes = {}",
        f"for i in range({users}):",
        f"    role = {STAFF_ROLES!r}[i % {len(STAFF_ROLES)}]",
        "    name = f'load-{i:02d}'",
        "    if not User.objects.filter(username=name).exists():",
        f"        User.objects.create_user(username=name, password={PASSWORD!r}, role=role,",
        "                                 is_staff=role == 'admin', is_superuser=role == 'admin')",
        "    user = User.objects.get(username=name)",
        "    TOTPDevice.objects.get_or_create(user=user, name='authenticator', defaults={'confirmed': True})",
        "    codes[name] = mfa.new_recovery_codes(user)",
        "print(json.dumps(codes))",
    ])
    return json.loads(codingwatch("manage", "shell", "-c", code, env=env).stdout.strip().splitlines()[-1])


@contextmanager
def server(command: list[str], env: dict[str, str], port: int, log: Path):
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-m", "codingwatch.cli", *command, "--host", "127.0.0.1",
                                    "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    sys.exit(f"the server exited ({process.returncode}): {log.read_text()[-2000:]}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=10).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    sys.exit(f"the server did not answer /healthz within {STARTUP_SECONDS} s")
                time.sleep(1)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def load(base: str, users: int, rounds: int, *, proxied: bool, codes: dict[str, list[str]]) -> dict:
    people = [User(base, f"load-{i:02d}", proxied=proxied, codes=codes[f"load-{i:02d}"]) for i in range(users)]
    timings: dict[str, list[float]] = {}
    errors: list[dict] = []
    logins: list[float] = []
    lock = threading.Lock()
    gate = threading.Barrier(users)

    def one(person: User) -> None:
        gate.wait()
        started = time.perf_counter()
        if not person.login():
            with lock:
                errors.append({"user": person.name, "page": "/login/", "error": "login refused"})
            return
        with lock:
            logins.append(time.perf_counter() - started)
        pages = person.navigation()
        gate.wait()  # everyone logged in: the load starts together
        for _ in range(rounds):
            for page in pages:
                started = time.perf_counter()
                try:
                    answer = person.request("GET", page)
                    problem = None if answer.status_code == 200 else f"HTTP {answer.status_code}"
                except httpx.HTTPError as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                elapsed = time.perf_counter() - started
                with lock:
                    timings.setdefault(page, []).append(elapsed)
                    if problem:
                        errors.append({"user": person.name, "page": page, "error": problem})

    threads = [threading.Thread(target=one, args=(p,)) for p in people]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    everything = [v for values in timings.values() for v in values]
    return {
        "requests": len(everything),
        "errors": len(errors),
        "error_samples": errors[:20],
        "wall_seconds": round(wall, 1),
        "requests_per_second": round(len(everything) / wall, 1) if wall else None,
        "login": {"p50_ms": round(statistics.median(logins) * 1000), "p95_ms": round(percentile(logins, 95) * 1000)}
        if logins else None,
        "all_pages": {"p50_ms": round(statistics.median(everything) * 1000),
                      "p95_ms": round(percentile(everything, 95) * 1000)} if everything else None,
        "pages": {page: {"requests": len(values), "p50_ms": round(statistics.median(values) * 1000),
                         "p95_ms": round(percentile(values, 95) * 1000)}
                  for page, values in sorted(timings.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encounters", type=int, default=20_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: serve's own)")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: serve's own)")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the figures go")
    parser.add_argument("--var", type=Path, default=None, help="reuse (or build) the demo world in this folder")
    parser.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="codingwatch-bench-serve-") as scratch:
        var = (args.var or Path(scratch) / "var").resolve()
        var.mkdir(parents=True, exist_ok=True)
        unwanted = {"DATABASE_URL", "CODINGWATCH_LAKE", "DJANGO_SETTINGS_MODULE", "GUNICORN_CMD_ARGS"}
        env = {k: v for k, v in os.environ.items() if k not in unwanted}
        secret_file = var / "bench-secret"  # the world's source ids are keyed by it: keep it with the world
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(50))
        env |= {"CODINGWATCH_VAR": str(var), "CODINGWATCH_SECRET_KEY": secret_file.read_text()}

        print(f"building the demo world ({args.encounters:,} encounters) in {var}", flush=True)
        build_seconds = build_world(args.encounters, env)
        codes = add_users(args.users, env)
        load_before = os.getloadavg()

        workers = ["--workers", str(args.workers)] if args.workers else []
        workers += ["--threads", str(args.threads)] if args.threads else []
        print(f"gunicorn: {args.users} users x {args.rounds} rounds of their navigation", flush=True)
        with server(["serve", "--production", *workers], env, free_port(), var / "gunicorn.log") as base:
            production = load(base, args.users, args.rounds, proxied=True, codes=codes)
            log = (var / "gunicorn.log").read_text()
            booted = len(re.findall(r"Booting worker with pid", log))
        baseline = None
        if args.baseline:
            print("baseline: Django's development server, the same load", flush=True)
            with server(["serve", "--no-migrate"], env, free_port(), var / "runserver.log") as base:
                baseline = load(base, args.users, args.rounds, proxied=False, codes=codes)

    worst = max(production["pages"].items(), key=lambda item: item[1]["p95_ms"]) if production["pages"] else None
    result = {
        "benchmark": "serve",
        "parameters": {"encounters": args.encounters, "users": args.users, "rounds": args.rounds,
                       "workers": args.workers or f"serve's default ({booted} booted)",
                       "threads": args.threads or "serve's default (1)",
                       "cpus": len(os.sched_getaffinity(0)), "load_average_before": [round(x, 1) for x in load_before],
                       "demo_build_seconds": round(build_seconds)},
        "production": production,
        "baseline_development_server": baseline,
        "summary": {
            "users": args.users,
            "requests": production["requests"],
            "errors": production["errors"],
            "p95_ms_all_pages": production["all_pages"]["p95_ms"] if production["all_pages"] else None,
            "worst_page": {"page": worst[0], **worst[1]} if worst else None,
            "baseline_p95_ms_all_pages": baseline["all_pages"]["p95_ms"] if baseline and baseline["all_pages"] else None,
            "baseline_errors": baseline["errors"] if baseline else None,
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["summary"], indent=2))
    if production["errors"]:
        sys.exit(f"{production['errors']} error(s) under load: {production['error_samples'][:3]}")


if __name__ == "__main__":
    main()

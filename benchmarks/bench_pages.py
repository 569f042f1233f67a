"""Server time of every page, per role: the demo world, then the denials pages at 1,000,000 encounters.

Builds (or reuses, with --var) the demo world (`codingwatch demo --no-serve`), adds one user per
role (the vendor user bound to the demo's first vendor), and, in this process, has each user ask
for every page of its own navigation (read from the page, as a user finds it) and the pages one
click down (the first vendor, coder, denied claim, quarterly review and alert case), `--repeat` times each, through Django's
test client: the time measured is the server's alone (middleware, views, lake, templates), with
no network and no browser. Reports p50/p95 per page and the slowest; target: every page under
500 ms at the demo size.

Then a lake of `--big` encounters (default 1,000,000) with one remitted claim each (a tenth
denied, with their reason codes), made with numpy in the demo's vendor and coder codes, is put
in place of the demo's lake and the denials pages are measured the same way; target: under 1 s.

Then the first visit after a load (`demo_after_load`): per role, a one-query log is loaded
through the ingest (whatever a load does when it commits runs: the scorecard months and the
declared-vs-observed comparisons are warmed), this process's cache is dropped (the visit may
come to another server worker), and /home/, /scorecard/ and /diligence/ are asked for once.

Baseline, measured in the same run: the first request of each page after a load (the lake's
answers not yet kept), against the steady state the later requests show; and, for the denials
pages at the big size, the first request with the claim outcomes (and the overview's figures)
computed on the request (`cold_computed_on_request_ms`) against those the load kept when it
committed (`cold_ms`).

    uv run python benchmarks/bench_pages.py [--encounters 20000] [--big 1000000] [--repeat 5]
        [--var DIR (reuse a demo world built there)] [--output benchmarks/results/pages.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "pages.json"
DEMO_TARGET_MS = 500
BIG_TARGET_MS = 1000


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def build_demo(encounters: int, var: Path) -> float:
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CODINGWATCH_LAKE", "DJANGO_SETTINGS_MODULE"}}
    env["CODINGWATCH_VAR"] = str(var)
    done = subprocess.run([sys.executable, "-m", "codingwatch.cli", "demo", "--no-serve", "--encounters",
                           str(encounters), "--format", "json"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"codingwatch demo failed: {done.stderr.strip()[-2000:]}")
    return time.perf_counter() - started


def big_lake(root: Path, n: int, vendors: dict[str, list[str]], seed: int = 7) -> float:
    """n coded encounters and one remitted claim each (10% denied: half for coding, CARC 16 or
    11; half for eligibility, CARC 27), over twelve months, in the roster's vendor/coder codes.
    Returns the seconds the claim outcomes took to link after the remittances' load committed."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa

    from codingwatch.lake import open_lake
    from codingwatch.lake.schema import ENCOUNTERS, REMIT_ADJUSTMENTS, REMIT_CLAIMS, REMIT_PAYMENTS

    rng = np.random.default_rng(seed)
    pairs = [(v, c) for v, coders in sorted(vendors.items()) for c in coders] or [("none", "none")]
    pick = rng.integers(0, len(pairs), n)
    vendor = np.array([p[0] for p in pairs])[pick]
    coder = np.array([p[1] for p in pairs])[pick]
    keys = np.char.mod("%032x", np.arange(n))
    days = np.datetime64("2025-11-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    received = days.astype("datetime64[us]")
    coded = received + (rng.integers(600, 96 * 3600, n) * 10**6).astype("timedelta64[us]")
    etype = np.array(["inpatient", "outpatient", "profee", "ed"])[rng.integers(0, 4, n)]
    enc_cols = {
        "encounter_key": pa.array(keys), "origin": pa.array(np.full(n, "coded")),
        "facility": pa.array(np.full(n, "MAIN")), "encounter_type": pa.array(etype),
        "specialty": pa.array(np.array(["cardiology", "orthopedics", "oncology", "general"])[rng.integers(0, 4, n)]),
        "service_date": pa.array(days, pa.date32()), "coder_id": pa.array(coder), "vendor": pa.array(vendor),
        "received_at": pa.array(received, pa.timestamp("us", tz="UTC")),
        "coded_at": pa.array(coded, pa.timestamp("us", tz="UTC")), "load_id": pa.array(np.full(n, "big-enc")),
    }
    encounters = pa.Table.from_arrays([enc_cols.get(f.name, pa.nulls(n, f.type)) for f in ENCOUNTERS],
                                      schema=ENCOUNTERS)
    payers = 12
    paid_on = days + rng.integers(10, 40, n).astype("timedelta64[D]")
    kind = rng.random(n)
    denied = kind < 0.10
    charge = rng.integers(100, 50_000, n).astype("int64")
    payment = np.where(denied, 0, (charge * 0.6).astype("int64"))
    # each claim's month: the payment date of its payment (BPR16), one payment per payer and month
    month = ((paid_on - np.datetime64("2025-11-01")).astype(int) // 30).clip(0, 12)
    payment_row = (month * payers + rng.integers(0, payers, n)).astype("int64")
    claim_cols = {
        "load_id": pa.array(np.full(n, "big-remit")), "payment_row": pa.array(payment_row),
        "claim_row": pa.array(np.arange(n)), "encounter_key": pa.array(keys),
        "claim_status": pa.array(np.where(denied, "4", "1")),
        "charge": pa.array(charge.astype("int32")).cast(REMIT_CLAIMS.field("charge").type),
        "payment": pa.array(payment.astype("int32")).cast(REMIT_CLAIMS.field("payment").type),
        "statement_from": pa.array(days, pa.date32()), "statement_to": pa.array(paid_on, pa.date32()),
        "segment": pa.array(np.arange(n)),
    }
    claims = pa.Table.from_arrays([claim_cols.get(f.name, pa.nulls(n, f.type)) for f in REMIT_CLAIMS],
                                  schema=REMIT_CLAIMS)
    months = [dt.date(2025, 11, 1) + dt.timedelta(days=30 * m + 28) for m in range(13)]
    payments = pa.Table.from_pylist([
        {"load_id": "big-remit", "payment_row": int(m * payers + p), "payer_name": f"PAYER {p:02d}",
         "payer_id": f"P{p:04d}", "payment_date": months[m]} for m in range(13) for p in range(payers)],
        schema=REMIT_PAYMENTS)
    rows = np.nonzero(denied)[0]
    coding = kind[rows] < 0.05
    carc = np.where(coding, np.where(rng.random(len(rows)) < 0.5, "16", "11"), "27")
    m = len(rows)
    adj_cols = {"load_id": pa.array(np.full(m, "big-remit")), "claim_row": pa.array(rows),
                "level": pa.array(np.full(m, "claim")), "group_code": pa.array(np.full(m, "CO")),
                "carc": pa.array(carc),
                "amount": pa.array(charge[rows].astype("int32")).cast(REMIT_ADJUSTMENTS.field("amount").type),
                "segment": pa.array(np.arange(m))}
    adjustments = pa.Table.from_arrays([adj_cols.get(f.name, pa.nulls(m, f.type)) for f in REMIT_ADJUSTMENTS],
                                       schema=REMIT_ADJUSTMENTS)
    lake = open_lake(root)
    lake.commit_load(kind="encounters", source_name="big.csv", sha256="big-encounters",
                     tables={"encounters": encounters}, load_id="big-enc")
    lake.commit_load(kind="remits", source_name="big.835", sha256="big-remits",
                     tables={"remit_payments": payments, "remit_claims": claims, "remit_adjustments": adjustments},
                     load_id="big-remit")
    # what the 835 ingest does once its load commits: link the claim outcomes for the pages
    from codingwatch.ingest.contract import keep_outcomes

    started = time.perf_counter()
    keep_outcomes(lake)
    return time.perf_counter() - started


def setup_django(var: Path) -> None:
    os.environ["CODINGWATCH_VAR"] = str(var)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CODINGWATCH_LAKE", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "codingwatch.web.settings"
    os.environ.setdefault("CODINGWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    if "testserver" not in os.environ["CODINGWATCH_ALLOWED_HOSTS"]:
        os.environ["CODINGWATCH_ALLOWED_HOSTS"] += ",testserver"
    import django

    django.setup()


def personas() -> dict:
    """One user per role, logged in with both factors (the session as the second-factor form leaves it)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_scopes import scopes_disabled

    from codingwatch.web.accounts import roles
    from codingwatch.web.accounts.models import User
    from codingwatch.web.organizations.models import Organization
    from codingwatch.web.vendors.models import Vendor

    clients = {}
    with scopes_disabled():
        organization = Organization.objects.order_by("pk").first()
        vendor = Vendor.objects.order_by("code").first()
        for role in roles.ROLES:
            name = f"pages-{role}"
            user = User.objects.filter(username=name).first()
            if user is None:
                user = User(username=name, role=role, organization=organization,
                            vendor=vendor if role == roles.VENDOR else None)
                user.set_unusable_password()
                user.save()
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="authenticator", defaults={"confirmed": True})
            client = Client()
            client.force_login(user)
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            clients[role] = client
    return clients


def links(html: str, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf'href="({pattern})"', html)))


def pages_of(client) -> list[str]:
    """The navigation of the user's dashboard and one page down from the figure pages."""
    home = client.get("/").content.decode()
    nav = home.split('<nav class="topbar">', 1)[1].split("</nav>", 1)[0]
    pages = [p for p in links(nav, r"/[^\"]*") if not p.startswith("/api/docs")]
    for parent, below in (("/vendors/", r"/vendors/[^/\"]+/"), ("/denials/", r"/denials/vendors/[^/\"]+/"),
                          ("/review/", r"/review/[^/\"]+/[^/\"]+/"), ("/provenance/cases/", r"/provenance/cases/\d+/")):
        if parent in pages:
            found = links(client.get(parent).content.decode(), below)
            pages += found[:1]
    # every vendor's latest quarterly review and every alert case, not only the first of each
    if "/review/" in pages:
        found = links(client.get("/review/").content.decode(), r"/review/[^/\"]+/[^/\"]+/")
        pages += list({page.split("/")[2]: page for page in reversed(found)}.values())
    if "/provenance/cases/" in pages:
        pages += links(client.get("/provenance/cases/").content.decode(), r"/provenance/cases/\d+/")
    for page in list(pages):
        if page.startswith("/denials/vendors/"):
            coders = links(client.get(page).content.decode(), r"/denials/coders/[^/\"]+/")
            pages += coders[:1]
            if coders:
                claims = links(client.get(coders[0]).content.decode(), r"/denials/claims/[^\"]+/")
                pages += claims[:1]
        if re.fullmatch(r"/vendors/[^/]+/", page):
            pages += links(client.get(page).content.decode(), r"/coders/[^/\"]+/")[:1]
    return list(dict.fromkeys(pages))


def cold(client, pages: list[str]) -> dict[str, int]:
    """Each page asked for once right after the kept answers are dropped (as after a load)."""
    out = {}
    for page in pages:
        clear_caches()
        started = time.perf_counter()
        client.get(page)
        out[page] = round((time.perf_counter() - started) * 1000)
    return out


AFTER_LOAD_PAGES = ("/home/", "/scorecard/", "/diligence/")


def after_load(clients: dict, pages=AFTER_LOAD_PAGES) -> dict:
    """The first visit after a load, per role: a query log of one new query is loaded into the
    demo lake (through the ingest, as `codingwatch ingest queries` does, so whatever the load
    does when it commits runs), this process's cache is dropped (the visit may come to another
    server worker), then each page is asked for once. One load per role."""
    from codingwatch.ingest.queries import ingest_query_file
    from codingwatch.lake import open_lake

    lake = open_lake()
    out: dict[str, dict] = {}
    load_ms = []
    for n, (role, client) in enumerate(clients.items()):
        path = Path(os.environ["CODINGWATCH_VAR"]) / f"bench-after-load-{os.getpid()}-{n}.csv"
        path.write_text("query_id,encounter_id,coder_id,sent_at,answered_at,kind\n"
                        f"BENCH-{os.getpid()}-{n}-{time.time_ns()},E1,c1,2026-01-05T14:30:00-05:00,,cdi\n")
        started = time.perf_counter()
        loaded = ingest_query_file(path, lake=lake)
        load_ms.append(round((time.perf_counter() - started) * 1000))
        if loaded.status != "loaded":
            sys.exit(f"the query log did not load: {loaded.message}")
        clear_caches()
        for page in pages:
            started = time.perf_counter()
            answer = client.get(page)
            elapsed = round((time.perf_counter() - started) * 1000)
            if answer.status_code == 200:
                out.setdefault(page, {})[role] = elapsed
    worst = max(((p, r, ms) for p, roles in out.items() for r, ms in roles.items()), key=lambda x: x[2],
                default=None)
    return {"first_visit_ms": out, "load_ms": load_ms,
            "worst": {"page": f"{worst[1]} {worst[0]}", "ms": worst[2]} if worst else None}


def measure(clients: dict, repeat: int, only=None) -> dict:
    timings: dict[str, list[float]] = {}
    first: dict[str, float] = {}
    errors = []
    for role, client in clients.items():
        for page in pages_of(client):
            if only and not only(page):
                continue
            for i in range(repeat):
                started = time.perf_counter()
                answer = client.get(page)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code != 200:
                    errors.append({"role": role, "page": page, "status": answer.status_code})
                    break
                key = f"{role} {page}"
                if i == 0:
                    first[key] = elapsed
                else:
                    timings.setdefault(key, []).append(elapsed)
    pages = {key: {"p50_ms": round(statistics.median(v)), "p95_ms": round(percentile(v, 95)),
                   "first_ms": round(first[key])} for key, v in sorted(timings.items())}
    everything = [x for v in timings.values() for x in v]
    worst = max(pages.items(), key=lambda kv: kv[1]["p95_ms"]) if pages else None
    return {"pages": pages, "errors": errors,
            "all_pages": {"p50_ms": round(statistics.median(everything)), "p95_ms": round(percentile(everything, 95))}
            if everything else None,
            "worst": {"page": worst[0], **worst[1]} if worst else None,
            "worst_first_ms": round(max(first.values())) if first else None}


def clear_caches() -> None:
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--encounters", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=1_000_000, help="encounters of the big lake (0: skip it)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--big-roles", default="director,vendor", help="the roles measured on the big lake")
    parser.add_argument("--var", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--baseline-json", type=Path, default=None,
                        help="figures of an earlier run (e.g. before a change) to report beside these")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="codingwatch-bench-pages-") as scratch:
        var = (args.var or Path(scratch) / "var").resolve()
        var.mkdir(parents=True, exist_ok=True)
        print(f"the demo world ({args.encounters:,} encounters) in {var}", flush=True)
        build_seconds = build_demo(args.encounters, var)
        setup_django(var)
        from django_scopes import scopes_disabled

        from codingwatch.web.vendors.models import Coder

        clients = personas()
        clear_caches()
        demo = measure(clients, args.repeat)
        print(json.dumps({"demo": demo["all_pages"], "worst": demo["worst"]}), flush=True)
        demo_after_load = after_load(clients)
        print(json.dumps({"first visit after a load": demo_after_load["worst"]}), flush=True)
        big = None
        if args.big:
            with scopes_disabled():
                vendors: dict[str, list[str]] = {}
                for login_id, code in Coder.objects.values_list("login_id", "vendor__code"):
                    vendors.setdefault(code, []).append(login_id)
            root = Path(scratch) / "big-lake"
            started = time.perf_counter()
            kept_seconds = big_lake(root, args.big, vendors)
            made = time.perf_counter() - started
            os.environ["CODINGWATCH_LAKE"] = str(root)
            clear_caches()
            wanted = {role: client for role, client in clients.items() if role in args.big_roles.split(",")}
            first_role = next(iter(wanted.values()))
            # the first request after a load: the claim outcomes were linked when the load committed
            os.environ["CODINGWATCH_LAKE"] = str(root)
            denials_pages = [p for p in pages_of(first_role) if p.startswith("/denials/")]
            big_cold = cold(first_role, denials_pages)
            # baseline in the same run: the claim outcomes computed on the first request (no kept file)
            from codingwatch.denials.kept import kept_linked_path
            from codingwatch.lake import open_lake
            from codingwatch.web import lake_cache

            kept = kept_linked_path(open_lake(root))
            if kept is not None:
                kept.unlink()
            from codingwatch.denials.kept import figures_path

            figures_path(open_lake(root)).unlink(missing_ok=True)  # the overview's figures, kept beside them
            lake_cache._local.tables = None  # the temporary table goes with it, as on a new connection
            big_cold_computed = cold(first_role, denials_pages)
            big = measure(wanted, args.repeat, only=lambda page: page.startswith("/denials/"))
            big["lake_build_seconds"] = round(made)
            big["outcomes_kept_at_load_seconds"] = round(kept_seconds, 2)
            big["cold_ms"] = big_cold
            big["cold_computed_on_request_ms"] = big_cold_computed
            print(json.dumps({"big": big["all_pages"], "worst": big["worst"]}), flush=True)

    result = {
        "benchmark": "pages",
        "parameters": {"encounters": args.encounters, "big": args.big, "repeat": args.repeat,
                       "big_roles": args.big_roles,
                       "cpus": len(os.sched_getaffinity(0)), "load_average": [round(x, 1) for x in os.getloadavg()],
                       "demo_build_seconds": round(build_seconds)},
        "demo": demo,
        "demo_after_load": demo_after_load,
        "big_denials": big,
        "before": json.loads(args.baseline_json.read_text())["summary"] if args.baseline_json else None,
        "summary": {
            "demo_p95_ms_worst_page": demo["worst"]["p95_ms"] if demo["worst"] else None,
            "demo_worst_page": demo["worst"]["page"] if demo["worst"] else None,
            "demo_target_ms": DEMO_TARGET_MS,
            "big_p95_ms_worst_denials_page": big["worst"]["p95_ms"] if big and big["worst"] else None,
            "big_worst_page": big["worst"]["page"] if big and big["worst"] else None,
            "big_target_ms": BIG_TARGET_MS,
            "baseline": "first request after a load (nothing kept yet)",
            "demo_worst_first_ms": demo["worst_first_ms"],
            "demo_worst_first_visit_after_load": demo_after_load["worst"],
            "big_worst_first_ms": big["worst_first_ms"] if big else None,
            "big_cold_ms": big["cold_ms"] if big else None,
            "big_cold_computed_on_request_ms": big["cold_computed_on_request_ms"] if big else None,
            "errors": len(demo["errors"]) + (len(big["errors"]) if big else 0),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result["summary"], indent=2))
    if result["summary"]["errors"]:
        sys.exit(f"pages answered with errors: {demo['errors'][:3]} {big['errors'][:3] if big else ''}")


if __name__ == "__main__":
    main()

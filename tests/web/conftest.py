"""Personas, a small roster and a small lake for the web tests.

Standing personas: `director` (staff, sees every vendor), `acme_user` (a vendor user of Acme:
the vendor's own QA lead) and `bayside_user` (a vendor user of Bayside: the outsider who
should have no access to Acme's data).

Every role reads chart-level data, so a persona needs its second factor (accounts.mfa): the
`client` here is a PersonaClient whose force_login enrols the persona's authenticator and
passes it, as a user who typed the code would; browser tests log in with `browser_login`,
which types the password and the current TOTP code into the real forms.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from django.test import Client
from django_scopes import scopes_disabled

from codingwatch.codesets import drg_weight
from codingwatch.lake import open_lake
from codingwatch.lake.schema import ENCOUNTERS
from codingwatch.web.accounts import roles
from codingwatch.web.accounts.models import User
from codingwatch.web.organizations.models import Facility, Organization, WorkQueue
from codingwatch.web.vendors.models import Coder, QueueAssignment, Vendor

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_code_reads_unscoped(request):
    """The tests' own reads of the database (checking what a request stored) see every row, as
    an operator's shell would; each request the client sends still runs in its user's scope
    (the middleware enters it). Tests marked `scoped` run without this."""
    if request.node.get_closest_marker("scoped"):
        yield
        return
    with scopes_disabled():
        yield


def encounter_row(key, *, vendor, coder, encounter_type="inpatient", specialty="cardiology",
                  day=dt.date(2026, 1, 15), drg=None, hours=24.0):
    received = dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=dt.UTC)
    inpatient = encounter_type == "inpatient"
    return {
        "encounter_key": key, "source_id_enc": "x", "origin": "coded", "facility": "NORTH",
        "encounter_type": encounter_type, "specialty": specialty,
        "admit_date": day - dt.timedelta(days=3) if inpatient else None,
        "discharge_date": day if inpatient else None, "service_date": None if inpatient else day,
        "sex": "F", "age": 60, "discharge_status": 1 if inpatient else None,
        "coder_id": coder, "vendor": vendor,
        "received_at": received, "coded_at": received + dt.timedelta(hours=hours),
        "fiscal_year": 2026, "drg_given": None, "drg": drg,
        "drg_weight": drg_weight(drg) if drg else None, "drg_mismatch": False,
        "grouper_version": 430 if drg else None, "load_id": "t",
    }


@pytest.fixture
def lake(lake_root):
    """A lake with Acme (coders ac1, ac2) and Bayside (coder bc1) encounters in Jan-Feb 2026."""
    store = open_lake(lake_root)
    rows = [
        encounter_row("a1", vendor="acme", coder="ac1", drg=291, hours=10),
        encounter_row("a2", vendor="acme", coder="ac1", drg=470, hours=20, specialty="orthopedics"),
        encounter_row("a3", vendor="acme", coder="ac2", encounter_type="outpatient", day=dt.date(2026, 2, 3)),
        encounter_row("b1", vendor="bayside", coder="bc1", drg=871, hours=5, day=dt.date(2026, 2, 20)),
        encounter_row("b2", vendor="bayside", coder="bc1", encounter_type="profee", hours=7),
    ]
    store.commit_load(kind="encounters", source_name="t.csv", sha256="t",
                      tables={"encounters": pa.Table.from_pylist(rows, schema=ENCOUNTERS)})
    return store


@pytest.fixture
def roster(db):
    with scopes_disabled():
        org = Organization.objects.create(name="Test Health")
        north = Facility.objects.create(organization=org, code="NORTH", name="North Hospital")
        queue = WorkQueue.objects.create(facility=north, service_line="cardiology", encounter_type="inpatient")
        acme = Vendor.objects.create(organization=org, code="acme", name="Acme Coding",
                                     delivery_model="offshore", work_locations=["IN", "US"])
        bayside = Vendor.objects.create(organization=org, code="bayside", name="Bayside Coders",
                                        delivery_model="onshore", work_locations=["US-TX"])
        coders = {
            "ac1": Coder.objects.create(login_id="ac1", vendor=acme, credentials=["CCS"], specialties=["cardiology"],
                                        location="IN", start_date=dt.date(2025, 1, 1)),
            "ac2": Coder.objects.create(login_id="ac2", vendor=acme, location="IN", start_date=dt.date(2025, 1, 1)),
            "bc1": Coder.objects.create(login_id="bc1", vendor=bayside, location="US-TX", start_date=dt.date(2024, 6, 1)),
        }
        QueueAssignment.objects.create(coder=coders["ac1"], work_queue=queue, from_date=dt.date(2025, 1, 1))
    return {"acme": acme, "bayside": bayside, "coders": coders, "queue": queue}


def make_user(username, role, vendor=None):
    return User.objects.create_user(username=username, password=PASSWORD, role=role, vendor=vendor)


@pytest.fixture
def director(roster):
    return make_user("dana", roles.DIRECTOR)


@pytest.fixture
def acme_user(roster):
    return make_user("amit", roles.VENDOR, roster["acme"])


@pytest.fixture
def bayside_user(roster):
    return make_user("bea", roles.VENDOR, roster["bayside"])


@pytest.fixture
def user_of_role(roster):
    """Any role's user: vendor users belong to Acme."""

    def make(role):
        return make_user(f"user-{role}", role, roster["acme"] if role == roles.VENDOR else None)

    return make


def enrol(user):
    """The persona's confirmed authenticator (made once)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def current_code(device) -> str:
    """What the authenticator app shows now (RFC 6238, django-otp's own implementation)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def fresh_code(user) -> str:
    """A code the server will take now: the TOTP code, or (when this 30-second step's code was
    already used, which the server refuses to take twice) one of new recovery codes."""
    from django_otp.oath import TOTP

    from codingwatch.web.accounts import mfa

    device = enrol(user)
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t():
        return mfa.new_recovery_codes(user)[0]
    return current_code(device)


class PersonaClient(Client):
    """Django's test client whose force_login also passes the persona's second factor."""

    def force_login(self, user, backend=None):
        from django_otp import DEVICE_ID_SESSION_KEY

        super().force_login(user, backend)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = enrol(user).persistent_id
        session.save()


@pytest.fixture
def client():
    return PersonaClient()


def browser_login(page, base_url: str, username: str, *, next_path: str = "", wait_for: str | None = None):
    """Log in in the browser as a user would: user name and password, then the TOTP code."""
    user = User.objects.get(username=username)
    enrol(user)
    page.goto(f"{base_url}/login/" + (f"?next={next_path}" if next_path else ""))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/mfa/verify/**")
    page.fill("#id_token", fresh_code(user))
    page.click("[data-testid=mfa-submit]")
    if wait_for is not None:
        page.wait_for_url(wait_for)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, launched once per test process (a launch costs seconds; a fresh browser
    context per test costs a fraction of one): (browser, the Playwright event loop)."""
    import asyncio
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    loop = asyncio.get_running_loop()  # Playwright's own loop, marked running between its calls
    state = {"browser": None}

    def browser():
        if state["browser"] is None or not state["browser"].is_connected():  # relaunched after a crash
            state["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        return state["browser"]

    # Between browser tests the loop is not marked running, so that the tests without a browser
    # in this process see no event loop, as if Playwright had stopped (Django refuses its sync
    # calls beside a running loop). `browser_page` marks it running again for its test.
    asyncio._set_running_loop(None)
    try:
        yield browser, loop
    finally:
        asyncio._set_running_loop(loop)
        playwright.stop()
        asyncio._set_running_loop(None)


@pytest.fixture
def browser_page(chromium, monkeypatch):
    """A page in a fresh browser context (its own cookies and storage, as a new browser's) of the
    process's Chromium; `page.problems` collects console errors, page errors and failed requests."""
    import asyncio

    browser, loop = chromium
    # Playwright's sync API runs an event loop; Django must allow its sync calls beside it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    asyncio._set_running_loop(loop)
    try:
        context = browser().new_context()
        page = context.new_page()
        problems = []
        page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda err: problems.append(str(err)))
        page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        page.problems = problems
        try:
            yield page
        finally:
            # Let the requests the page still has in flight (charts, htmx) finish before the test
            # database is flushed under the live server: a request answered mid-flush fails.
            try:
                page.wait_for_load_state("networkidle", timeout=10_000)
            except Exception:  # noqa: BLE001 - a page that never settles is closed all the same
                pass
            context.close()
    finally:
        asyncio._set_running_loop(None)


@pytest.fixture
def login(client):
    def as_(user):
        client.force_login(user)
        return client

    return as_


@pytest.fixture
def saved_scenario(roster, director):
    """The hfma-2018 preset saved for the roster's organization by the director."""
    from codingwatch.cost import preset_scenario
    from codingwatch.web.costs.models import SavedScenario

    return SavedScenario.objects.create(organization=roster["acme"].organization, name="HFMA as published",
                                        scenario=preset_scenario("hfma-2018").to_dict(), saved_by=director)


@pytest.fixture
def values_file():
    """An uploaded values CSV (examined and audited amounts of a small sample)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(text="examined,audited\n100.00,80.00\n250.00,250.00\n75.50,0\n310.00,290.00\n", name="sample.csv"):
        return SimpleUploadedFile(name, text.encode(), content_type="text/csv")

    return make


# The audit pages' fixtures (lake with the example charts, an auditor, drawn and reviewed audits).
from tests.web.audit_fixtures import *  # noqa: E402,F403

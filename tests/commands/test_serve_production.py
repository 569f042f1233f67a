"""`codingwatch serve --production`: gunicorn with the production settings, on a free loopback
port, answering /healthz and a logged-in page as it would behind a TLS proxy."""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.web.proxied_client import ProxiedClient

PASSWORD = "a long passphrase for the server test"
STARTUP_SECONDS = 600  # migrations, collectstatic and gunicorn on a loaded 2-core machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(var, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CODINGWATCH_LAKE", "DJANGO_SETTINGS_MODULE", "GUNICORN_CMD_ARGS"}}
    return {**env, "CODINGWATCH_VAR": str(var), "CODINGWATCH_SECRET_KEY": secrets.token_urlsafe(50), **extra}


def codingwatch(*args, env, timeout=STARTUP_SECONDS):
    return subprocess.run([sys.executable, "-m", "codingwatch.cli", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var = tmp_path_factory.mktemp("production-var")
    env = environment(var)
    made = codingwatch("manage", "shell", "-c",
                       "from django.core.management import call_command; call_command('migrate', verbosity=0); "
                       f"call_command('create_user', 'ada', role='admin', password={PASSWORD!r}); "
                       "import json; from codingwatch.web.accounts import mfa; "
                       "from codingwatch.web.accounts.models import User; "
                       "from django_otp.plugins.otp_totp.models import TOTPDevice; "
                       "ada = User.objects.get(username='ada'); "
                       "TOTPDevice.objects.create(user=ada, name='authenticator', confirmed=True); "
                       "print(json.dumps(mfa.new_recovery_codes(ada)))",
                       env={**env, "DJANGO_SETTINGS_MODULE": "codingwatch.web.settings_production"})
    assert made.returncode == 0, made.stderr
    port = free_port()
    log = (var / "server.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "codingwatch.cli", "serve", "--production", "--host",
                                "127.0.0.1", "--port", str(port), "--workers", "2"],
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited ({process.returncode}): {(var / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=10).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not answer /healthz in {STARTUP_SECONDS} s")
            time.sleep(1)
        codes = json.loads(made.stdout.strip().splitlines()[-1])
        yield {"base": base, "log": var / "server.log", "var": var, "codes": iter(codes)}
    finally:
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_gunicorn_serves_with_the_production_settings(server):
    log = server["log"].read_text()
    assert "Starting gunicorn" in log and "Booting worker" in log
    page = httpx.get(f"{server['base']}/audits/")  # plain HTTP, no proxy: sent to HTTPS
    assert page.status_code == 301 and page.headers["location"].startswith("https://127.0.0.1:")


def test_healthz_answers_without_a_login_even_over_plain_http(server):
    response = httpx.get(f"{server['base']}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "lake": "ok"}}
    assert response.headers["cache-control"] == "no-store"


def test_a_logged_in_page_is_served_never_stored_with_hsts(server):
    client = ProxiedClient(server["base"])
    login = client.login("ada", PASSWORD, next(server["codes"]))
    assert client.second_factor_asked and login is not None and login.status_code == 302
    [session] = [line for line in login.headers.get_list("set-cookie") if line.startswith("sessionid=")]
    assert "Secure" in session and "HttpOnly" in session
    page = client.request("GET", "/")
    assert page.status_code == 200 and 'href="/provenance/cases/"' in page.text  # the admin's navigation
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["strict-transport-security"].startswith("max-age=31536000")


def test_static_files_are_collected_hashed_and_served_by_whitenoise(server):
    client = ProxiedClient(server["base"])
    client.login("ada", PASSWORD, next(server["codes"]))
    [css] = re.findall(r'href="(/static/codingwatch/site\.[0-9a-f]{12}\.css)"', client.request("GET", "/").text)
    asset = client.request("GET", css)
    assert asset.status_code == 200 and asset.headers["content-type"].startswith("text/css")
    assert "immutable" in asset.headers["cache-control"]  # hashed name: cached for good


def test_the_api_answers_bounds_and_unknown_paths_in_json(server):
    client = ProxiedClient(server["base"])
    client.login("ada", PASSWORD, next(server["codes"]))
    bad = client.request("GET", "/api/provenance/alerts?offset=-1")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "offset"]
    assert client.request("GET", "/api/provenance/alerts?limit=1000000").status_code == 422
    assert client.request("GET", "/api/provenance/alerts?limit=10").json() == {"count": 0, "offset": 0, "alerts": []}
    missing = client.request("GET", "/api/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}


def test_serve_production_refuses_the_default_secret(tmp_path):
    env = environment(tmp_path / "var")
    env.pop("CODINGWATCH_SECRET_KEY")
    done = codingwatch("serve", "--production", "--port", str(free_port()), env=env)
    assert done.returncode == 2
    assert "CODINGWATCH_SECRET_KEY is the built-in default" in done.stderr
    assert "Traceback" not in done.stderr

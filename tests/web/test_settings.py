"""Settings from the environment; production settings refuse unsafe values and pass check --deploy."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from codingwatch.web.accounts import roles

ROOT = Path(__file__).resolve().parents[2]
STRONG_SECRET = secrets.token_urlsafe(50)


def run_production(tmp_path, code: str, **env):
    unwanted = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {key: value for key, value in os.environ.items() if key not in unwanted}
    environment = {
        **environment,
        "DJANGO_SETTINGS_MODULE": "codingwatch.web.settings_production",
        "CODINGWATCH_VAR": str(tmp_path / "var"),
        "CODINGWATCH_SECRET_KEY": STRONG_SECRET,
        "CODINGWATCH_DEBUG": "false",
        **env,
    }
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=120)


def manage(tmp_path, *args, **env):
    code = f"import sys; sys.argv = ['codingwatch', 'manage', *{list(args)!r}]; from codingwatch.cli import main; main()"
    return run_production(tmp_path, code, **env)


def test_production_settings_refuse_the_default_secret(tmp_path):
    from codingwatch.config import DEFAULT_SECRET

    result = manage(tmp_path, "check", CODINGWATCH_SECRET_KEY=DEFAULT_SECRET)
    assert result.returncode == 2
    assert "CODINGWATCH_SECRET_KEY is the built-in default" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_refuse_debug(tmp_path):
    result = manage(tmp_path, "check", CODINGWATCH_DEBUG="true")
    assert result.returncode == 2
    assert "CODINGWATCH_DEBUG is on" in result.stderr


def test_production_settings_refuse_a_short_secret(tmp_path):
    result = manage(tmp_path, "check", CODINGWATCH_SECRET_KEY="short")
    assert result.returncode == 2 and "too weak" in result.stderr


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_send_hsts_and_secure_cookies(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
    )
    result = run_production(tmp_path, code)
    assert result.stdout.split() == ["31536000", "True", "True", "True"], result.stderr


def test_idle_timeout_is_15_minutes_by_default():
    assert django_settings.SESSION_COOKIE_AGE == 15 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True


def test_idle_timeout_follows_its_environment_variable(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; print(s.SESSION_COOKIE_AGE)"
    result = run_production(tmp_path, code, CODINGWATCH_IDLE_MINUTES="5")
    assert result.stdout.strip() == "300", result.stderr


def test_a_bad_setting_value_is_refused_naming_the_variable(tmp_path):
    result = manage(tmp_path, "check", CODINGWATCH_IDLE_MINUTES="fifteen")
    assert "CODINGWATCH_IDLE_MINUTES='fifteen' is not a whole number" in result.stderr


def test_sqlite_under_var_is_the_default_database(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; d = s.DATABASES['default']; print(d['ENGINE'], d['NAME'])"
    result = run_production(tmp_path, code)
    assert result.stdout.split() == ["django.db.backends.sqlite3", str(tmp_path / "var" / "codingwatch.sqlite3")]


def test_database_url_selects_postgresql(tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"
    result = run_production(tmp_path, code, DATABASE_URL="postgres://cw:pw@127.0.0.1:5999/cw")
    assert result.stdout.strip() == "django.db.backends.postgresql", result.stderr


def test_the_guide_documents_every_setting_and_role():
    guide = (ROOT / "docs" / "web.md").read_text()
    for name in django_settings.SETTINGS_DOC:
        assert f"`{name}`" in guide, f"docs/web.md does not document {name}"
    for role in roles.ROLES:
        assert f"`{role}`" in guide, f"docs/web.md does not describe the role {role}"


@pytest.mark.django_db
@pytest.mark.postgres
def test_the_database_tests_run_on_the_database_that_database_url_names():
    from django.db import connection

    url = os.environ.get("DATABASE_URL", "")
    assert connection.vendor == ("postgresql" if url.startswith("postgres") else "sqlite")

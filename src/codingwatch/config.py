"""Settings, read from environment variables (and a `.env` file) with safe local defaults.

Every `CODINGWATCH_*` variable (and DATABASE_URL) is registered in SETTINGS below, with its type, default and help
(settings as data): code reads one only through `setting(name)`, which parses it by its type
and fails loudly (SettingError, naming the variable) on a value it cannot use.
`codingwatch settings` lists them with their values; docs/settings.md is generated from the
registry, and tests/test_settings_registry.py fails when a variable is read outside it or is
missing from the docs.

Engines import this module, never Django settings. The web app reads the same values, so the
CLI and the server always agree on where the lake is and how identifiers are keyed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from codingwatch.errors import CodingwatchError

DEFAULT_SECRET = "codingwatch-insecure-local-secret-change-me"


def _load_dotenv() -> None:
    try:
        from dotenv import load_dotenv
    except ImportError:  # pragma: no cover - python-dotenv is a declared dependency
        return
    load_dotenv(Path.cwd() / ".env", override=False)


_load_dotenv()


class SettingError(CodingwatchError, ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


# The typed readers under `setting()` (like healthchecks' envbool/envint). Read a registered
# setting with `setting(name)`, never with these directly.
def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool, *, raw: str | None = None) -> bool:
    raw = os.environ.get(name) if raw is None else raw
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean: use true or false")


def envint(name: str, default: int, *, raw: str | None = None) -> int:
    raw = os.environ.get(name) if raw is None else raw
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a whole number") from None


def envfloat(name: str, default: float, *, raw: str | None = None) -> float:
    raw = os.environ.get(name) if raw is None else raw
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number") from None


# ---- the registry ------------------------------------------------------------------------------

_HOURS = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def _parse_amount(name: str, raw: str) -> Decimal:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise SettingError(f"{name}={raw!r} is not an amount (e.g. 25.00)") from None
    if not value.is_finite() or value < 0:
        raise SettingError(f"{name}={raw!r} must be a non-negative amount")
    return value


def _parse_hours(name: str, raw: str) -> str:
    text = raw.replace(" ", "")
    if not _HOURS.match(text):
        raise SettingError(f"{name}={raw!r} is not a span of hours (e.g. 07:00-19:00)")
    return text


# type -> parser of a non-empty raw value (name, raw) -> value. The kinds the helpers above read.
_PARSERS = {
    "text": lambda name, raw: raw,
    "path": lambda name, raw: raw,
    "list": lambda name, raw: [item.strip() for item in raw.split(",") if item.strip()],
    "bool": lambda name, raw: envbool(name, False, raw=raw),
    "int": lambda name, raw: envint(name, 0, raw=raw),
    "float": lambda name, raw: envfloat(name, 0.0, raw=raw),
    "amount": _parse_amount,
    "hours": _parse_hours,
}


@dataclass(frozen=True)
class Setting:
    """One environment variable: its type (a key of _PARSERS), its default (a value of that type,
    or None: not set), the default as the docs show it, what it does, and the docs page that
    explains it in context."""

    name: str
    type: str
    default: object
    help: str
    docs: str
    shown_default: str | None = None
    minimum: float | None = None
    secret: bool = False  # `codingwatch settings` shows only whether it is set

    @property
    def default_text(self) -> str:
        if self.shown_default is not None:
            return self.shown_default
        if self.default is None:
            return ""
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        if isinstance(self.default, list):
            return ",".join(self.default)
        return str(self.default)


def _s(name, type, default, help, docs, **extra) -> Setting:  # noqa: A002 - the registry's own words
    return Setting(name, type, default, help, docs, **extra)


SETTINGS: dict[str, Setting] = {s.name: s for s in (
    # where things are
    _s("CODINGWATCH_VAR", "path", "var", "folder of the embedded default (SQLite file, lake, audit frames, code sets)",
       "web.md"),
    _s("CODINGWATCH_LAKE", "path", None, "the Parquet lake", "web.md", shown_default="$CODINGWATCH_VAR/lake"),
    _s("CODINGWATCH_CACHE", "path", None, "cache of derived reference tables (e.g. the ICD-10 code table)",
       "settings.md", shown_default="~/.cache/codingwatch"),
    _s("CODINGWATCH_SECRET_KEY", "text", DEFAULT_SECRET,
       "signs sessions and keys source ids; production refuses the default", "web.md", secret=True),
    _s("DATABASE_URL", "text", None, "the app database; postgres://user:pass@host:port/name for PostgreSQL",
       "web.md", shown_default="sqlite:///var/codingwatch.sqlite3", secret=True),
    # the lake
    _s("CODINGWATCH_LAKE_LOCK_TIMEOUT", "float", 600.0,
       "seconds a load waits for another load's write lock before it gives up", "ingest.md", minimum=0),
    _s("CODINGWATCH_LAKE_TEST_PAUSE_AT", "text", None,
       "tests only: pause a load at this commit step (<step> or <step>:<table>) until the pause file goes",
       "settings.md"),
    _s("CODINGWATCH_LAKE_TEST_PAUSE_FILE", "path", None,
       "tests only: the file whose removal lets a load paused by CODINGWATCH_LAKE_TEST_PAUSE_AT go on",
       "settings.md"),
    # denials
    _s("CODINGWATCH_DENIAL_REWORK_COST", "amount", None,
       "cost of reworking one denied claim (e.g. 25.00) when no contract gives one", "claims-and-remits.md"),
    # provenance rules
    _s("CODINGWATCH_PROVENANCE_MAX_SPEED_KMH", "float", 900.0,
       "impossible travel: the fastest a person moves between two logins, km/h", "provenance.md", minimum=0),
    _s("CODINGWATCH_PROVENANCE_MIN_TRAVEL_KM", "float", 50.0,
       "impossible travel: shorter moves than this never count (IP geolocation is coarse), km", "provenance.md",
       minimum=0),
    _s("CODINGWATCH_PROVENANCE_GRACE_MIN", "int", 30,
       "off hours: minutes before and after the declared hours that still count as working time", "provenance.md",
       minimum=0),
    _s("CODINGWATCH_PROVENANCE_OFF_HOURS_MIN_EVENTS", "int", 5,
       "off hours: events outside the hours in one day before a day is flagged", "provenance.md", minimum=1),
    _s("CODINGWATCH_PROVENANCE_FALSE_ALARM_RATE", "float", 0.01,
       "account takeover: the false alarms per login-month the detector is calibrated to", "provenance.md",
       minimum=0),
    _s("CODINGWATCH_PROVENANCE_DECLARED_HOURS", "hours", "07:00-19:00",
       "a coder's working hours (local) when the roster gives none", "provenance.md"),
    # the web app
    _s("CODINGWATCH_DEBUG", "bool", False, "Django debug pages; production refuses true", "web.md"),
    _s("CODINGWATCH_ALLOWED_HOSTS", "list", ["127.0.0.1", "localhost"],
       "comma-separated host names the app answers to", "web.md"),
    _s("CODINGWATCH_CSRF_TRUSTED_ORIGINS", "list", [],
       "comma-separated origins (https://host) trusted for form posts behind a proxy", "web.md"),
    _s("CODINGWATCH_IDLE_MINUTES", "int", 15, "a session with no request for this long is logged out", "web.md"),
    _s("CODINGWATCH_LOGIN_FAILURE_LIMIT", "int", 5,
       "failed logins for one user name before that user name is locked", "web.md"),
    _s("CODINGWATCH_LOCKOUT_MINUTES", "int", 30, "how long a lockout lasts", "web.md"),
    _s("CODINGWATCH_TRUSTED_PROXIES", "text", "",
       "comma-separated proxy addresses or networks whose X-Forwarded-For names the client", "web.md"),
    _s("CODINGWATCH_MFA_REQUIRED", "bool", True,
       "a password login of a role that reads chart-level data also needs a TOTP or recovery code", "web.md"),
    _s("CODINGWATCH_OIDC_ISSUER", "text", "",
       "OpenID Connect single sign-on: the identity provider's issuer URL (empty: no single sign-on)", "web.md"),
    _s("CODINGWATCH_OIDC_CLIENT_ID", "text", "", "single sign-on: this app's client id at the provider", "web.md"),
    _s("CODINGWATCH_OIDC_CLIENT_SECRET", "text", "", "single sign-on: this app's client secret", "web.md",
       secret=True),
    _s("CODINGWATCH_OIDC_AUTHORIZATION_ENDPOINT", "text", "",
       "single sign-on: endpoints, when not read from the provider's discovery document", "web.md"),
    _s("CODINGWATCH_OIDC_TOKEN_ENDPOINT", "text", "", "see CODINGWATCH_OIDC_AUTHORIZATION_ENDPOINT", "web.md"),
    _s("CODINGWATCH_OIDC_USERINFO_ENDPOINT", "text", "", "see CODINGWATCH_OIDC_AUTHORIZATION_ENDPOINT", "web.md"),
    _s("CODINGWATCH_OIDC_JWKS_ENDPOINT", "text", "", "see CODINGWATCH_OIDC_AUTHORIZATION_ENDPOINT", "web.md"),
    _s("CODINGWATCH_OIDC_END_SESSION_ENDPOINT", "text", "",
       "single sign-on: where logging out ends the provider's session too (empty: its discovery "
       "document's end_session_endpoint, if it has one)", "web.md"),
    _s("CODINGWATCH_OIDC_ROLE_CLAIM", "text", "codingwatch_role",
       "single sign-on: the claim that holds the user's role", "web.md"),
    _s("CODINGWATCH_OIDC_ORGANIZATION_CLAIM", "text", "codingwatch_organization",
       "single sign-on: the claim that names the user's organization", "web.md"),
    _s("CODINGWATCH_OIDC_VENDOR_CLAIM", "text", "codingwatch_vendor",
       "single sign-on: the claim with a vendor user's vendor code", "web.md"),
    # notification emails
    _s("CODINGWATCH_SITE_URL", "text", "http://127.0.0.1:8000",
       "the app's address as people reach it: the links in notification emails", "web.md"),
    _s("CODINGWATCH_EMAIL_HOST", "text", "",
       "the SMTP server for notification emails (empty: emails are printed to the console)", "web.md"),
    _s("CODINGWATCH_EMAIL_PORT", "int", 587, "the SMTP server's port", "web.md", minimum=1),
    _s("CODINGWATCH_EMAIL_USER", "text", "", "the SMTP user name (empty: no login)", "web.md"),
    _s("CODINGWATCH_EMAIL_PASSWORD", "text", "", "the SMTP password", "web.md", secret=True),
    _s("CODINGWATCH_EMAIL_USE_TLS", "bool", True, "STARTTLS to the SMTP server", "web.md"),
    _s("CODINGWATCH_EMAIL_FROM", "text", "codingwatch@localhost", "the sender of notification emails", "web.md"),
    _s("CODINGWATCH_HSTS_SECONDS", "int", 31_536_000, "production: Strict-Transport-Security max-age", "web.md",
       minimum=0),
    _s("CODINGWATCH_SECURE_SSL_REDIRECT", "bool", True, "production: redirect plain HTTP to HTTPS", "web.md"),
)}


def setting(name: str):
    """The value of a registered setting: the environment's, parsed by the setting's type, or
    its default when unset or empty. A value that does not parse (or is below the setting's
    minimum) raises SettingError naming the variable; an unregistered name raises too."""
    try:
        entry = SETTINGS[name]
    except KeyError:
        raise SettingError(f"{name} is not a codingwatch setting (`codingwatch settings` lists them)") from None
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return entry.default
    # text is taken as it is (a secret's spaces are part of it); other types without spaces around
    value = _PARSERS[entry.type](name, raw if entry.type in ("text", "path") else raw.strip())
    if entry.minimum is not None and value < entry.minimum:
        raise SettingError(f"{name}={raw!r} is below its minimum {entry.minimum:g}")
    return value


def settings_table() -> list[dict]:
    """Every setting with its type, default, current value (None when unset; never a secret's
    value) and help, in the registry's order: what `codingwatch settings` prints."""
    rows = []
    for entry in SETTINGS.values():
        raw = os.environ.get(entry.name)
        shown = None if raw is None else ("(set)" if entry.secret else raw)
        rows.append({"name": entry.name, "type": entry.type, "default": entry.default_text, "value": shown,
                     "help": entry.help, "docs": f"docs/{entry.docs}"})
    return rows


def settings_markdown() -> str:
    """The registry as the Markdown table of docs/settings.md (a test keeps the two equal)."""
    lines = ["| Variable | Type | Default | What it does | Explained in |", "| --- | --- | --- | --- | --- |"]
    for entry in SETTINGS.values():
        default = f"`{entry.default_text}`" if entry.default_text else "(unset)"
        lines.append(f"| `{entry.name}` | {entry.type} | {default} | {entry.help} | [{entry.docs}]({entry.docs}) |")
    return "\n".join(lines) + "\n"


def var_dir() -> Path:
    """Where the embedded default keeps its files (SQLite database, lake, caches)."""
    return Path(setting("CODINGWATCH_VAR")).resolve()


def lake_dir() -> Path:
    return Path(setting("CODINGWATCH_LAKE") or var_dir() / "lake").resolve()


def secret_key() -> str:
    """The secret that keys source identifiers (HMAC) and encrypts them at rest."""
    return setting("CODINGWATCH_SECRET_KEY")


@lru_cache(maxsize=1)
def cache_dir() -> Path:
    path = Path(setting("CODINGWATCH_CACHE") or Path.home() / ".cache" / "codingwatch")
    path.mkdir(parents=True, exist_ok=True)
    return path

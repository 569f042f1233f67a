"""Engine settings, read from environment variables (and a `.env` file) with safe local defaults.

Engines import this module, never Django settings. The web app reads the same values, so the
CLI and the server always agree on where the lake is and how identifiers are keyed.
"""

from __future__ import annotations

import os
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


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingError(f"{name}={raw!r} is not a boolean: use true or false")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a whole number") from None


def envfloat(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SettingError(f"{name}={raw!r} is not a number") from None


def var_dir() -> Path:
    """Where the embedded default keeps its files (SQLite database, lake, caches)."""
    return Path(envstr("CODINGWATCH_VAR", "var")).resolve()


def lake_dir() -> Path:
    return Path(envstr("CODINGWATCH_LAKE", str(var_dir() / "lake"))).resolve()


def secret_key() -> str:
    """The secret that keys source identifiers (HMAC) and encrypts them at rest."""
    return envstr("CODINGWATCH_SECRET_KEY", DEFAULT_SECRET)


@lru_cache(maxsize=1)
def cache_dir() -> Path:
    path = Path(envstr("CODINGWATCH_CACHE", str(Path.home() / ".cache" / "codingwatch")))
    path.mkdir(parents=True, exist_ok=True)
    return path

"""The web app's environment variables (the core's own are in ``sotong.settings``).

Read when asked, never at import time: tests and operators may change them, and the
staff token in particular is looked up on every request.

  SOTONG_WEB_HOST       interface to listen on (default 127.0.0.1: not reachable from outside)
  SOTONG_WEB_PORT       port (default 8000)
  SOTONG_STAFF_TOKEN    bearer token of the staff API; unset = the staff API answers 503
  SOTONG_WEB_MAX_BODY   largest request body in bytes (default 65536); larger ones get 413
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_BODY = 64 * 1024


class SettingsError(ValueError):
    """A variable is set to something unusable; the message names it."""


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}")
    return value


@dataclass(frozen=True)
class WebSettings:
    host: str
    port: int
    max_body_bytes: int


def load_web_settings() -> WebSettings:
    return WebSettings(
        host=_env("SOTONG_WEB_HOST") or DEFAULT_HOST,
        port=_int("SOTONG_WEB_PORT", DEFAULT_PORT, 1, 65535),
        max_body_bytes=_int("SOTONG_WEB_MAX_BODY", DEFAULT_MAX_BODY, 1024, 10 * 1024 * 1024),
    )


def staff_token() -> str | None:
    """The staff API's token, or None when unset/blank (then the API stays closed)."""
    return _env("SOTONG_STAFF_TOKEN") or None

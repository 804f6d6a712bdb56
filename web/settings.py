"""The web app's environment variables (the core's own are in ``sotong.settings``).

Read when asked, never at import time: tests and operators may change them, and the
secrets in particular are looked up on every request.

  SOTONG_WEB_HOST       interface to listen on (default 127.0.0.1: not reachable from outside)
  SOTONG_WEB_PORT       port (default 8000)
  SOTONG_WEB_MAX_BODY   largest request body in bytes (default 65536); larger ones get 413
  SOTONG_RASA_URL       Rasa server the resident page's chat is relayed to
                        (default http://127.0.0.1:$SOTONG_RASA_PORT, port 5005)
  SOTONG_WEB_CHANNEL_SECRET  shared with Rasa's web channel (connectors/webapp.py); unset = chat 503
  SOTONG_RASA_TOKEN     Rasa's HTTP API token, to read the conversation back (chat history)
  SOTONG_CHAT_TIMEOUT   seconds to wait for Rasa's answer to one chat turn (default 60)
  SOTONG_WEB_NEW_DEVICES  new devices (cookies) GET / may mint per client address in 10 minutes
                        (default 30; an IPv6 client counts by its /64)
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_BODY = 64 * 1024
NEW_DEVICE_WINDOW = 600  # seconds
DEFAULT_NEW_DEVICES = 30  # per client address per window: a whole office behind one NAT fits


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


def rasa_url() -> str:
    """Where the web app reaches Rasa (server to server, never the browser)."""
    url = _env("SOTONG_RASA_URL")
    if url:
        return url.rstrip("/")
    return f"http://127.0.0.1:{_int('SOTONG_RASA_PORT', 5005, 1, 65535)}"


def rasa_replica_urls() -> tuple[str, ...]:
    """Each Rasa replica's own URL (SOTONG_RASA_REPLICA_URLS, space- or comma-separated), for what
    must reach every replica (a published model); empty = Rasa is the one process at rasa_url()."""
    urls = (_env("SOTONG_RASA_REPLICA_URLS") or "").replace(",", " ").split()
    return tuple(u.rstrip("/") for u in urls if u.startswith(("http://", "https://")))


def web_channel_secret() -> str | None:
    """The secret the web app shows Rasa's web channel; None = the page's chat is closed."""
    return _env("SOTONG_WEB_CHANNEL_SECRET") or None


def rasa_token() -> str | None:
    """Rasa's HTTP API token (reads the tracker for the chat history); None = no history."""
    return _env("SOTONG_RASA_TOKEN") or None


def chat_timeout() -> int:
    return _int("SOTONG_CHAT_TIMEOUT", 60, 1, 600)


def new_devices_per_address() -> int:
    """How many new devices (and residents) GET / may mint for one client address per 10 minutes."""
    return _int("SOTONG_WEB_NEW_DEVICES", DEFAULT_NEW_DEVICES, 1, 1_000_000)

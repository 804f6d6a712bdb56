"""알림톡 provider settings from the environment. All four of URL, app key, secret and
sender key must be set; otherwise Sotong runs with the log-only sender.

  SOTONG_ALIMTALK_URL         base URL, e.g. https://api-alimtalk.cloud.toast.com
  SOTONG_ALIMTALK_APPKEY      app key (part of the path)
  SOTONG_ALIMTALK_SECRET      secret key (X-Secret-Key header)
  SOTONG_ALIMTALK_SENDER_KEY  the KakaoTalk channel's sender key
  SOTONG_ALIMTALK_SMS_FALLBACK  1 (default) to let the provider fall back to SMS/LMS, 0 not to
  SOTONG_ALIMTALK_ALLOW_LOOPBACK_HTTP  1 lets a plain-http provider on 127.0.0.1/localhost
                              through (the tests' fake provider); ignored in production mode

The URL must be https: the request carries the secret key and residents' numbers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from sotong.settings import production_mode

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class AlimtalkConfigError(ValueError):
    pass


@dataclass(frozen=True)
class AlimtalkConfig:
    base_url: str
    app_key: str
    secret_key: str
    sender_key: str
    sms_fallback: bool = True
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    allow_loopback_http: bool = False  # test-only; never honoured in production mode

    def __post_init__(self):
        parts = urlsplit(self.base_url)
        if parts.scheme == "https" and parts.hostname:
            return
        if (
            parts.scheme == "http"
            and parts.hostname in _LOOPBACK
            and self.allow_loopback_http
            and not production_mode()
        ):
            return
        raise AlimtalkConfigError(f"SOTONG_ALIMTALK_URL must be an https:// URL, not {self.base_url!r}")

    def __repr__(self) -> str:  # never print the secret
        return f"AlimtalkConfig(base_url={self.base_url!r}, sms_fallback={self.sms_fallback})"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "AlimtalkConfig" | None:
        env = os.environ if env is None else env

        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        values = [
            get(n)
            for n in (
                "SOTONG_ALIMTALK_URL",
                "SOTONG_ALIMTALK_APPKEY",
                "SOTONG_ALIMTALK_SECRET",
                "SOTONG_ALIMTALK_SENDER_KEY",
            )
        ]
        if not all(values):
            return None
        url, app_key, secret, sender_key = values
        return cls(
            base_url=url.rstrip("/"),
            app_key=app_key,
            secret_key=secret,
            sender_key=sender_key,
            sms_fallback=get("SOTONG_ALIMTALK_SMS_FALLBACK") not in ("0", "false", "no"),
            allow_loopback_http=get("SOTONG_ALIMTALK_ALLOW_LOOPBACK_HTTP") in ("1", "true", "yes"),
        )

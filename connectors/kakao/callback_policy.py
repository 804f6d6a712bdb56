"""Where the server may POST a late answer: Kakao's callback hosts, nothing else.

The callbackUrl arrives in the request body, so whoever can reach the webhook
chooses it. Without this policy the server would POST residents' answers to
any host, internal addresses included (SSRF). Rules:
- the host (and port) must be on the allow-list (default: Kakao's callback
  host; an entry without a port means the scheme's default port);
- https only (plain http only outside production mode, for loopback tests);
- no credentials in the URL, no IP literals, no loopback/private addresses:
  a listed IP literal is honoured only outside production mode, and in every
  mode a listed *name* must resolve to public addresses (checked when
  connecting, see `PublicOnlyResolver`, so DNS cannot point it inward).
Pure checks plus one aiohttp resolver; no other I/O.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp.abc import AbstractResolver
from aiohttp.resolver import DefaultResolver

# The host of the one-time callbackUrl Kakao i Open Builder issues (AI chatbot callback guide;
# tests/kakao/fixtures/callback_message.json). Operators can extend it with KAKAO_CALLBACK_HOSTS.
DEFAULT_CALLBACK_HOSTS = frozenset({"bot-api.kakao.com"})
MAX_CALLBACK_URL_CHARS = 2048
_DEFAULT_PORTS = {"https": 443, "http": 80}


class BlockedAddress(OSError):
    """A callback host resolved to an address we never contact (loopback, private, ...)."""


def _ip(host: str) -> ipaddress._BaseAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def is_public_address(address: str) -> bool:
    ip = _ip(address)
    return bool(ip is not None and ip.is_global and not ip.is_multicast)


@dataclass(frozen=True)
class CallbackPolicy:
    hosts: frozenset[str] = DEFAULT_CALLBACK_HOSTS  # "host" or "host:port", lower case
    allow_http: bool = False  # outside production mode only (config.py enforces)
    allow_private: bool = False  # listed IP literals / private resolutions; outside production only

    def refusal(self, url: str | None) -> str | None:
        """Why `url` must not be contacted (a short log reason), or None when it may."""
        if not url or len(url) > MAX_CALLBACK_URL_CHARS:
            return "missing_or_too_long"
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return "malformed"
        scheme = parts.scheme.lower()
        if scheme != "https" and not (scheme == "http" and self.allow_http):
            return "scheme"
        if parts.username is not None or parts.password is not None:
            return "credentials_in_url"
        host = (parts.hostname or "").rstrip(".").lower()
        if not host:
            return "no_host"
        port = port or _DEFAULT_PORTS[scheme]
        if f"{host}:{port}" not in self.hosts and not (host in self.hosts and port == _DEFAULT_PORTS[scheme]):
            return "host_not_allowed"
        if _ip(host) is not None and not (self.allow_private or is_public_address(host)):
            return "ip_literal"
        return None


class PublicOnlyResolver(AbstractResolver):
    """Resolves like aiohttp's default but drops non-public addresses (unless allowed).

    An allowed *name* could still be pointed at 127.0.0.1 or 10.x by whoever
    controls its DNS; the check has to happen on the addresses actually used.
    """

    def __init__(self, allow_private: bool = False) -> None:
        self._inner = DefaultResolver()
        self._allow_private = allow_private

    async def resolve(self, host: str, port: int = 0, family: int = socket.AF_INET) -> list[dict[str, Any]]:
        found = await self._inner.resolve(host, port, family)
        usable = found if self._allow_private else [entry for entry in found if is_public_address(entry["host"])]
        if not usable:
            raise BlockedAddress(f"{host} resolves to no public address")
        return usable

    async def close(self) -> None:
        await self._inner.close()

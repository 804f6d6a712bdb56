"""A resident's browser for API tests: a real device cookie minted in the database, sent
with the CSRF double-submit header, against the real web app served by uvicorn.

The cookies are Secure, so ``requests`` would not send them to http://127.0.0.1 on its
own: they go in the Cookie header, as a browser on https would send them.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from sotong.db import session_scope
from sotong.residents.devices import csrf_token, mint_device, revoke_device
from tests.web.conftest import TIMEOUT, serve
from web.app import create_app
from web.resident_auth import CSRF_COOKIE, CSRF_HEADER, DEVICE_COOKIE


@dataclass
class Device:
    base: str
    token: str
    csrf: str
    resident_id: int
    device_id: int
    public_key: str
    http: requests.Session = field(default_factory=requests.Session)

    def headers(self, extra: dict[str, Any] | None = None, *, cookie: bool = True, csrf: bool = True) -> dict:
        headers: dict[str, Any] = {}
        if cookie:
            headers["Cookie"] = f"{DEVICE_COOKIE}={self.token}; {CSRF_COOKIE}={self.csrf}"
        if csrf:
            headers[CSRF_HEADER] = self.csrf
        headers.update(extra or {})
        return {k: v for k, v in headers.items() if v is not None}

    def get(self, path: str, *, cookie: bool = True, headers: dict | None = None, **kw) -> requests.Response:
        return self.http.get(
            self.base + path, headers=self.headers(headers, cookie=cookie, csrf=False), timeout=TIMEOUT, **kw
        )

    def post(
        self, path: str, json: Any = None, *, cookie: bool = True, csrf: bool = True, headers: dict | None = None, **kw
    ) -> requests.Response:
        return self.http.post(
            self.base + path,
            json=json,
            headers=self.headers(headers, cookie=cookie, csrf=csrf),
            timeout=TIMEOUT,
            **kw,
        )

    def ok(self, response: requests.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()


def new_device(engine, base: str, secret: str) -> Device:
    with session_scope(engine) as session:
        minted = mint_device(session, secret, "pytest")
        device = minted.device
        info = (int(device.resident_id), int(device.id), str(device.public_key))
    return Device(base, minted.token, csrf_token(secret, info[2]), *info)


def revoke(engine, device: Device) -> None:
    with session_scope(engine) as session:
        revoke_device(session, device.device_id)


@pytest.fixture
def session_secret(monkeypatch) -> str:
    value = secrets.token_urlsafe(32)
    monkeypatch.setenv("SOTONG_SESSION_SECRET", value)
    return value


@pytest.fixture
def page(core_db, session_secret, monkeypatch) -> Iterator[str]:
    """The web app on a seeded database (SQLite and PostgreSQL)."""
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    with serve(create_app()) as base:
        yield base


@pytest.fixture
def me(core_db, page, session_secret) -> Device:
    return new_device(core_db, page, session_secret)


@pytest.fixture
def other(core_db, page, session_secret) -> Device:
    return new_device(core_db, page, session_secret)

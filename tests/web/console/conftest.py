"""The console over real HTTP: the web app (with the console installed) under uvicorn on
a free port, a seeded database (SQLite and PostgreSQL), and a browser-like client.

``ConsoleClient`` keeps the cookies itself: they are Secure, so ``requests`` would not
send them to http://127.0.0.1; a browser on https would. It follows no redirects on
its own, so tests see every 303 and where it points.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any

import pytest
import requests

import sotong.staff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.db import session_scope
from sotong.staff import accounts
from tests.web.conftest import TIMEOUT, serve
from web.app import create_app

PASSWORD = "correct horse battery"
_HIDDEN = r'name="{name}" value="([^"]*)"'


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    # PBKDF2 at a low cost: argon2 has its own test in tests/staff, and each login here would pay it.
    monkeypatch.setenv("SOTONG_PASSWORD_HASHER", "pbkdf2")
    monkeypatch.setattr("sotong.staff.passwords.Pbkdf2Hasher.__init__.__defaults__", (1000,))


def build_app():
    """create_app() plus the console, as web/app.py will do once the lead wires it in."""
    from web.console import install

    app = create_app()
    if not any(getattr(r, "path", "").startswith("/console") for r in app.routes):
        install(app)
    return app


@pytest.fixture
def console_url(core_db, monkeypatch) -> Iterator[str]:
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    with serve(build_app()) as base:
        yield base


def make_account(engine, username: str, role: str = "officer", department: str | None = "cleaning", officer=None):
    with session_scope(engine) as s:
        accounts.create_account(s, username, PASSWORD, role=role, department=department, officer=officer)


@pytest.fixture
def accounts_made(core_db) -> None:
    make_account(core_db, "admin", role="admin", department=None)
    make_account(core_db, "kim", officer="cleaning-kim")
    make_account(core_db, "lee", officer="cleaning-lee")
    make_account(core_db, "park", department="traffic", officer="traffic-park")
    make_account(core_db, "teacher", role="trainer")


@dataclass
class ConsoleClient:
    base: str
    cookies: dict[str, str] = field(default_factory=dict)
    http: requests.Session = field(default_factory=requests.Session)
    last_html: str = ""

    def _remember(self, response: requests.Response) -> requests.Response:
        for raw in response.raw.headers.getlist("set-cookie"):
            jar = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                assert morsel["secure"] and morsel["httponly"], f"{name} must be Secure and HttpOnly"
                if morsel["max-age"] == "0" or not morsel.value or morsel.value == '""':
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.headers.get("content-type", "").startswith("text/html"):
            self.last_html = response.text
        return response

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        headers.update(extra or {})
        return headers

    def get(self, path: str, headers: dict[str, str] | None = None) -> requests.Response:
        return self._remember(
            self.http.get(self.base + path, headers=self._headers(headers), timeout=TIMEOUT, allow_redirects=False)
        )

    def post(self, path: str, data: dict[str, Any] | None = None, headers: dict[str, str] | None = None, **kw):
        return self._remember(
            self.http.post(
                self.base + path,
                data=data,
                headers=self._headers(headers),
                timeout=TIMEOUT,
                allow_redirects=False,
                **kw,
            )
        )

    def hidden(self, name: str, html: str | None = None) -> str:
        found = re.search(_HIDDEN.format(name=name), html if html is not None else self.last_html)
        assert found, f"no hidden field {name} on the page"
        return found.group(1)

    @property
    def csrf(self) -> str:
        return self.hidden("csrf_token")

    def login(self, username: str, password: str = PASSWORD) -> requests.Response:
        self.get("/console/login")
        return self.post(
            "/console/login", {"username": username, "password": password, "login_token": self.hidden("login_token")}
        )

    def signed_in(self, username: str) -> ConsoleClient:
        response = self.login(username)
        assert response.status_code == 303, response.text
        return self


@pytest.fixture
def client(console_url) -> ConsoleClient:
    return ConsoleClient(console_url)


@pytest.fixture
def new_client(console_url):
    return lambda: ConsoleClient(console_url)

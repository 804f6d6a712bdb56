"""The real web app served by uvicorn on a free loopback port, talked to with ``requests``.

Each test gets its own server (started after the environment is set, as in production);
the database comes from ``core_db`` in tests/conftest.py, so every database test runs on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest
import requests
import uvicorn
from fastapi import FastAPI

from sotong.complaints.residents import ResidentKey
from web.app import create_app

TIMEOUT = 10  # seconds, for every request: a hung server fails the test instead of the run
STAFF_NAME = "kim"
# Filed long ago, so overdue by the real clock.
LONG_AGO = datetime(2024, 3, 4, 1, 0, tzinfo=timezone.utc)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Run ``app`` with uvicorn in a thread on a socket we bound ourselves (no port race)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # log_config=None: leave logging alone (pytest's caplog keeps working).
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False, lifespan="off", ws="none"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@dataclass
class Staff:
    """A staff client: the token is sent unless a test overrides it. ``name`` goes out as
    X-Staff-Name, which the server no longer reads (tests prove it is ignored)."""

    base: str
    token: str | None
    name: Any | None = STAFF_NAME
    http: requests.Session = field(default_factory=requests.Session)

    def headers(self, extra: dict[str, Any] | None = None, *, write: bool = False) -> dict[str, Any]:
        headers: dict[str, Any] = {}
        if self.token is not None:
            headers["Authorization"] = f"Bearer {self.token}"
        if write and self.name is not None:
            headers["X-Staff-Name"] = self.name
        headers.update(extra or {})
        return {k: v for k, v in headers.items() if v is not None}

    def get(self, path: str, headers: dict[str, Any] | None = None, **kwargs) -> requests.Response:
        return self.http.get(self.base + path, headers=self.headers(headers), timeout=TIMEOUT, **kwargs)

    def post(self, path: str, json: Any = None, headers: dict[str, Any] | None = None, **kwargs) -> requests.Response:
        return self.http.post(
            self.base + path, json=json, headers=self.headers(headers, write=True), timeout=TIMEOUT, **kwargs
        )

    def ok(self, response: requests.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()


def error_of(response: requests.Response, status: int) -> dict[str, Any]:
    """The ``error`` object of a JSON error answer with the expected status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return body["error"]


@pytest.fixture
def token(core_db) -> str:
    """A per-officer API token of an admin account named STAFF_NAME (history: ``staff:kim``)."""
    import sotong.staff.models  # noqa: F401  (until sotong.db.import_models lists it)
    from sotong.db import session_scope
    from sotong.staff import accounts, tokens

    with session_scope(core_db) as s:
        accounts.create_account(s, STAFF_NAME, secrets.token_urlsafe(16), role="admin")
        return tokens.issue(s, STAFF_NAME, "tests").token


@pytest.fixture
def no_token(monkeypatch) -> None:
    monkeypatch.delenv("SOTONG_STAFF_TOKEN", raising=False)


@pytest.fixture
def web(monkeypatch) -> Iterator[str]:
    """The app's base URL, created after the test's fixtures set the environment."""
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    with serve(create_app()) as base:
        yield base


@pytest.fixture
def staff(core_db, token, web) -> Staff:
    """A staff client on a seeded database (SQLite and PostgreSQL)."""
    return Staff(web, token)


@pytest.fixture
def resident() -> ResidentKey:
    return ResidentKey("kakao", "resident-" + uuid.uuid4().hex[:8])

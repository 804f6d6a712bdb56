"""Open311 tests: the real web app with the Open311 router, served by uvicorn on a free
127.0.0.1 port, on the seeded database of ``core_db`` (SQLite and PostgreSQL).

Until the lead adds the router to web/app.py, ``create_app()`` gets it here (once).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

import sotong.open311.models  # noqa: F401  (registers the table, so core_db empties it)
from sotong.complaints.service import ResidentKey
from sotong.db import session_scope
from sotong.open311 import keys
from tests.web.conftest import TIMEOUT, serve
from web.app import create_app
from web.open311 import router

V2 = "/open311/v2"


def open311_app():
    app = create_app()
    if not any(getattr(r, "path", "").startswith("/open311/") for r in app.routes):
        app.include_router(router)
    return app


@dataclass
class Client:
    """An Open311 client: GETs are public, POSTs send ``api_key`` in the form."""

    base: str
    key: str | None = None
    http: requests.Session = field(default_factory=requests.Session)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.http.get(self.base + V2 + path, params=params, timeout=TIMEOUT)

    def post(self, path: str, form: Any = None, **kwargs: Any) -> requests.Response:
        if isinstance(form, dict) and self.key is not None and "api_key" not in form:
            form = {"api_key": self.key, **form}
        return self.http.post(self.base + V2 + path, data=form, timeout=TIMEOUT, **kwargs)

    def file(self, **form: Any) -> str:
        """POST requests.json with a sensible default report; the new service_request_id."""
        body = {"service_code": "illegal_dumping", "address_string": "서구 봉오대로 1", "description": "쓰레기", **form}
        answer = self.post("/requests.json", body)
        assert answer.status_code == 200, answer.text
        return answer.json()[0]["service_request_id"]


def make_key(client: str = "test-client") -> str:
    with session_scope() as session:
        _, key = keys.create_key(session, client)
    return key


def errors_of(response: requests.Response, status: int) -> list[dict[str, Any]]:
    """The spec's error list, from XML or JSON, after checking status and shape."""
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    if response.headers["content-type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        found = [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]
    else:
        assert response.headers["content-type"].startswith("application/json")
        found = response.json()
    assert found and all(set(e) == {"code", "description"} and e["description"] for e in found), found
    assert found[0]["code"] == status
    return found


@pytest.fixture
def o311_base(core_db, monkeypatch) -> Iterator[str]:
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    monkeypatch.delenv("SOTONG_OPEN311_JURISDICTION", raising=False)
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_HOUR", "0")  # tests that need the limit set their own
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_DAY", "0")
    with serve(open311_app()) as base:
        yield base


@pytest.fixture
def client(o311_base) -> Client:
    return Client(o311_base, make_key())


@pytest.fixture
def resident() -> ResidentKey:
    return ResidentKey("kakao", "resident-" + uuid.uuid4().hex[:8])

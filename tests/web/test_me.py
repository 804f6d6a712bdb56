"""/api/me: this device, sign-out and linking — and every way of being someone else refused.

The real app on uvicorn (tests/web/conftest.py), on SQLite and PostgreSQL. The cookies
come from ``ensure_device`` as the page sets them (a test-only route calls it, so this
file does not depend on the page's templates) and are sent back as a browser on https
would: ``requests`` keeps Secure cookies away from http://127.0.0.1, so this client
keeps its own jar.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from fastapi import Request, Response
from sqlalchemy import select

from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.residents.links import issue_code
from sotong.residents.models import WebDevice
from tests.web.conftest import TIMEOUT, error_of, serve
from web.app import create_app
from web.resident_auth import COOKIE_MAX_AGE, CSRF_COOKIE, CSRF_HEADER, DEVICE_COOKIE, ensure_device

PAGE = "/__test/device"


def _app():
    app = create_app()

    @app.get(PAGE)
    def device(request: Request, response: Response) -> dict[str, Any]:
        return {"conversation_id": ensure_device(request, response).conversation_id}

    return app


class Browser:
    """Keeps cookies like a browser on https://<host> (Secure ones included)."""

    def __init__(self, base: str):
        self.base = base
        self.jar: dict[str, str] = {}
        self.set_cookies: list[str] = []
        self.http = requests.Session()

    def _remember(self, response: requests.Response) -> requests.Response:
        self.set_cookies = response.raw.headers.getlist("set-cookie")
        for line in self.set_cookies:
            name, _, value = line.split(";", 1)[0].partition("=")
            if "max-age=0" in line.lower() or value in ("", '""'):
                self.jar.pop(name, None)
            else:
                self.jar[name] = value
        return response

    def headers(self, extra: dict[str, Any] | None = None, csrf: bool = True) -> dict[str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.jar.items())} if self.jar else {}
        if csrf and CSRF_COOKIE in self.jar:
            headers[CSRF_HEADER] = self.jar[CSRF_COOKIE]
        headers.update(extra or {})
        return {k: v for k, v in headers.items() if v is not None}

    def open(self) -> str:
        return self.ok(self.get(PAGE))["conversation_id"]

    def get(self, path: str, **kw) -> requests.Response:
        return self._remember(
            self.http.get(self.base + path, headers=self.headers(kw.pop("headers", None), False), timeout=TIMEOUT, **kw)
        )

    def post(self, path: str, json: Any = None, *, headers=None, csrf: bool = True, **kw) -> requests.Response:
        sent = self.headers(headers, csrf)
        return self._remember(self.http.post(self.base + path, json=json, headers=sent, timeout=TIMEOUT, **kw))

    @staticmethod
    def ok(response: requests.Response) -> Any:
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def secret(monkeypatch) -> str:
    value = secrets.token_urlsafe(32)
    monkeypatch.setenv("SOTONG_SESSION_SECRET", value)
    return value


@pytest.fixture
def base(core_db, secret, monkeypatch) -> Iterator[str]:
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    with serve(_app()) as url:
        yield url


@pytest.fixture
def browser(base) -> Browser:
    b = Browser(base)
    b.open()
    return b


def _attrs(line: str) -> dict[str, str]:
    parts = [p.strip() for p in line.split(";")[1:]]
    return {k.lower(): v for k, _, v in (p.partition("=") for p in parts)}


# --- who you are -------------------------------------------------------------------------


def test_the_page_sets_a_hardened_device_cookie(base):
    b = Browser(base)
    b.open()
    lines = {line.split("=", 1)[0]: _attrs(line) for line in b.set_cookies}
    device, csrf = lines[DEVICE_COOKIE], lines[CSRF_COOKIE]
    assert {"httponly", "secure"} <= set(device) and device["samesite"].lower() == "lax"
    assert device["path"] == "/" and int(device["max-age"]) == COOKIE_MAX_AGE == 400 * 24 * 3600
    assert "secure" in csrf and "httponly" not in csrf  # the page's JS must read it
    assert b.jar[DEVICE_COOKIE].count(".") == 2


def test_me_shows_this_device(browser):
    body = browser.ok(browser.get("/api/me"))
    assert body["signed_in"] is True and body["device"]["created_at"]
    assert [c["channel"] for c in body["channels"]] == ["web"]
    token_parts = browser.jar[DEVICE_COOKIE].split(".")
    assert not any(part in str(body) for part in token_parts)  # neither key nor secret part echoed


def test_a_returning_browser_stays_the_same_resident(browser):
    first = browser.open()
    assert browser.open() == first
    assert not browser.set_cookies  # renewed at most daily, not on every view


def test_no_cookie_is_401(base):
    b = Browser(base)
    for response in (b.get("/api/me"), b.post("/api/me/signout"), b.post("/api/me/link-code")):
        assert error_of(response, 401)["code"] == "unauthorized"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),
        lambda t: t.split(".")[0] + "." + "A" * 43 + "." + t.split(".")[2],
        lambda t: "A" * 22 + t[22:],
        lambda t: t + "x",
        lambda t: "rest:someone",
    ],
)
def test_a_tampered_cookie_is_401(browser, mangle):
    browser.jar[DEVICE_COOKIE] = mangle(browser.jar[DEVICE_COOKIE])
    assert error_of(browser.get("/api/me"), 401)["code"] == "unauthorized"
    assert error_of(browser.post("/api/me/link-code"), 401)["code"] == "unauthorized"


def test_a_cookie_signed_with_another_secret_is_401(browser, monkeypatch):
    monkeypatch.setenv("SOTONG_SESSION_SECRET", secrets.token_urlsafe(32))
    assert error_of(browser.get("/api/me"), 401)["reason"] == "invalid"


def test_signout_revokes_the_token_and_clears_the_cookies(browser, core_db):
    old = dict(browser.jar)
    conversation = browser.open()
    assert browser.ok(browser.post("/api/me/signout")) == {"signed_out": True}
    cleared = {line.split("=", 1)[0] for line in browser.set_cookies if "max-age=0" in line.lower()}
    assert cleared == {DEVICE_COOKIE, CSRF_COOKIE} and not browser.jar
    browser.jar = old  # a copy of the cookie, replayed
    assert error_of(browser.get("/api/me"), 401)["reason"] == "revoked"
    assert error_of(browser.post("/api/me/link-code"), 401)["code"] == "unauthorized"
    assert browser.open() != conversation  # the page starts a fresh device instead
    assert browser.ok(browser.get("/api/me"))["signed_in"]


def test_a_stale_device_is_renewed_on_the_page_once_a_day(browser, core_db):
    with session_scope(core_db) as s:
        device = s.execute(select(WebDevice)).scalar_one()
        device.last_seen_at = device.last_seen_at - timedelta(days=2)
    conversation = browser.open()
    assert {line.split("=", 1)[0] for line in browser.set_cookies} == {DEVICE_COOKIE, CSRF_COOKIE}
    assert browser.open() == conversation


def test_without_a_secret_the_page_and_api_are_503(browser, monkeypatch):
    monkeypatch.delenv("SOTONG_SESSION_SECRET")
    assert error_of(browser.get("/api/me"), 503)["code"] == "web_disabled"
    assert error_of(browser.get(PAGE), 503)["code"] == "web_disabled"


# --- CSRF ----------------------------------------------------------------------------------


def test_writes_without_the_csrf_header_are_403(browser):
    assert error_of(browser.post("/api/me/link-code", csrf=False), 403)["code"] == "csrf_failed"


def test_a_mismatched_csrf_header_is_403(browser):
    response = browser.post("/api/me/link-code", headers={CSRF_HEADER: "A" * 43})
    assert error_of(response, 403)["code"] == "csrf_failed"


def test_a_chosen_csrf_pair_is_403(browser):
    browser.jar[CSRF_COOKIE] = "chosen"  # an attacker who can plant a cookie still cannot sign it
    response = browser.post("/api/me/link-code", headers={CSRF_HEADER: "chosen"})
    assert error_of(response, 403)["code"] == "csrf_failed"


def test_another_devices_csrf_token_is_403(browser, base):
    other = Browser(base)
    other.open()
    browser.jar[CSRF_COOKIE] = other.jar[CSRF_COOKIE]
    assert error_of(browser.post("/api/me/link-code"), 403)["code"] == "csrf_failed"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
    ],
)
def test_cross_origin_writes_are_403(browser, headers):
    assert error_of(browser.post("/api/me/signout", headers=headers), 403)["code"] == "csrf_failed"
    assert browser.ok(browser.get("/api/me"))  # and nothing happened


def test_same_origin_writes_pass(browser, base):
    host = base.split("://", 1)[1]
    assert browser.ok(browser.post("/api/me/link-code", headers={"Origin": f"https://{host}"}))


# --- linking -------------------------------------------------------------------------------


def _kakao_code(engine, who: ResidentKey, secret: str) -> str:
    from sotong.complaints.residents import get_or_create_resident

    with session_scope(engine) as s:
        resident = get_or_create_resident(s, who)
        return issue_code(s, resident.id, "kakao", secret)


def _file(engine, who: ResidentKey) -> str:
    with session_scope(engine) as s:
        return service.file_complaint(
            s,
            who,
            category="illegal_dumping",
            address="인천 서구 청라동 1-1",
            description="쓰레기",
            idempotency_key="k",
        ).complaint.receipt_no


def test_a_code_from_kakaotalk_links_this_device(browser, core_db, secret):
    kakao = ResidentKey("kakao", "user-" + secrets.token_hex(4))
    receipt = _file(core_db, kakao)
    body = browser.ok(browser.post("/api/me/link", {"code": _kakao_code(core_db, kakao, secret)}))
    assert body["linked"] is True and {c["channel"] for c in body["channels"]} == {"kakao", "web"}
    web = ResidentKey("web", browser.open().split(":", 1)[1])
    with session_scope(core_db) as s:
        assert [c.receipt_no for c in service.list_for_resident(s, web)] == [receipt]
    assert {c["channel"] for c in browser.ok(browser.get("/api/me"))["channels"]} == {"kakao", "web"}


def test_a_replayed_code_is_refused(browser, base, core_db, secret):
    code = _kakao_code(core_db, ResidentKey("kakao", "u-" + secrets.token_hex(4)), secret)
    browser.ok(browser.post("/api/me/link", {"code": code}))
    other = Browser(base)
    other.open()
    assert error_of(other.post("/api/me/link", {"code": code}), 400)["code"] == "link_code_invalid"
    assert [c["channel"] for c in other.ok(other.get("/api/me"))["channels"]] == ["web"]


def test_another_web_residents_code_is_refused(browser, base):
    code = browser.ok(browser.post("/api/me/link-code"))["code"]
    other = Browser(base)
    other.open()
    assert error_of(other.post("/api/me/link", {"code": code}), 400)["code"] == "link_code_invalid"


def test_link_code_is_six_digits_for_ten_minutes_and_not_cached(browser):
    response = browser.post("/api/me/link-code")
    body = browser.ok(response)
    assert len(body["code"]) == 6 and body["code"].isdigit() and body["expires_in"] == 600
    assert response.headers["cache-control"] == "no-store"


def test_five_wrong_tries_void_the_code(browser, base, core_db, secret):
    code = _kakao_code(core_db, ResidentKey("kakao", "u-" + secrets.token_hex(4)), secret)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(5):
        assert error_of(browser.post("/api/me/link", {"code": wrong}), 400)["code"] == "link_code_invalid"
    assert error_of(browser.post("/api/me/link", {"code": code}), 400)["code"] == "link_code_invalid"


def test_too_many_tries_from_one_device_are_429(browser):
    codes = [browser.post("/api/me/link", {"code": "000000"}).status_code for _ in range(11)]
    assert codes[:10] == [400] * 10 and codes[10] == 429


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"code": "12ab56"}, 400, "link_code_malformed"),
        ({"code": "1234567"}, 400, "link_code_malformed"),
        ({"code": ""}, 422, "invalid_input"),
        ({"code": ["123456"]}, 422, "invalid_input"),
        ({"code": "123456", "resident_id": 1}, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
        ({"code": "1" * 41}, 422, "invalid_input"),
    ],
)
def test_bad_link_bodies_get_a_clear_4xx(browser, body, status, code):
    assert error_of(browser.post("/api/me/link", body), status)["code"] == code


def test_malformed_json_is_400(browser):
    response = browser.post("/api/me/link", data="{not json", headers={"Content-Type": "application/json"})
    assert error_of(response, 400)["code"] == "malformed_json"


def test_an_oversized_body_is_413(browser):
    response = browser.post("/api/me/link", {"code": "1" * 100_000})
    assert error_of(response, 413)["code"] == "body_too_large"

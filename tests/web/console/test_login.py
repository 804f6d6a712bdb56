"""Signing in and out of the console over HTTP: wrong password, lockout, CSRF on the
sign-in form, session revocation, log out everywhere, and nothing reachable without a session."""

from __future__ import annotations

import pytest

from sotong.db import session_scope
from sotong.staff import accounts, audit, sessions
from tests.web.console.conftest import PASSWORD, ConsoleClient

PAGES = ["/console/", "/console/complaints", "/console/complaints/AAAA-BBBB", "/console/accounts"]
WRITES = [
    "/console/logout",
    "/console/logout-everywhere",
    "/console/complaints/AAAA-BBBB/advance",
    "/console/accounts",
    "/console/accounts/kim/disable",
]


@pytest.mark.parametrize("path", PAGES[1:])
def test_pages_need_a_session(client, accounts_made, path):
    response = client.get(path)
    assert response.status_code == 303 and response.headers["location"].startswith("/console/login?next=%2Fconsole")


@pytest.mark.parametrize("path", WRITES)
def test_writes_need_a_session(client, accounts_made, path):
    response = client.post(path, {"csrf_token": "x"})
    assert response.status_code == 401 and "로그인" in response.text and "Traceback" not in response.text


def test_sign_in_lands_on_the_queue_with_strict_headers(client, accounts_made):
    page = client.get("/console/login")
    assert page.status_code == 200 and 'for="username"' in page.text and 'lang="ko"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"] and "<script" not in page.text
    response = client.post(
        "/console/login",
        {
            "username": "kim",
            "password": PASSWORD,
            "login_token": client.hidden("login_token"),
            "next": "/console/complaints",
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/console/complaints"
    assert "sotong_staff" in client.cookies and "sotong_staff_login" not in client.cookies
    queue = client.get("/console/complaints")
    assert queue.status_code == 200 and "민원 목록" in queue.text and queue.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "/\\evil", "javascript:alert(1)"])
def test_next_never_leaves_the_console(client, accounts_made, next_url):
    client.get("/console/login")
    response = client.post(
        "/console/login",
        {"username": "kim", "password": PASSWORD, "login_token": client.hidden("login_token"), "next": next_url},
    )
    assert response.headers["location"] == "/console/"
    assert client.get("/console/").headers["location"] == "/console/complaints"  # an officer's first page


def test_wrong_password_and_unknown_name_look_the_same(client, accounts_made):
    wrong = client.login("kim", "not the password")
    unknown = client.login("nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert "아이디나 비밀번호가 맞지 않아요" in wrong.text and "아이디나 비밀번호가 맞지 않아요" in unknown.text
    assert "sotong_staff" not in client.cookies


def test_lockout_after_five_wrong_passwords(client, accounts_made, core_db):
    for _ in range(sessions.MAX_FAILURES):
        assert client.login("kim", "guess guess guess").status_code == 401
    locked = client.login("kim", PASSWORD)
    assert locked.status_code == 429 and "잠겼어요" in locked.text
    with session_scope(core_db) as s:
        logged = [e.action for e in audit.recent(s) if e.username == "kim"]
    assert logged.count("login_failed") == sessions.MAX_FAILURES and "login_refused" in logged


@pytest.mark.parametrize(
    "form, headers",
    [
        ({"login_token": "forged"}, {}),
        ({}, {}),
        (None, {"Origin": "https://evil.example"}),
    ],
)
def test_the_sign_in_form_needs_its_own_token_and_origin(client, accounts_made, form, headers):
    client.get("/console/login")
    data = {"username": "kim", "password": PASSWORD, "login_token": client.hidden("login_token")}
    if form is not None:
        data.pop("login_token")
        data.update(form)
    response = client.post("/console/login", data, headers=headers)
    assert response.status_code == 403 and "sotong_staff" not in client.cookies


def test_a_write_without_the_csrf_token_or_from_elsewhere_is_refused(client, accounts_made):
    client.signed_in("kim").get("/console/complaints")
    csrf = client.csrf
    for data, headers in (
        ({}, {}),
        ({"csrf_token": "forged"}, {}),
        ({"csrf_token": csrf}, {"Origin": "https://evil.example"}),
        ({"csrf_token": csrf}, {"Referer": "https://evil.example/page"}),
    ):
        response = client.post("/console/logout-everywhere", data, headers=headers)
        assert response.status_code == 403 and "다시 해 주세요" in response.text
    assert client.get("/console/complaints").status_code == 200  # still signed in: nothing happened


def test_logout_ends_the_session_and_a_replayed_cookie_is_refused(client, accounts_made):
    client.signed_in("kim").get("/console/complaints")
    stolen = dict(client.cookies)
    response = client.post("/console/logout", {"csrf_token": client.csrf})
    assert response.status_code == 303 and "sotong_staff" not in client.cookies
    replay = ConsoleClient(client.base, cookies=stolen)
    assert replay.get("/console/complaints").status_code == 303
    assert replay.post("/console/logout-everywhere", {"csrf_token": "x"}).status_code == 401


def test_log_out_everywhere_ends_every_browser(new_client, accounts_made):
    desk, phone = new_client().signed_in("kim"), new_client().signed_in("kim")
    phone.get("/console/complaints")
    response = phone.post("/console/logout-everywhere", {"csrf_token": phone.csrf})
    assert response.status_code == 303 and response.headers["location"] == "/console/login?bye=all"
    assert desk.get("/console/complaints").status_code == 303
    assert "모든 기기에서 로그아웃했어요" in phone.get("/console/login?bye=all").text


def test_disabling_an_account_ends_its_sessions(new_client, accounts_made, core_db):
    kim = new_client().signed_in("kim")
    with session_scope(core_db) as s:
        accounts.set_active(s, "kim", False)
    assert kim.get("/console/complaints").status_code == 303


@pytest.mark.parametrize(
    "username, password",
    [("k" * 5000, PASSWORD), ("kim", "p" * 5000), ("<script>alert(1)</script>", PASSWORD), ("kim\x00", PASSWORD)],
)
def test_hostile_sign_in_input_is_a_clear_4xx(client, accounts_made, username, password):
    client.get("/console/login")
    response = client.post(
        "/console/login", {"username": username, "password": password, "login_token": client.hidden("login_token")}
    )
    assert 400 <= response.status_code < 500 and "Traceback" not in response.text
    assert "<script>alert" not in response.text


def test_an_oversized_body_is_413(client, accounts_made):
    client.get("/console/login")
    response = client.post("/console/login", {"username": "kim", "password": "x" * 100_000, "login_token": "t"})
    assert response.status_code == 413

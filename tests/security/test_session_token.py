"""Signed web-chat session ids (sotong/session_token.py) and the web app endpoint issuing them."""

from __future__ import annotations

import pytest
import requests
from fastapi import FastAPI

from sotong.session_token import SessionTokenError, issue, verify
from tests.web.conftest import TIMEOUT, serve
from web.chat_session import router
from web.errors import install_error_handlers

SECRET = "a-session-secret-for-tests-0123"
NOW = 1_800_000_000


def reason(secret, token, max_age=3600, now=NOW) -> str:
    with pytest.raises(SessionTokenError) as refused:
        verify(secret, token, max_age, clock=lambda: now)
    return refused.value.reason


def test_a_token_round_trips_and_new_sessions_are_random():
    token = issue(SECRET, now=NOW)
    assert verify(SECRET, token.token, 3600, clock=lambda: NOW + 10) == token
    assert issue(SECRET).session_id != issue(SECRET).session_id
    assert len(token.session_id) >= 32


@pytest.mark.parametrize("token", [None, "", 5, {"a": 1}])
def test_no_token_is_missing(token):
    assert reason(SECRET, token) == "missing"


def test_unsigned_forged_or_foreign_tokens_are_invalid():
    good = issue(SECRET, now=NOW).token
    sid, ts, sig = good.split(".")
    assert reason(SECRET, "my-own-chosen-session-id") == "invalid"
    assert reason(SECRET, f"{sid}.{ts}.{sig[:-1]}{'A' if sig[-1] != 'A' else 'B'}") == "invalid"
    assert reason(SECRET, f"{sid}.{int(ts) + 1}.{sig}") == "invalid"  # time is signed too
    assert reason(SECRET, issue("another-secret-entirely-here", now=NOW).token) == "invalid"
    assert reason(None, good) == "invalid"  # no secret: nothing passes
    assert reason(SECRET, good + "x" * 10_000) == "invalid"


def test_old_or_future_tokens_are_expired():
    assert reason(SECRET, issue(SECRET, now=NOW - 3601).token) == "expired"
    assert reason(SECRET, issue(SECRET, now=NOW + 3600).token) == "expired"


@pytest.fixture
def chat_app(monkeypatch):
    monkeypatch.setenv("SOTONG_SESSION_SECRET", SECRET)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    with serve(app) as url:
        yield url + "/api/chat/session"


def test_the_web_app_issues_and_renews_signed_sessions(chat_app):
    first = requests.post(chat_app, timeout=TIMEOUT)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    issued = verify(SECRET, first.json()["session_id"], 3600)
    assert first.json()["renewed"] is False

    again = requests.post(chat_app, json={"session_id": first.json()["session_id"]}, timeout=TIMEOUT).json()
    assert again["renewed"] is True and verify(SECRET, again["session_id"], 3600).session_id == issued.session_id

    chosen = requests.post(chat_app, json={"session_id": "kakao:someone"}, timeout=TIMEOUT).json()
    assert chosen["renewed"] is False and not chosen["session_id"].startswith("kakao")


@pytest.mark.parametrize("body", [b"{not json", b"[1]", b"[" * 5000])
def test_a_bad_body_is_a_400(chat_app, body):
    resp = requests.post(chat_app, data=body, headers={"Content-Type": "application/json"}, timeout=TIMEOUT)
    assert resp.status_code == 400 and resp.json()["error"]["code"] in ("malformed_json", "invalid_input")


def test_without_a_secret_the_web_chat_is_closed(chat_app, monkeypatch):
    monkeypatch.delenv("SOTONG_SESSION_SECRET")
    resp = requests.post(chat_app, timeout=TIMEOUT)
    assert resp.status_code == 503 and resp.json()["error"]["code"] == "chat_disabled"

"""Failed sign-ins per client address over real HTTP: after 20 in 10 minutes the address
gets 429 in Korean — even with the right password — and the account's lockout counter is
not touched, so a guesser cannot lock an officer out; the officer signs in from another
address (127.0.0.2, also the loopback on Linux) meanwhile."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter

from sotong.db import session_scope
from sotong.staff import accounts, audit, sessions, throttle
from tests.web.console.conftest import PASSWORD, ConsoleClient


class FromAddress(HTTPAdapter):
    """Connections from another local source address: to the server, another client."""

    def __init__(self, host: str) -> None:
        self.host = host
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.host, 0)
        return super().init_poolmanager(*args, **kwargs)


def failed_logins(engine, username: str) -> tuple[int, object]:
    with session_scope(engine) as s:
        account = accounts.find_account(s, username)
        return account.failed_logins, account.locked_until


def test_a_guessing_address_is_stopped_before_the_account_locks(client, console_url, accounts_made, core_db):
    for i in range(throttle.DEFAULT_LIMIT):
        # Four at kim (one short of the lockout), the rest at names that do not exist.
        name = "kim" if i < sessions.MAX_FAILURES - 1 else f"guess{i}"
        assert client.login(name, "guess guess guess").status_code == 401
    assert failed_logins(core_db, "kim") == (sessions.MAX_FAILURES - 1, None)

    refused = client.login("kim", PASSWORD)  # the right password: still refused from here
    assert refused.status_code == 429 and "로그인에 너무 많이 실패했어요" in refused.text
    assert "10분 뒤에 다시 해 주세요" in refused.text and "계정은 잠기지 않았어요" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= throttle.WINDOW and "sotong_staff" not in client.cookies
    for _ in range(10):
        assert client.login("kim", "guess guess guess").status_code == 429
    assert failed_logins(core_db, "kim") == (sessions.MAX_FAILURES - 1, None)  # never locked by the guesser
    with session_scope(core_db) as s:
        throttled = [e for e in audit.recent(s, limit=500) if e.action == "login_throttled"]
    assert len(throttled) == 1 and throttled[0].ip == "127.0.0.1"

    elsewhere = ConsoleClient(console_url, http=requests.Session())
    elsewhere.http.mount("http://", FromAddress("127.0.0.2"))
    response = elsewhere.login("kim")
    assert response.status_code == 303 and "sotong_staff" in elsewhere.cookies
    assert elsewhere.get("/console/dashboard").status_code == 200


def test_the_limit_is_per_app_and_configurable(new_client, accounts_made, monkeypatch):
    monkeypatch.setenv(throttle.LIMIT_ENV, "2")  # read when the app makes its throttle
    client = new_client()
    assert client.login("nobody", "x" * 12).status_code == 401
    assert client.login("nobody", "x" * 12).status_code == 401
    assert client.login("kim", PASSWORD).status_code == 429


def test_a_throttled_form_still_needs_its_token(client, accounts_made, monkeypatch):
    monkeypatch.setenv(throttle.LIMIT_ENV, "1")
    client.login("nobody", "x" * 12)
    client.get("/console/login")
    forged = client.post("/console/login", {"username": "kim", "password": PASSWORD, "login_token": "forged"})
    assert forged.status_code == 403  # CSRF is checked first, whatever the count

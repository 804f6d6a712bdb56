"""GET / mints a device (and a resident) for a cookieless visitor — at most
SOTONG_WEB_NEW_DEVICES per client address in 10 minutes.

Over the limit the page still comes (429, no cookie, nothing written) saying why the chat
waits, so a resident behind a busy shared NAT still gets the phone number and the service
search; residents who already hold a cookie are never counted. Real app (uvicorn), real
database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select
from starlette.requests import Request

from sotong.db import session_scope
from sotong.residents.models import WebDevice
from tests.web.conftest import TIMEOUT, serve
from tests.web.resident_client import session_secret  # noqa: F401  (fixture)
from web.app import create_app
from web.resident_auth import DEVICE_COOKIE, client_network

LIMIT = 3


@pytest.fixture
def base(core_db, session_secret, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SOTONG_WEB_NEW_DEVICES", str(LIMIT))
    with serve(create_app()) as url:
        yield url


def devices(engine) -> int:
    with session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(WebDevice)).scalar_one()


def test_a_cookieless_flood_gets_the_page_but_no_more_devices(core_db, base):
    cookies = []
    for _ in range(LIMIT):
        page = requests.get(base + "/", timeout=TIMEOUT)
        assert page.status_code == 200
        cookies.append(page.cookies[DEVICE_COOKIE])
    assert devices(core_db) == LIMIT

    refused = requests.get(base + "/", timeout=TIMEOUT)
    assert refused.status_code == 429
    assert DEVICE_COOKIE not in refused.cookies and "set-cookie" not in refused.headers
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in refused.headers
    assert "새로 접속한 분이 많아" in refused.text and "빠른 메뉴" in refused.text  # the page, with its menu
    # A forged cookie is no way round it: it is a new device too.
    forged = requests.get(base + "/", headers={"Cookie": f"{DEVICE_COOKIE}=x.y.z"}, timeout=TIMEOUT)
    assert forged.status_code == 429
    assert devices(core_db) == LIMIT

    # A resident who already has a device is not counted, and public search still answers.
    back = requests.get(base + "/", headers={"Cookie": f"{DEVICE_COOKIE}={cookies[0]}"}, timeout=TIMEOUT)
    assert back.status_code == 200 and "새로 접속한 분이 많아" not in back.text
    assert requests.get(base + "/api/search", params={"q": "ㅇㄱ"}, timeout=TIMEOUT).status_code == 200
    assert devices(core_db) == LIMIT


def test_the_limit_must_be_a_positive_number(core_db, session_secret, monkeypatch):  # noqa: F811
    from web.settings import SettingsError

    monkeypatch.setenv("SOTONG_WEB_NEW_DEVICES", "0")
    with pytest.raises(SettingsError, match="SOTONG_WEB_NEW_DEVICES"):
        create_app()


def _request(host: str) -> Request:
    return Request({"type": "http", "method": "GET", "path": "/", "headers": [], "client": (host, 1234)})


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),  # one phone holds a whole /64
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("testclient", "testclient"),
    ],
)
def test_new_devices_are_counted_per_address_and_per_ipv6_64(host, key):
    assert client_network(_request(host)) == key

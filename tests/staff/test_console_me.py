"""내 계정 over real HTTP (the console under uvicorn, SQLite and PostgreSQL): change one's own
password, see and end one's own browsers, and the abuse cases (no session, CSRF missing or
forged or from another site, another officer's session id, hostile input)."""

from __future__ import annotations

import re

import requests

from sotong.db import session_scope
from sotong.staff import audit
from tests.staff.conftest import PASSWORD, make_account

NEW = "a brand new passphrase"


def change(client, old=PASSWORD, new=NEW, again=None, **extra):
    client.get("/console/me")
    fields = {"old_password": old, "new_password": new, "new_password_again": again or new}
    return client.post("/console/me/password", {"csrf_token": client.csrf, **fields}, **extra)


def session_ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'action="/console/me/sessions/(\d+)/end"', html)]


def test_change_own_password_keeps_this_browser_signs_out_the_other(core_db, new_client):
    make_account(core_db, "kim")
    desk, phone = new_client().signed_in("kim"), new_client().signed_in("kim")
    page = desk.get("/console/me")
    assert page.status_code == 200 and "내 계정" in page.text and len(session_ids(page.text)) == 2
    assert "(이 브라우저)" in page.text and "python-requests" in page.text  # the user agent, to tell them apart
    done = change(desk)
    assert done.status_code == 303 and done.headers["location"].startswith("/console/me?done=password")
    assert desk.get("/console/me").status_code == 200  # still signed in here
    assert len(session_ids(desk.last_html)) == 1
    assert phone.get("/console/me").status_code == 303  # the other browser is signed out
    assert new_client().login("kim", PASSWORD).status_code == 401
    assert new_client().login("kim", NEW).status_code == 303
    with session_scope(core_db) as s:
        assert "change_own_password" in [e.action for e in audit.recent(s)]


def test_wrong_old_password_mismatch_and_short_ones_are_400(core_db, new_client):
    make_account(core_db, "kim")
    kim = new_client().signed_in("kim")
    assert change(kim, old="not my password").status_code == 400 and "지금 비밀번호가 맞지 않아요" in kim.last_html
    assert change(kim, again="something else entirely").status_code == 400 and "서로 달라요" in kim.last_html
    assert change(kim, new="short").status_code == 400
    assert change(kim, new="가" * 5000).status_code in (400, 413, 422)
    assert change(kim, old="\x00" * 50).status_code == 400
    assert new_client().login("kim", PASSWORD).status_code == 303  # unchanged


def this_browser(html: str) -> int:
    found = re.search(r"\(이 브라우저\).*?sessions/(\d+)/end", html, re.S)
    assert found, "this browser is not marked"
    return int(found.group(1))


def test_end_one_of_my_browsers_but_never_another_officers(core_db, new_client):
    make_account(core_db, "kim")
    make_account(core_db, "lee")
    desk, phone, lee = new_client().signed_in("kim"), new_client().signed_in("kim"), new_client().signed_in("lee")
    lee_ids = session_ids(lee.get("/console/me").text)
    mine = session_ids(desk.get("/console/me").text)
    here = this_browser(desk.last_html)
    assert len(mine) == 2 and not set(lee_ids) & set(mine)
    refused = desk.post(f"/console/me/sessions/{lee_ids[0]}/end", {"csrf_token": desk.csrf})
    assert refused.status_code == 404 and lee.get("/console/me").status_code == 200
    for hostile in ("abc", "-1", "99999999999999", "1e3"):
        desk.get("/console/me")
        assert desk.post(f"/console/me/sessions/{hostile}/end", {"csrf_token": desk.csrf}).status_code == 404
    desk.get("/console/me")
    other = [i for i in mine if i != here][0]
    assert desk.post(f"/console/me/sessions/{other}/end", {"csrf_token": desk.csrf}).status_code == 303
    assert phone.get("/console/me").status_code == 303 and desk.get("/console/me").status_code == 200
    out = desk.post(f"/console/me/sessions/{here}/end", {"csrf_token": desk.csrf})  # this browser: signed out
    assert out.status_code == 303 and out.headers["location"].startswith("/console/login")
    assert desk.get("/console/me").status_code == 303


def test_no_session_and_csrf(core_db, new_client, console_url):
    make_account(core_db, "kim")
    assert requests.get(f"{console_url}/console/me", allow_redirects=False, timeout=10).status_code == 303
    answer = requests.post(f"{console_url}/console/me/password", data={"old_password": PASSWORD}, timeout=10)
    assert answer.status_code in (401, 403)
    kim = new_client().signed_in("kim")
    kim.get("/console/me")
    token = kim.csrf
    fields = {"old_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    assert kim.post("/console/me/password", fields).status_code == 403
    assert kim.post("/console/me/password", {**fields, "csrf_token": "forged"}).status_code == 403
    evil = {"Origin": "https://evil.example"}
    assert kim.post("/console/me/password", {**fields, "csrf_token": token}, headers=evil).status_code == 403
    ids = session_ids(kim.get("/console/me").text)
    assert kim.post(f"/console/me/sessions/{ids[0]}/end", {}).status_code == 403
    assert new_client().login("kim", PASSWORD).status_code == 303  # nothing changed

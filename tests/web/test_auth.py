"""The staff API opens only for a per-officer API token; the old shared token and the
X-Staff-Name header count for nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.web.conftest import STAFF_NAME, TIMEOUT, Staff, error_of, serve
from web.app import create_app

ROOT = str(Path(__file__).resolve().parents[2])


def test_healthz_needs_no_token(no_token, web):
    response = requests.get(web + "/healthz", timeout=TIMEOUT)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_the_old_shared_token_opens_nothing(core_db, monkeypatch, web):
    monkeypatch.setenv("SOTONG_STAFF_TOKEN", "the-old-shared-token-of-32-chars!")
    client = Staff(web, "the-old-shared-token-of-32-chars!")
    error = error_of(client.get("/api/staff/complaints"), 401)
    assert error["code"] == "unauthorized"
    error = error_of(client.post("/api/staff/complaints/ABCD-2345/advance", {"status": "completed"}), 401)
    assert error["code"] == "unauthorized"


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no header
        "Bearer",  # no token
        "Bearer wrong-token",
        "Basic {token}",  # right token, wrong scheme
        "{token}",  # no scheme
        "Bearer {token}x",  # one character more
        "Bearer 토큰",  # non-ASCII must not crash the lookup
        "Bearer sotong_" + "A" * 43,  # the right shape, never issued
    ],
)
def test_a_missing_or_wrong_token_is_401(token, web, authorization):
    headers = {"Authorization": authorization.format(token=token).encode() if authorization else None}
    client = Staff(web, None)
    for response in (
        client.get("/api/staff/complaints", headers=headers),
        client.get("/api/staff/notifications", headers=headers),
        client.post("/api/staff/complaints/ABCD-2345/advance", {"status": "completed"}, headers=headers),
    ):
        error = error_of(response, 401)
        assert error["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_token_is_checked_before_anything_else(token, web):
    """A stranger learns nothing about bodies, headers or receipts."""
    client = Staff(web, "wrong")
    client.name = None
    response = client.http.post(
        web + "/api/staff/complaints/ZZZZ-ZZZZ/advance", data=b"{not json", headers=client.headers(), timeout=TIMEOUT
    )
    assert error_of(response, 401)["code"] == "unauthorized"


def test_a_revoked_token_or_a_disabled_account_stops_at_once(core_db, token, web):
    from sotong.db import session_scope
    from sotong.staff import accounts, tokens

    client = Staff(web, token)
    assert client.get("/api/staff/complaints").status_code == 200
    with session_scope(core_db) as s:
        accounts.set_active(s, STAFF_NAME, False)
    assert error_of(client.get("/api/staff/complaints"), 401)["code"] == "unauthorized"
    with session_scope(core_db) as s:
        accounts.set_active(s, STAFF_NAME, True)
    assert client.get("/api/staff/complaints").status_code == 200
    with session_scope(core_db) as s:
        (issued,) = tokens.list_tokens(s, STAFF_NAME)
        tokens.revoke(s, issued.id)
    assert error_of(client.get("/api/staff/complaints"), 401)["code"] == "unauthorized"


def _officer_token(engine, username: str, department: str, role: str = "officer") -> str:
    import secrets

    from sotong.db import session_scope
    from sotong.staff import accounts, tokens

    with session_scope(engine) as s:
        accounts.create_account(s, username, secrets.token_urlsafe(16), role=role, department=department)
        return tokens.issue(s, username, "tests").token


def test_an_officer_token_acts_as_that_officer_within_their_department(core_db, web, resident):
    from sotong.deadlines import now_utc
    from tests.core.helpers import file

    mine, theirs = file(core_db, resident, now_utc()), file(core_db, resident, now_utc(), category="illegal_parking")
    lee = Staff(web, _officer_token(core_db, "lee", "cleaning"), name="someone-else")
    assert [c["receipt_no"] for c in lee.ok(lee.get("/api/staff/complaints"))] == [mine]
    answer = lee.ok(lee.post(f"/api/staff/complaints/{mine}/assign", {}))
    assert answer["timeline"][-1]["actor"] == "staff:lee"  # the token's account, not X-Staff-Name
    for response in (
        lee.get(f"/api/staff/complaints/{theirs}"),
        lee.post(f"/api/staff/complaints/{theirs}/assign", {}),
        lee.get("/api/staff/notifications", params={"receipt_no": theirs}),
    ):
        assert error_of(response, 404)["code"] == "complaint_not_found"
    assert error_of(lee.get("/api/staff/notifications"), 403)["code"] == "forbidden"
    assert lee.ok(lee.get("/api/staff/notifications", params={"receipt_no": mine}))
    trainer = Staff(web, _officer_token(core_db, "teacher", "cleaning", role="trainer"))
    assert error_of(trainer.get("/api/staff/complaints"), 403)["code"] == "forbidden"


def test_the_right_token_opens_the_api(staff):
    assert staff.ok(staff.get("/api/staff/complaints")) == []
    assert staff.get("/api/staff/complaints").headers["Cache-Control"] == "no-store"


def test_unknown_paths_and_methods_answer_in_the_error_shape(token, web):
    client = Staff(web, token)
    assert error_of(client.get("/api/staff/nothing-here"), 404)["code"] == "not_found"
    assert error_of(client.get("/nothing"), 404)["code"] == "not_found"
    response = client.http.delete(web + "/api/staff/complaints", headers=client.headers(), timeout=TIMEOUT)
    assert error_of(response, 405)["code"] == "method_not_allowed"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_dash_m_web_serves_on_the_configured_port(tmp_path):
    """The command the run script uses, as a real process."""
    port = _free_port()
    env = dict(
        os.environ, SOTONG_WEB_HOST="127.0.0.1", SOTONG_WEB_PORT=str(port), SOTONG_STAFF_TOKEN="", PYTHONPATH=ROOT
    )
    log = open(tmp_path / "web.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "web"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, (tmp_path / "web.log").read_text()
                assert time.monotonic() < deadline, "python -m web did not start"
                time.sleep(0.1)
        assert response.json() == {"status": "ok"}
        assert requests.get(f"http://127.0.0.1:{port}/api/staff/complaints", timeout=TIMEOUT).status_code == 401
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()


def test_python_dash_m_web_refuses_a_bad_port():
    env = dict(os.environ, SOTONG_WEB_PORT="eighty", PYTHONPATH=ROOT)
    done = subprocess.run([sys.executable, "-m", "web"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "SOTONG_WEB_PORT" in done.stderr and "Traceback" not in done.stderr


def test_create_app_reads_the_body_limit_when_created(monkeypatch, token):
    monkeypatch.setenv("SOTONG_WEB_MAX_BODY", "2048")
    with serve(create_app()) as base:
        response = Staff(base, token).post(
            "/api/staff/complaints/ABCD-2345/advance", {"status": "completed", "note": "x" * 3000}
        )
    assert error_of(response, 413)["code"] == "body_too_large"


def test_every_api_read_and_write_is_in_the_audit_log(core_db, staff, resident):
    from sotong.db import session_scope
    from sotong.deadlines import now_utc
    from sotong.staff import audit
    from tests.core.helpers import file

    receipt = file(core_db, resident, now_utc())
    staff.ok(staff.get("/api/staff/complaints"))
    staff.ok(staff.get(f"/api/staff/complaints/{receipt}"))
    staff.ok(staff.post(f"/api/staff/complaints/{receipt}/assign", {}))
    staff.ok(staff.get("/api/staff/notifications", params={"receipt_no": receipt}))
    with session_scope(core_db) as s:
        logged = [(e.username, e.action, e.target) for e in reversed(audit.recent(s)) if e.action.startswith("api_")]
    assert logged == [
        (STAFF_NAME, "api_list_complaints", None),
        (STAFF_NAME, "api_view_complaint", receipt),
        (STAFF_NAME, "api_assign", receipt),
        (STAFF_NAME, "api_list_notifications", receipt),
    ]

"""The staff API is closed unless a token is configured, and opens only for that token."""

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

from tests.web.conftest import TIMEOUT, Staff, error_of, serve
from web.app import create_app

ROOT = str(Path(__file__).resolve().parents[2])


def test_healthz_needs_no_token(no_token, web):
    response = requests.get(web + "/healthz", timeout=TIMEOUT)
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("value", [None, "", "   "])
def test_without_a_configured_token_the_staff_api_is_closed(monkeypatch, web, value):
    if value is None:
        monkeypatch.delenv("SOTONG_STAFF_TOKEN", raising=False)
    else:
        monkeypatch.setenv("SOTONG_STAFF_TOKEN", value)
    for token in (None, "", "anything"):
        client = Staff(web, token)
        error = error_of(client.get("/api/staff/complaints"), 503)
        assert error["code"] == "staff_api_disabled" and "SOTONG_STAFF_TOKEN" in error["message"]
        error = error_of(client.post("/api/staff/complaints/ABCD-2345/advance", {"status": "completed"}), 503)
        assert error["code"] == "staff_api_disabled"


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # no header
        "Bearer",  # no token
        "Bearer wrong-token",
        "Basic {token}",  # right token, wrong scheme
        "{token}",  # no scheme
        "Bearer {token}x",  # one character more
        "Bearer 토큰",  # non-ASCII must not crash the comparison
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


def test_the_token_is_read_on_every_request(core_db, token, web, monkeypatch):
    client = Staff(web, token)
    assert client.get("/api/staff/complaints").status_code == 200
    monkeypatch.setenv("SOTONG_STAFF_TOKEN", "rotated-" + token)
    assert error_of(client.get("/api/staff/complaints"), 401)["code"] == "unauthorized"
    client.token = "rotated-" + token
    assert client.get("/api/staff/complaints").status_code == 200


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
        assert requests.get(f"http://127.0.0.1:{port}/api/staff/complaints", timeout=TIMEOUT).status_code == 503
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
        log.close()
    assert "SOTONG_STAFF_TOKEN is not set" in (tmp_path / "web.log").read_text()


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

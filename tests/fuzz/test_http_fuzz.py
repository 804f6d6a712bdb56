"""Fuzz the HTTP APIs from their OpenAPI schema with schemathesis, in process (ASGI), on SQLite.

The product serves no schema (``openapi_url=None``); tests/fuzz/schema.py builds it from the app's
routes (``app.openapi()``, and ``get_openapi`` over the console's form routes, which the product
keeps out of its schema) and fills in what handlers read by hand (staff JSON bodies, the Open311
form and filters, the console's ``csrf_token``), so requests reach the handlers' insides.

Every answer must be below 500 and carry no traceback text. The one 5xx by design is the chat
relay to Rasa (POST /api/chat/message, GET /api/chat/history): the chat is configured but Rasa
is pointed at a closed port, so there 503 is accepted only with the documented
``chat_unavailable`` error body (any other 5xx there is still a finding). The two SSE streams
(/api/me/events, /api/me/handoff/events) take no input but the cookie and never end: left out.

Requests carry real credentials: a per-officer token (sotong.staff), a resident's device
cookie with the CSRF header, a console session cookie (its CSRF token in the forms), an Open311
API key in the form. Each operation is fuzzed three ways: valid requests with real ids, keys and
tokens; schema-breaking ones (negative mode); valid shapes with free text where real values were.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from sotong.db import session_scope
from tests.fuzz.schema import CONSOLE_TARGET, fuzz_schema
from tests.web.conftest import token  # noqa: F401  (fixture: a per-officer API token)
from tests.web.resident_client import new_device, session_secret  # noqa: F401  (fixture)
from web.app import create_app

# Valid examples per operation, plus half as many schema-breaking and half as many free-text ones:
# at 30 the file runs in ~25 s on a loaded 2-core box (120 was tried once: ~85 s, nothing found).
MAX_EXAMPLES = int(os.environ.get("SOTONG_FUZZ_EXAMPLES", "30"))
CHAT_RELAY = {("POST", "/api/chat/message"), ("GET", "/api/chat/history")}
TRACEBACK_MARKS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg2.")
AREAS = {"open311": "/open311/", "staff": "/api/staff/", "resident": "/api/", "console": "/console/"}
# Fuzzed last: they end the session the other console requests ride on.
SIGN_OUTS = {"/api/me/signout": 1, "/console/logout-everywhere": 1, "/console/logout": 2}

CONSOLE_ADMIN, CONSOLE_PASSWORD = "fuzz-admin", "correct horse battery"

# SQLite only: the fuzzing is about the HTTP layer; the PostgreSQL paths have their own API tests.
SQLITE_ONLY = pytest.mark.parametrize("core_database_url", ["sqlite"], indirect=True)


def file(engine, device, category: str) -> str:
    """A complaint of the device's resident, filed through the core; its receipt number."""
    from sotong.complaints import service

    with session_scope(engine) as s:
        filed = service.file_complaint(
            s,
            service.ResidentKey("web", device.public_key),
            category=category,
            address="인천 서구 청라동 1-1",
            description="소화전 앞에 트럭이 서 있어요",
            idempotency_key=uuid.uuid4().hex,
        )
    return filed.complaint.receipt_no


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def problems(method: str, path: str, status: int, text: str) -> list[str]:
    found = [f"traceback text ({mark!r})" for mark in TRACEBACK_MARKS if mark in text]
    if (method, path) in CHAT_RELAY and status == 503:
        if '"code":"chat_unavailable"' not in text.replace(" ", ""):
            found.append(f"503 without the documented error body: {text[:200]}")
    elif status >= 500:
        found.append(f"status {status}: {text[:200]}")
    return found


@pytest.fixture
def fuzz_env(core_db, token, session_secret, monkeypatch):  # noqa: F811
    """The app on a seeded SQLite database, with real credentials and complaints to point at."""
    from sotong.open311 import keys
    from sotong.staff import accounts, sessions
    from web.console.pages import SESSION_COOKIE

    # PBKDF2 at a low cost, as tests/web/console does: argon2 per created account would dominate the run.
    monkeypatch.setenv("SOTONG_PASSWORD_HASHER", "pbkdf2")
    monkeypatch.setattr("sotong.staff.passwords.Pbkdf2Hasher.__init__.__defaults__", (1000,))

    monkeypatch.setenv("SOTONG_RASA_URL", f"http://127.0.0.1:{_closed_port()}")
    monkeypatch.setenv("SOTONG_WEB_CHANNEL_SECRET", "fuzz-channel-secret")
    monkeypatch.setenv("SOTONG_RASA_TOKEN", "fuzz-rasa-token")
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    app = create_app()
    device = new_device(core_db, "http://testserver", session_secret)
    receipts = [file(core_db, device, "illegal_parking"), file(core_db, device, "illegal_dumping")]
    with session_scope(core_db) as s:
        _, api_key = keys.create_key(s, "fuzz-client")
        accounts.create_account(s, CONSOLE_ADMIN, CONSOLE_PASSWORD, role="admin")
        accounts.create_account(s, CONSOLE_TARGET, CONSOLE_PASSWORD, role="officer", department="cleaning")
        signed = sessions.login(s, CONSOLE_ADMIN, CONSOLE_PASSWORD)
    client = schemathesis.python.asgi.get_client(app)
    services = client.get("/open311/v2/services.json").json()
    codes = [s["service_code"] for s in services]
    return {
        "app": app,
        "schemas": [
            fuzz_schema(app, receipts=receipts, codes=codes, api_key=api_key, csrf=signed.csrf_token, pinned=pinned)
            for pinned in (True, False)
        ],
        "headers": {
            "staff": {"Authorization": f"Bearer {token}"},
            "resident": device.headers(),
            "open311": {},
            "console": {"Cookie": f"{SESSION_COOKIE}={signed.token}"},
        },
    }


def _operations(raw: dict[str, Any], app, area: str) -> dict[tuple[str, str], Any]:
    """The area's operations by (method, path); signing out comes last (it revokes the cookie)."""
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    prefix = AREAS[area]
    found = {}
    for result in schema.get_all_operations():
        op = result.ok()
        if op.path.startswith(prefix) and not (area == "resident" and op.path.startswith("/api/staff/")):
            found[(op.method.upper(), op.path)] = op
    return dict(sorted(found.items(), key=lambda item: (SIGN_OUTS.get(item[0][1], 0), item[0])))


@SQLITE_ONLY
@pytest.mark.parametrize("area", list(AREAS))
def test_no_5xx_and_no_traceback(fuzz_env, area, record_property):
    app, headers = fuzz_env["app"], fuzz_env["headers"][area]
    prefix = AREAS[area]
    pinned, free = (_operations(raw, app, area) for raw in fuzz_env["schemas"])
    assert pinned, f"no operations under {prefix}"
    findings: list[str] = []
    calls = 0
    statuses: Counter[str] = Counter()
    started = time.monotonic()

    def fuzz(strategy, examples: int) -> None:
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,  # the same inputs every run: a finding reproduces
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def run(case):
            nonlocal calls
            calls += 1
            response = case.call(headers=dict(headers), timeout=10, allow_redirects=False)
            text = response.content.decode("utf-8", "replace")
            method, path = case.method.upper(), case.operation.path
            statuses[f"{method} {path} {response.status_code}"] += 1
            for problem in problems(method, path, response.status_code, text):
                findings.append(f"{method} {path}: {problem}\n    {case.as_curl_command()}")

        try:
            run()
        except Unsatisfiable:
            pass  # negative mode on an operation without inputs: nothing to break

    for key, operation in pinned.items():
        # Valid requests with real ids and credentials (the handlers' insides), then requests that
        # break the schema (negative mode), then free text where the real values were pinned.
        fuzz(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), MAX_EXAMPLES)
        fuzz(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), max(1, MAX_EXAMPLES // 2))
        fuzz(free[key].as_strategy(generation_mode=GenerationMode.POSITIVE), max(1, MAX_EXAMPLES // 2))

    elapsed = time.monotonic() - started
    record_property("fuzz", f"{area}: {len(pinned)} operations, {calls} requests, {elapsed:.1f}s")
    print(f"\nfuzz {area}: {len(pinned)} operations, {calls} requests in {elapsed:.1f}s")
    for line, count in sorted(statuses.items()):
        print(f"  {count:4d}  {line}")
    assert not findings, "\n".join(dict.fromkeys(findings))


def test_the_check_itself():
    """The oracle: a 500 or a traceback is a finding; the relay's documented 503 is not."""
    assert problems("GET", "/api/me", 500, '{"error":{"code":"internal"}}')
    assert problems("GET", "/api/me", 200, 'Traceback (most recent call last):\n  File "/x.py"')
    assert not problems("POST", "/api/chat/message", 503, '{"error":{"code":"chat_unavailable","message":"x"}}')
    assert problems("POST", "/api/chat/message", 503, '{"error":{"code":"chat_disabled","message":"x"}}')
    assert problems("POST", "/api/me/link", 503, '{"error":{"code":"chat_unavailable","message":"x"}}')

"""Live handoff in the console over HTTP: queue, claim, write, hand back, and the abuse cases
(CSRF, another department, a claim race where one officer wins and the other gets 409).

Rasa's HTTP API is played by a small real HTTP server that records the events posted to
a tracker (the whole path through a real Rasa is tests/e2e/test_handoff.py)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.staff import audit
from tests.web.conftest import serve
from tests.web.console.conftest import build_app, make_account
from web.console.handoff import router as handoff_router

CONVERSATION = "web:resident-key-0001"


@pytest.fixture
def console_url(core_db, monkeypatch):
    """The console with the handoff pages, as web/console/__init__.py will have them."""
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    app = build_app()
    if not any(getattr(r, "path", "").startswith("/console/handoff") for r in app.routes):
        app.include_router(handoff_router)
    with serve(app) as base:
        yield base


@pytest.fixture
def rasa(monkeypatch):
    """Records POST /conversations/<id>/tracker/events; GET …/tracker answers what was posted."""
    posted: list[tuple[str, list]] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _reply(self, status: int, body: dict) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self):
            if self.headers.get("Authorization") != "Bearer rasa-token":
                return self._reply(401, {})
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            posted.append((self.path, body))
            self._reply(200, {})

        def do_GET(self):
            events = [{"event": "user", "text": "사람이랑 얘기할래요 010-9876-5432", "timestamp": 1}]
            events += [e for _, batch in posted for e in batch]
            self._reply(200, {"events": events})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SOTONG_RASA_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("SOTONG_RASA_TOKEN", "rasa-token")
    yield posted
    server.shutdown()


@pytest.fixture
def officers(core_db):
    make_account(core_db, "kim", department="civil")
    make_account(core_db, "lee", department="civil")
    make_account(core_db, "park", department="traffic")


def waiting_request(engine, callback=False) -> int:
    with session_scope(engine) as s:
        return queue.open_request(
            s,
            conversation_id=CONVERSATION,
            channel="web",
            resident_ref="resident-key-0001",
            department_code="civil",
            summary="> 사람이랑 얘기할래요",
            callback=callback,
        ).id


def post(client, path, **fields):
    return client.post(path, {"csrf_token": client.csrf, **fields})


def test_claim_write_and_hand_back(core_db, officers, rasa, new_client):
    rid = waiting_request(core_db)
    kim = new_client().signed_in("kim")
    queue_page = kim.get("/console/handoff")
    assert queue_page.status_code == 200 and f"/console/handoff/{rid}" in queue_page.text
    page = kim.get(f"/console/handoff/{rid}")
    assert page.status_code == 200 and "010-****-5432" in page.text and "9876" not in page.text
    assert post(kim, f"/console/handoff/{rid}/claim").status_code == 303
    kim.get(f"/console/handoff/{rid}")
    answer = post(kim, f"/console/handoff/{rid}/say", text="안녕하세요, 민원여권과 김주무관이에요.")
    assert answer.status_code == 303 and answer.headers["location"] == f"/console/handoff/{rid}?done=say"
    assert "김주무관" in kim.get(f"/console/handoff/{rid}").text  # in the transcript
    assert post(kim, f"/console/handoff/{rid}/close").status_code == 303
    events = [e for _, batch in rasa for e in batch]
    assert [e["event"] for e in events] == ["pause", "bot", "resume", "action"]
    assert events[1]["data"]["custom"]["kind"] == "officer"
    assert {unquote(path) for path, _ in rasa} == {f"/conversations/{CONVERSATION}/tracker/events"}
    with session_scope(core_db) as s:
        logged = {e.action for e in audit.recent(s, target=f"handoff:{rid}")}
        assert queue.current(s, CONVERSATION) is None
    assert {"handoff.view", "handoff.claim", "handoff.say", "handoff.close"} <= logged


def test_two_officers_claim_one_wins_the_other_gets_409(core_db, officers, rasa, new_client):
    rid = waiting_request(core_db)
    kim, lee = new_client().signed_in("kim"), new_client().signed_in("lee")
    kim.get(f"/console/handoff/{rid}")
    lee.get(f"/console/handoff/{rid}")
    kim_token, lee_token = kim.csrf, lee.csrf
    results: dict[str, int] = {}
    barrier = threading.Barrier(2)

    def claim(name, client, token):
        barrier.wait()
        results[name] = client.post(f"/console/handoff/{rid}/claim", {"csrf_token": token}).status_code

    threads = [
        threading.Thread(target=claim, args=("kim", kim, kim_token)),
        threading.Thread(target=claim, args=("lee", lee, lee_token)),
    ]
    [t.start() for t in threads]
    [t.join(20) for t in threads]
    assert sorted(results.values()) == [303, 409]
    loser = lee if results["lee"] == 409 else kim
    assert "이미 맡은 상담" in loser.last_html
    assert post(loser, f"/console/handoff/{rid}/say", text="끼어들기").status_code == 409
    assert [e["event"] for _, batch in rasa for e in batch] == ["pause"]


def test_csrf_other_department_and_hostile_ids(core_db, officers, rasa, new_client):
    rid = waiting_request(core_db)
    kim, park = new_client().signed_in("kim"), new_client().signed_in("park")
    kim.get(f"/console/handoff/{rid}")
    token = kim.csrf
    assert kim.post(f"/console/handoff/{rid}/claim", {}).status_code == 403  # no token
    assert kim.post(f"/console/handoff/{rid}/claim", {"csrf_token": "forged"}).status_code == 403
    other_site = {"Origin": "https://evil.example"}
    assert kim.post(f"/console/handoff/{rid}/claim", {"csrf_token": token}, headers=other_site).status_code == 403
    # another department's officer: not found, in the list and by id
    assert f"/console/handoff/{rid}" not in park.get("/console/handoff").text
    assert park.get(f"/console/handoff/{rid}").status_code == 404
    park.get("/console/handoff")
    assert post(park, f"/console/handoff/{rid}/claim").status_code == 404
    for path in ("/console/handoff/abc", "/console/handoff/99999999", "/console/handoff/-1", "/console/handoff/1e9"):
        assert kim.get(path).status_code == 404
    assert post(kim, f"/console/handoff/{rid}/explode").status_code == 404
    assert rasa == []  # nothing refused reached Rasa
    with session_scope(core_db) as s:
        assert queue.current(s, CONVERSATION).state == "waiting"


def test_empty_or_oversized_lines_and_signed_out(core_db, officers, rasa, new_client, console_url):
    import requests

    rid = waiting_request(core_db)
    kim = new_client().signed_in("kim")
    kim.get(f"/console/handoff/{rid}")
    post(kim, f"/console/handoff/{rid}/claim")
    kim.get(f"/console/handoff/{rid}")
    assert post(kim, f"/console/handoff/{rid}/say", text="   ").status_code == 400
    assert post(kim, f"/console/handoff/{rid}/say", text="가" * 1001).status_code in (400, 413, 422)
    assert requests.get(f"{console_url}/console/handoff", allow_redirects=False, timeout=10).status_code == 303
    assert requests.post(f"{console_url}/console/handoff/{rid}/close", timeout=10).status_code in (401, 403)


def test_rasa_down_keeps_the_line_and_says_so(core_db, officers, monkeypatch, new_client):
    monkeypatch.setenv("SOTONG_RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SOTONG_RASA_TOKEN", "rasa-token")
    rid = waiting_request(core_db, callback=True)
    kim = new_client().signed_in("kim")
    kim.get(f"/console/handoff/{rid}")
    assert post(kim, f"/console/handoff/{rid}/claim").status_code == 502
    assert "챗봇 서버에 전하지 못했어요" in kim.last_html
    assert post(kim, f"/console/handoff/{rid}/say", text="내일 다시 연락드릴게요").status_code == 502
    with session_scope(core_db) as s:
        assert [m.text for m in queue.pending_for(s, CONVERSATION)] == ["내일 다시 연락드릴게요"]

"""The handoff pages' feeds and the sweep's Rasa side, over real HTTP (SQLite and PostgreSQL).

- GET /console/handoff/feed and /console/handoff/{id}/feed: what the pages poll to refresh
  themselves; session, role and department scope as the pages; polls audited at most every
  10 minutes per officer.
- web.console.handoff_sweep.run_once: at closing a waiting request becomes a callback ticket
  and the bot is resumed in Rasa with the notice (Rasa's HTTP API played by the small real
  server of tests/web/console/test_handoff.py).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import requests

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.office_hours import KST
from sotong.staff import audit
from tests.web.console.conftest import cheap_hashes, make_account, new_client  # noqa: F401  (fixtures)
from tests.web.console.test_handoff import (  # noqa: F401  (fixtures)
    CONVERSATION,
    console_url,
    officers,
    post,
    rasa,
    waiting_request,
)
from web.console import handoff_sweep

CLOSING = datetime(2026, 12, 1, 18, 30, tzinfo=KST)  # a Tuesday, after 18:00


def test_queue_feed_shows_new_requests_in_scope(core_db, officers, new_client, console_url):  # noqa: F811
    make_account(core_db, "teacher", role="trainer", department="civil")
    kim, park = new_client().signed_in("kim"), new_client().signed_in("park")
    empty = kim.get("/console/handoff/feed")
    assert empty.status_code == 200 and empty.json() == {"rows": []}
    assert empty.headers["content-type"].startswith("application/json")
    assert empty.headers["cache-control"] == "no-store"
    rid = waiting_request(core_db)
    rows = kim.get("/console/handoff/feed").json()["rows"]
    assert [(r["id"], r["state"], r["callback"], r["mine"]) for r in rows] == [(rid, "waiting", False, False)]
    assert "summary" not in rows[0] and "conversation_id" not in rows[0]  # the list shows no conversation
    assert park.get("/console/handoff/feed").json() == {"rows": []}  # another department's
    assert new_client().signed_in("teacher").get("/console/handoff/feed").status_code == 403
    assert requests.get(f"{console_url}/console/handoff/feed", allow_redirects=False, timeout=10).status_code == 303
    # the queue page loads the script that polls it, from our own origin
    page = kim.get("/console/handoff").text
    assert 'src="/static/console/handoff-live.js?v=' in page and 'data-feed="/console/handoff/feed"' in page


def test_conversation_feed_lines_scope_and_audit(core_db, officers, rasa, new_client):  # noqa: F811
    rid = waiting_request(core_db)
    kim, park = new_client().signed_in("kim"), new_client().signed_in("park")
    kim.get(f"/console/handoff/{rid}")
    assert post(kim, f"/console/handoff/{rid}/claim").status_code == 303
    kim.get(f"/console/handoff/{rid}")
    assert post(kim, f"/console/handoff/{rid}/say", text="확인해 볼게요").status_code == 303
    for _ in range(3):
        feed = kim.get(f"/console/handoff/{rid}/feed")
    body = feed.json()
    assert feed.status_code == 200 and body["state"] == "claimed" and body["mine"] is True
    said = [(t["who"], t["text"]) for t in body["transcript"] if t["who"] != "system"]
    assert said[0] == ("resident", "사람이랑 얘기할래요 010-****-5432")  # phones masked
    assert ("officer", "확인해 볼게요") in said
    assert [(m["sender"], m["text"]) for m in body["lines"]] == [("officer", "확인해 볼게요")]
    lee = new_client().signed_in("lee")  # polls without having opened the page here
    for _ in range(3):
        assert lee.get(f"/console/handoff/{rid}/feed").json()["mine"] is False
    with session_scope(core_db) as s:
        views = [(e.username, e.detail) for e in audit.recent(s, target=f"handoff:{rid}") if e.action == "handoff.view"]
    assert views.count(("lee", "live page")) == 1  # three polls, one audit line
    assert ("kim", "live page") not in views  # kim's opened page is audited already (within 10 minutes)
    assert park.get(f"/console/handoff/{rid}/feed").status_code == 404
    for hostile in ("abc", "-1", "9" * 20, "1e3", "%2e%2e"):
        assert kim.get(f"/console/handoff/{hostile}/feed").status_code == 404


def test_at_closing_the_sweep_tickets_resumes_the_bot_and_tells_the_resident_once(core_db, rasa, monkeypatch):  # noqa: F811
    rid = waiting_request(core_db)
    done = asyncio.run(handoff_sweep.run_once(CLOSING))
    assert [t.request.id for t in done.ticketed] == [rid]
    events = [e for _, batch in rasa for e in batch]
    assert [e["event"] for e in events] == ["resume", "bot", "action"]
    notice = events[1]["text"]
    assert events[1]["data"]["custom"]["kind"] == "handoff_notice"
    assert "업무시간이 아니라" in notice and "12월 2일(수)" in notice and "09:00" in notice and "{" not in notice
    with session_scope(core_db) as s:
        assert [(m.sender, m.text) for m in queue.officer_lines_since(s, CONVERSATION, 0)] == [("system", notice)]
        assert queue.current(s, CONVERSATION).callback is True
    again = asyncio.run(handoff_sweep.run_once(CLOSING))
    assert again.ticketed == [] and len([e for _, batch in rasa for e in batch]) == 3


def test_the_sweep_runs_in_the_app_only_when_asked(monkeypatch):
    monkeypatch.delenv(handoff_sweep.INTERVAL_ENV, raising=False)
    monkeypatch.delenv("SOTONG_MODE", raising=False)
    assert handoff_sweep.interval_from_env() == 0  # tests and development: off
    monkeypatch.setenv("SOTONG_MODE", "production")
    assert handoff_sweep.interval_from_env() == 60
    monkeypatch.setenv(handoff_sweep.INTERVAL_ENV, "15")
    assert handoff_sweep.interval_from_env() == 15
    monkeypatch.setenv(handoff_sweep.INTERVAL_ENV, "soon")
    assert handoff_sweep.interval_from_env() == 0

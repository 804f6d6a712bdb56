"""Requests nobody answers (sotong.handoff.sweep), on SQLite and PostgreSQL: a claim left
idle goes back to the queue in office hours; at closing every claim is released and every
request still waiting for a live answer becomes a callback ticket, the resident told once."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.handoff.models import HandoffMessage
from sotong.handoff.sweep import sweep
from sotong.office_hours import KST, OfficeHours
from sotong.staff import audit
from tests.handoff.test_queue import principal

HOURS = OfficeHours()  # 09:00-18:00 on working days
TUESDAY = datetime(2026, 12, 1, 10, 0, tzinfo=KST)
CLOSED = datetime(2026, 12, 1, 18, 5, tzinfo=KST)
NOTICE = "업무시간이 끝났어요. 내일 연락드릴게요."


def open_at(engine, conversation: str, at: datetime, callback: bool = False):
    with session_scope(engine) as s:
        return queue.open_request(
            s,
            conversation_id=conversation,
            channel=conversation.split(":")[0],
            resident_ref=conversation.split(":")[1],
            department_code="civil",
            summary="> 사람이랑 얘기할래요",
            callback=callback,
            now=at,
        )


def run(engine, now: datetime):
    told = []

    def notice(request):
        told.append(request.id)
        return f"{NOTICE} ({request.department_code})"

    with session_scope(engine) as s:
        result = sweep(s, now=now, hours=HOURS, notice=notice, idle_after=timedelta(minutes=30))
    return result


def system_lines(engine, request_id: int) -> list[str]:
    with session_scope(engine) as s:
        rows = s.execute(
            select(HandoffMessage).where(HandoffMessage.request_id == request_id, HandoffMessage.sender == "system")
        ).scalars()
        return [m.text for m in rows]


def test_a_claim_left_idle_goes_back_to_the_queue_for_another_officer(core_db):
    kim, lee = principal(core_db, "kim"), principal(core_db, "lee")
    r = open_at(core_db, "web:idle-resident", TUESDAY)
    with session_scope(core_db) as s:
        queue.claim(s, kim, r.id, now=TUESDAY)
        queue.say(s, kim, r.id, "확인해 볼게요", now=TUESDAY + timedelta(minutes=5))
    assert run(core_db, TUESDAY + timedelta(minutes=34)).released == []  # 29 minutes since the last line
    result = run(core_db, TUESDAY + timedelta(minutes=36))
    assert [x.id for x in result.released] == [r.id] and result.ticketed == []
    with session_scope(core_db) as s:
        now = queue.peek(s, lee, r.id)
        assert (now.state, now.claimed_by, now.callback) == ("waiting", None, False)
        assert queue.claim(s, lee, r.id, now=TUESDAY + timedelta(minutes=40)).claimed_by == lee.account_id
        logged = [(e.username, e.action, e.detail) for e in audit.recent(s, target=f"handoff:{r.id}")]
    assert ("system", "handoff.release", "idle; was held by kim") in logged
    assert system_lines(core_db, r.id) == []  # nothing is said to the resident in office hours


def test_at_closing_claims_are_released_and_waiting_requests_become_tickets_once(core_db):
    kim = principal(core_db, "kim")
    live = open_at(core_db, "web:live-resident", TUESDAY)
    held = open_at(core_db, "kakao:held-resident", TUESDAY)
    ticket = open_at(core_db, "kakao:night-resident", TUESDAY - timedelta(hours=14), callback=True)
    done = open_at(core_db, "web:done-resident", TUESDAY)
    with session_scope(core_db) as s:
        queue.claim(s, kim, held.id, now=TUESDAY)
        queue.close(s, kim, done.id, now=TUESDAY)

    result = run(core_db, CLOSED)
    assert [x.id for x in result.released] == [held.id]
    assert sorted(t.request.id for t in result.ticketed) == sorted([live.id, held.id])
    assert all(t.notice == f"{NOTICE} (civil)" for t in result.ticketed)
    with session_scope(core_db) as s:
        for rid in (live.id, held.id, ticket.id):
            now = queue.peek(s, kim, rid)
            assert (now.state, now.callback, now.claimed_by) == ("waiting", True, None)
        # the notice reaches a channel without push with the next answer, like an officer's line
        assert [m.text for m in queue.pending_for(s, "kakao:held-resident")] == [f"{NOTICE} (civil)"]
        assert [m.sender for m in queue.pending_for(s, "kakao:night-resident")] == []
        actions = [(e.username, e.action) for e in audit.recent(s, target=f"handoff:{held.id}")]
    assert ("system", "handoff.release") in actions and ("system", "handoff.callback") in actions

    again = run(core_db, CLOSED + timedelta(minutes=1))
    assert again.released == [] and again.ticketed == []
    assert system_lines(core_db, live.id) == [f"{NOTICE} (civil)"]  # told once
    assert system_lines(core_db, ticket.id) == []  # was told when it asked


def test_two_sweeps_at_once_tell_the_resident_once(core_db):
    r = open_at(core_db, "web:raced-resident", TUESDAY)
    barrier, outcomes = threading.Barrier(2), []

    def go():
        barrier.wait()
        try:
            outcomes.append(len(run(core_db, CLOSED).ticketed))
        except Exception as exc:  # SQLite's "database is locked" would show here
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=go) for _ in range(2)]
    [t.start() for t in threads]
    [t.join(20) for t in threads]
    assert sorted(outcomes) == [0, 1]
    assert len(system_lines(core_db, r.id)) == 1


def test_in_office_hours_waiting_requests_stay_live(core_db):
    r = open_at(core_db, "web:morning-resident", TUESDAY)
    result = run(core_db, TUESDAY + timedelta(hours=3))  # waiting long, but nobody held it
    assert result.released == [] and result.ticketed == []
    with session_scope(core_db) as s:
        assert queue.current(s, "web:morning-resident").callback is False
    assert system_lines(core_db, r.id) == []

"""The handoff queue in the core, on SQLite and PostgreSQL: open once per conversation,
one claim wins, only the holder writes and hands back, department scope, delivery once."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.db import session_scope
from sotong.handoff import queue
from sotong.handoff.hours import FIXED_NOW_ENV, handoff_now
from sotong.office_hours import KST
from sotong.staff import accounts, audit
from sotong.staff.errors import Forbidden
from sotong.staff.principal import StaffPrincipal


def principal(engine, username: str, role="officer", department: str | None = "civil") -> StaffPrincipal:
    with session_scope(engine) as s:
        accounts.create_account(s, username, "correct horse battery", role=role, department=department)
    with session_scope(engine) as s:
        return accounts.principal_of(accounts.find_account(s, username))


def open_one(
    engine, conversation="web:abcdefgh12", callback=False, summary="address: 서곶로 77\n> 010-1234-5678 로 연락"
):
    with session_scope(engine) as s:
        return queue.open_request(
            s,
            conversation_id=conversation,
            channel=conversation.split(":")[0],
            resident_ref=conversation.split(":")[1],
            department_code="civil",
            summary=summary,
            callback=callback,
        )


def test_asking_twice_queues_once_and_phones_are_masked(core_db):
    first = open_one(core_db)
    again = open_one(core_db)
    assert again.id == first.id and first.state == "waiting"
    assert "010-****-5678" in first.summary and "1234" not in first.summary


def test_claim_say_close_and_delivery_once(core_db):
    kim = principal(core_db, "kim")
    r = open_one(core_db, "kakao:user-1")
    with session_scope(core_db) as s:
        assert queue.claim(s, kim, r.id).claimed_by_name == kim.display_name
        queue.say(s, kim, r.id, "  안녕하세요, 민원여권과예요.  ")
    with session_scope(core_db) as s:
        pending = queue.pending_for(s, "kakao:user-1")
        assert [m.text for m in pending] == ["안녕하세요, 민원여권과예요."]
        assert queue.mark_delivered(s, [m.id for m in pending]) == 1
        assert queue.mark_delivered(s, [m.id for m in pending]) == 0
        assert queue.pending_for(s, "kakao:user-1") == []
        assert queue.close(s, kim, r.id).state == "closed"
        assert queue.current(s, "kakao:user-1") is None
    with session_scope(core_db) as s:
        actions = [e.action for e in audit.recent(s, target=f"handoff:{r.id}")]
    assert actions == ["handoff.close", "handoff.say", "handoff.claim"]


def test_urgent_words_put_a_request_first_and_keep_the_first_time(core_db):
    kim = principal(core_db, "kim")
    older = open_one(core_db, "web:older-one")
    newer = open_one(core_db, "kakao:newer-one")
    first, later = datetime(2026, 12, 1, 1, 0), datetime(2026, 12, 1, 1, 5)
    with session_scope(core_db) as s:
        assert [r.id for r in queue.list_open(s, kim)] == [older.id, newer.id]
        assert queue.mark_urgent(s, "kakao:newer-one", now=first) is True
        assert queue.mark_urgent(s, "kakao:newer-one", now=later) is False  # since when, not how often
        assert queue.current(s, "kakao:newer-one").urgent_at == first
        assert queue.mark_urgent(s, "web:nobody-waits") is False
    with session_scope(core_db) as s:
        listed = queue.list_open(s, kim)
    assert [r.id for r in listed] == [newer.id, older.id]
    assert listed[0].urgent_at == first and listed[1].urgent_at is None
    with session_scope(core_db) as s:
        queue.close(s, kim, newer.id)
        assert queue.mark_urgent(s, "kakao:newer-one") is False  # a closed request stays closed


def test_only_the_holder_writes_and_hands_back(core_db):
    kim, lee = principal(core_db, "kim"), principal(core_db, "lee")
    r = open_one(core_db)
    with session_scope(core_db) as s:
        with pytest.raises(queue.HandoffConflict):
            queue.say(s, kim, r.id, "맡기 전")  # not claimed yet
        queue.claim(s, kim, r.id)
    with session_scope(core_db) as s:
        with pytest.raises(queue.HandoffConflict) as exc:
            queue.claim(s, lee, r.id)
        assert exc.value.state == "claimed" and exc.value.claimed_by == kim.display_name
        with pytest.raises(queue.HandoffConflict):
            queue.say(s, lee, r.id, "제가 할게요")
        with pytest.raises(queue.HandoffConflict):
            queue.close(s, lee, r.id)
        with pytest.raises(queue.InvalidHandoffInput):
            queue.say(s, kim, r.id, " \x00 ")
        with pytest.raises(queue.InvalidHandoffInput):
            queue.say(s, kim, r.id, "가" * (queue.MAX_TEXT + 1))


def test_another_department_sees_nothing_and_trainers_none(core_db):
    park = principal(core_db, "park", department="traffic")
    admin = principal(core_db, "boss", role="admin", department=None)
    teacher = principal(core_db, "teacher", role="trainer")
    r = open_one(core_db)
    with session_scope(core_db) as s:
        assert queue.list_open(s, park) == []
        with pytest.raises(queue.HandoffNotFound):
            queue.claim(s, park, r.id)
        with pytest.raises(queue.HandoffNotFound):
            queue.get(s, park, 999_999)
        with pytest.raises(Forbidden):
            queue.list_open(s, teacher)
        assert [x.id for x in queue.list_open(s, admin)] == [r.id]


def test_a_waiting_request_closes_without_a_claim_a_claimed_one_only_by_its_holder(core_db):
    kim, lee = principal(core_db, "kim"), principal(core_db, "lee")
    live, ticket = open_one(core_db, "web:live-0001"), open_one(core_db, "web:ticket-001", callback=True)
    with session_scope(core_db) as s:
        assert queue.close(s, kim, ticket.id).state == "closed"
        queue.claim(s, kim, live.id)
    with session_scope(core_db) as s:
        with pytest.raises(queue.HandoffConflict):
            queue.close(s, lee, live.id)
        with pytest.raises(queue.HandoffConflict):
            queue.close(s, kim, ticket.id)  # closed already


def test_two_officers_claim_at_once_one_wins(core_db):
    kim, lee = principal(core_db, "kim"), principal(core_db, "lee")
    r = open_one(core_db)
    barrier, outcomes = threading.Barrier(2), []

    def go(who):
        barrier.wait()
        try:
            with session_scope(core_db) as s:
                queue.claim(s, who, r.id)
            outcomes.append("won")
        except queue.HandoffConflict:
            outcomes.append("conflict")
        except Exception as exc:  # SQLite's "database is locked" would show here
            outcomes.append(repr(exc))

    threads = [threading.Thread(target=go, args=(w,)) for w in (kim, lee)]
    [t.start() for t in threads]
    [t.join(10) for t in threads]
    assert sorted(outcomes) == ["conflict", "won"]


def test_fixed_now_only_outside_production(monkeypatch):
    monkeypatch.setenv(FIXED_NOW_ENV, "2026-12-01T10:00:00")
    monkeypatch.delenv("SOTONG_MODE", raising=False)
    assert handoff_now() == datetime(2026, 12, 1, 10, tzinfo=KST)
    monkeypatch.setenv("SOTONG_MODE", "production")
    assert handoff_now() != datetime(2026, 12, 1, 10, tzinfo=KST)


def test_kakao_lines_are_shown_once_in_order(core_db):
    from connectors.kakao.handoff_lines import take_officer_lines

    kim = principal(core_db, "kim")
    r = open_one(core_db, "kakao:bot-user-1")
    with session_scope(core_db) as s:
        queue.claim(s, kim, r.id)
        queue.say(s, kim, r.id, "첫째")
        queue.say(s, kim, r.id, "둘째")
    lines = take_officer_lines("kakao:bot-user-1")
    # kim has no display name of its own: residents see the department, never the login name
    assert [line["text"] for line in lines] == [f"[{kim.department_name}] 첫째", f"[{kim.department_name}] 둘째"]
    assert not any(kim.username in line["text"] for line in lines)
    assert take_officer_lines("kakao:bot-user-1") == []
    assert take_officer_lines("kakao:someone-else") == []

"""The inbox read from a tracker store shaped like Rasa's (SQLite and PostgreSQL): which
messages are in it and why, newest first, grouped, masked, and gone once reviewed."""
# ruff: noqa: F811  (the fixtures imported from teach_kit are parameters here)

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sotong.db import session_scope
from sotong.studio import changes, inbox
from sotong.studio.change_models import DISMISSED
from sotong.studio.inbox import InboxSettings
from sotong.studio.transcript import transcript
from tests.studio.teach_kit import admin, project_copy, sender, teacher, tracker  # noqa: F401

FORMS = {"report_form": ("report_address", "report_description", "report_confirmed"), "waste_bag_form": ("dong",)}
SETTINGS = InboxSettings(confidence=0.6, days=30, form_idle_minutes=30)


def read(engine, settings=SETTINGS, reason=None, now=None):
    with session_scope(engine) as s:
        return inbox.grouped(inbox.messages(s, settings, FORMS, now=now), reason)


def test_no_tracker_store_is_an_empty_inbox(core_db):
    assert read(core_db) == []


def test_each_reason_is_found_and_understood_messages_are_not(tracker):
    a, b, c, d = sender(), sender("kakao"), sender(), sender()
    tracker.user(a, "여권 발급 필요서류", "ask_passport", 0.97)  # understood
    tracker.action(a, "action_passport")
    low = tracker.user(a, "여권 그거 어케됨", "ask_passport", 0.52)
    tracker.action(a, "action_passport")
    fb = tracker.fallback(b, "개별공시지가 이의신청", "faq", 0.31)
    tracker.action(b, "action_fallback_menu")
    tracker.user(b, "/ask_jobs", "ask_jobs", 1.0)  # a button: never in the inbox
    human = tracker.user(c, "사람이랑 얘기할래요", "request_human", 0.99)
    tracker.action(c, "action_request_human")
    tracker.user(d, "무단투기 신고할게요", "report_illegal_dumping", 0.98)
    tracker.loop(d, "report_form")
    tracker.slot(d, "report_address", "서곶로 77 정문 앞")
    left = tracker.user(d, "서곶로 77 정문 앞이요 근데 사진은 어떻게", "inform", 0.81)
    tracker.bot(d, "어떤 상황인가요?")
    # the resident never came back: an hour later the form is abandoned
    groups = read(tracker.engine, now=datetime.now(timezone.utc) + timedelta(hours=2))
    by_id = {g.id: g for g in groups}
    assert set(by_id) == {low, fb, human, left}
    assert [g.id for g in groups] == sorted(by_id, reverse=True)  # newest first
    assert by_id[low].reasons == ("low_confidence",) and by_id[low].intents == (("ask_passport", 1),)
    assert by_id[low].confidence == 0.52
    assert set(by_id[fb].reasons) == {"low_confidence", "fallback"} and by_id[fb].intents == (("faq", 1),)
    assert by_id[human].reasons == ("handoff",)
    assert by_id[left].reasons == ("abandoned_form",) and by_id[left].forms == ("report_form",)
    # the address the bot collected is masked in the resident's own words
    assert "서곶로 77" not in by_id[left].text and "정문 앞" not in by_id[left].text
    # filter by reason
    assert [g.id for g in read(tracker.engine, reason="fallback")] == [fb]


def test_a_form_in_progress_is_not_abandoned_yet_and_a_finished_one_never(tracker):
    busy, done = sender(), sender()
    tracker.user(busy, "쓰레기봉투 어디서 사요", "ask_waste_bag_vendor", 0.95)
    tracker.loop(busy, "waste_bag_form")
    tracker.user(busy, "음 우리 동네요", "inform", 0.7)
    tracker.user(done, "쓰레기봉투 어디서 사요", "ask_waste_bag_vendor", 0.95)
    tracker.loop(done, "waste_bag_form")
    tracker.user(done, "청라동이요", "inform", 0.9)
    tracker.slot(done, "dong", "청라1동")
    tracker.loop(done, None)
    assert read(tracker.engine) == []  # within the idle time, and one completed
    later = read(tracker.engine, now=datetime.now(timezone.utc) + timedelta(hours=3))
    assert [g.text for g in later] == ["음 우리 동네요"]


def test_a_form_left_with_slots_missing_is_abandoned_at_once(tracker):
    s = sender()
    tracker.user(s, "불법주차 신고", "report_illegal_parking", 0.95)
    tracker.loop(s, "report_form")
    last = tracker.user(s, "아 됐어요 그냥", "deny", 0.66)
    tracker.loop(s, None)
    assert [(g.id, g.reasons) for g in read(tracker.engine)] == [(last, ("abandoned_form",))]


def test_near_identical_messages_are_grouped_with_counts(tracker):
    ids = []
    for i, text in enumerate(
        ["전입신고 어케해요", "전입신고 어케 해요?", "재산세 언제 나와요", "전입신고어케해요ㅋㅋ"]
    ):
        ids.append(tracker.fallback(sender(), text, "faq", 0.3 + i / 100))
    groups = read(tracker.engine)
    assert [(g.text, g.count, g.conversations) for g in groups] == [
        ("전입신고어케해요ㅋㅋ", 3, 3),
        ("재산세 언제 나와요", 1, 1),
    ]
    assert groups[0].member_ids == (ids[3], ids[1], ids[0]) and groups[0].confidence == 0.3
    assert inbox.find_group(groups, ids[0]) is groups[0]  # any member names the group


def test_old_messages_and_reviewed_ones_leave_the_inbox(tracker, teacher):
    old = sender()
    tracker.t = (datetime.now(timezone.utc) - timedelta(days=40)).timestamp()
    tracker.fallback(old, "옛날 질문", "faq", 0.2)
    tracker.t = datetime.now(timezone.utc).timestamp() - 60
    fresh = tracker.fallback(sender(), "새 질문", "faq", 0.2)
    assert [g.id for g in read(tracker.engine)] == [fresh]
    with session_scope(tracker.engine) as s:
        changes.review(s, teacher, [fresh], DISMISSED, None)
    assert read(tracker.engine) == []


def test_the_confidence_threshold_is_configurable(tracker, monkeypatch):
    tracker.user(sender(), "여권 그거", "ask_passport", 0.7)
    assert read(tracker.engine) == []
    monkeypatch.setenv("SOTONG_STUDIO_CONFIDENCE", "0.8")
    assert len(read(tracker.engine, settings=InboxSettings.from_env())) == 1
    monkeypatch.setenv("SOTONG_STUDIO_CONFIDENCE", "not a number")
    assert InboxSettings.from_env().confidence == 0.6


def test_a_transcript_is_masked_and_named_by_event_id(tracker):
    s = sender("kakao")
    tracker.user(s, "무단투기 신고", "report_illegal_dumping", 0.9)
    tracker.bot(s, "어디인가요?")
    tracker.slot(s, "report_address", "청라 커낼웨이 정문")
    asked = tracker.user(s, "청라 커낼웨이 정문이요 제 번호는 010-2222-3333", "inform", 0.5)
    tracker.bot(s, "청라 커낼웨이 정문 맞나요?")
    with session_scope(tracker.engine) as session:
        t = transcript(session, asked)
        assert transcript(session, 999_999) is None
    assert t is not None and t.channel == "kakao"
    texts = [line.text for line in t.lines]
    assert texts[0] == "무단투기 신고"
    assert all("커낼웨이" not in x and "2222-3333" not in x for x in texts)
    assert [line.who for line in t.lines] == ["resident", "bot", "resident", "bot"]
    assert all(s not in x for x in texts)


def test_garbage_rows_are_skipped_not_fatal(tracker):
    from sqlalchemy import text

    with tracker.engine.begin() as conn:
        conn.execute(
            text("INSERT INTO events VALUES (9000, 'web:x', 'user', :t, NULL, NULL, 'not json')"), {"t": tracker.t}
        )
        conn.execute(
            text("INSERT INTO events VALUES (9001, 'web:x', 'user', :t, NULL, NULL, '[1, 2]')"), {"t": tracker.t}
        )
        conn.execute(
            text("INSERT INTO events VALUES (9002, 'web:x', 'user', :t, NULL, NULL, :d)"),
            {"t": tracker.t, "d": '{"text": "아무말", "parse_data": {"intent": "x", "intent_ranking": "y"}}'},
        )
    groups = read(tracker.engine)
    assert groups == []

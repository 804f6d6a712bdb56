"""The outbox with the default log-only sender, in-chat delivery and the templates."""

from __future__ import annotations

import logging
from datetime import timedelta

from sotong.complaints import service
from sotong.complaints.lifecycle import ComplaintStatus as S
from sotong.db import session_scope
from sotong.notifications.dispatcher import Backoff, deliver_due
from sotong.notifications.masking import mask_phone, mask_phones
from sotong.notifications.models import LOGGED, QUEUED, Notification
from sotong.notifications.senders import AlimtalkSender, LogOnlySender, sender_from_env
from sotong.notifications.templates import STAGES, load_templates
from tests.core.helpers import complaint_in, file

ARTICLE = {
    "received": "민원이 접수됐습니다",
    "assigned": "자원순환과로 배정됐습니다",
    "officer_assigned": "담당자(김서진, 032-000-1201)가 정해졌습니다",
    "on_site_check": "현장 확인 중입니다",
    "under_review": "현재 심사 중입니다",
    "completed": "처리 완료됐습니다",
}


def test_templates_cover_every_stage_with_a_code():
    templates = load_templates()
    assert set(templates) == set(STAGES)
    assert len({t.code for t in templates.values()}) == len(STAGES)


def test_every_stage_of_the_article_is_queued_in_its_words(core_db, resident, now):
    receipt = complaint_in(core_db, S.COMPLETED, resident, now)
    with session_scope(core_db) as s:
        pending = service.pending_in_chat(s, resident)
    assert [m.stage for m in pending] == list(ARTICLE)
    for message in pending:
        assert ARTICLE[message.stage] in message.text, message.text
        assert message.receipt_no == receipt
    assert "#{" not in "".join(m.text for m in pending)


def test_template_parameters_are_exactly_the_templates_variables(core_db, resident, now):
    complaint_in(core_db, S.OFFICER_ASSIGNED, resident, now)
    with session_scope(core_db) as s:
        rows = {n.stage: n for n in s.query(Notification).all()}
    assert rows["officer_assigned"].params.keys() == {"receipt_no", "officer_name", "officer_phone"}
    assert rows["officer_assigned"].params["officer_name"] == "김서진"
    assert rows["received"].params["due_date"] == "2026-10-01"
    assert rows["received"].targets == ["chat"]  # no phone consent: chat only


def test_log_only_sender_logs_masked_and_marks_logged(core_db, resident, now, caplog):
    with session_scope(core_db) as s:
        service.record_phone_consent(s, resident, "010-1234-5678", purpose="민원 진행 알림톡", now=now)
    file(core_db, resident, now)
    caplog.set_level(logging.INFO, logger="sotong.notifications")
    with session_scope(core_db) as s:
        report = deliver_due(LogOnlySender(), now)
    assert report.by_status == {LOGGED: 1}
    assert "010-****-5678" in caplog.text
    assert "1234" not in caplog.text and "01012345678" not in caplog.text
    with session_scope(core_db) as s:
        n = s.query(Notification).one()
        assert (n.status, n.attempts, n.delivered_in_chat_at) == (LOGGED, 1, None)  # chat copy still pending
        assert n.targets == ["chat", "alimtalk"]
    assert deliver_due(LogOnlySender(), now).total == 0  # nothing twice


def test_in_chat_delivery_once_and_only_to_the_owner(core_db, resident, stranger, now):
    complaint_in(core_db, S.ASSIGNED, resident, now)
    file(core_db, stranger, now)
    with session_scope(core_db) as s:
        mine = service.pending_in_chat(s, resident)
        theirs = service.pending_in_chat(s, stranger)
        assert len(mine) == 2 and len(theirs) == 1
        # marking someone else's message does nothing
        assert service.mark_delivered_in_chat(s, resident, [theirs[0].id], now) == 0
        assert service.mark_delivered_in_chat(s, resident, [m.id for m in mine], now) == 2
    with session_scope(core_db) as s:
        assert service.pending_in_chat(s, resident) == []
        assert len(service.pending_in_chat(s, stranger)) == 1


def test_not_yet_due_messages_wait(core_db, resident, now):
    file(core_db, resident, now)
    with session_scope(core_db) as s:
        assert deliver_due(LogOnlySender(), now - timedelta(seconds=1)).total == 0
        assert s.query(Notification).one().status == QUEUED


def test_backoff_doubles_up_to_the_cap():
    b = Backoff(base=timedelta(seconds=30), cap=timedelta(minutes=10))
    assert [b.delay(n).total_seconds() for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


def test_masking():
    assert mask_phone("01012345678") == "010-****-5678"
    assert mask_phone("010-1234-5678") == "010-****-5678"
    assert (
        mask_phones("전화 010-1234-5678, 032 000 1201 / 01098765432")
        == "전화 010-****-5678, 032-****-1201 / 010-****-5432"
    )
    assert mask_phones("접수번호 AB2C-3DEF 처리 기한 2026-10-01") == "접수번호 AB2C-3DEF 처리 기한 2026-10-01"


def test_sender_from_env_defaults_to_log_only(monkeypatch):
    for name in (
        "SOTONG_ALIMTALK_URL",
        "SOTONG_ALIMTALK_APPKEY",
        "SOTONG_ALIMTALK_SECRET",
        "SOTONG_ALIMTALK_SENDER_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(sender_from_env(), LogOnlySender)
    monkeypatch.setenv("SOTONG_ALIMTALK_URL", "https://alimtalk.example")
    assert isinstance(sender_from_env(), LogOnlySender)  # half a configuration is no configuration
    for name, value in (
        ("SOTONG_ALIMTALK_APPKEY", "a"),
        ("SOTONG_ALIMTALK_SECRET", "TOPSECRET"),
        ("SOTONG_ALIMTALK_SENDER_KEY", "k"),
    ):
        monkeypatch.setenv(name, value)
    sender = sender_from_env()
    assert isinstance(sender, AlimtalkSender) and sender.config.sms_fallback
    assert "TOPSECRET" not in repr(sender.config)

"""알림톡 for officer lines (sotong.handoff.alerts), on SQLite and PostgreSQL: a KakaoTalk
resident with a consented phone gets one per request per 10 minutes, sent through the
fake provider; web residents, residents without consent and withdrawn consent get none."""

from __future__ import annotations

from datetime import datetime, timedelta

from sotong.complaints import service
from sotong.complaints.outbox import QUEUED, SENT, SKIPPED
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.handoff import alerts, queue
from sotong.handoff.models import HandoffAlert
from sotong.notifications.config import AlimtalkConfig
from sotong.notifications.senders import AlimtalkSender
from sotong.office_hours import KST
from tests.core.fake_alimtalk import FakeAlimtalkProvider
from tests.handoff.test_queue import open_one, principal

T0 = datetime(2026, 12, 1, 10, tzinfo=KST)


def consent(engine, user: str, channel: str = "kakao") -> None:
    with session_scope(engine) as s:
        service.record_phone_consent(s, ResidentKey(channel, user), "010-1234-5678", purpose="상담 답변 알림", now=T0)


def say_at(engine, who, request_id: int, minutes: float, text: str = "확인해 볼게요.") -> None:
    with session_scope(engine) as s:
        queue.say(s, who, request_id, text, now=T0 + timedelta(minutes=minutes))


def claimed(engine, conversation: str):
    kim = principal(engine, "kim-" + conversation.split(":")[1])
    r = open_one(engine, conversation)
    with session_scope(engine) as s:
        queue.claim(s, kim, r.id)
    return kim, r


def rows(engine) -> list[tuple[int, str]]:
    with session_scope(engine) as s:
        return [(a.request_id, a.status) for a in s.query(HandoffAlert).order_by(HandoffAlert.id)]


def test_one_alert_per_request_per_ten_minutes(core_db):
    consent(core_db, "user-a")
    kim, r = claimed(core_db, "kakao:user-a")
    for minute in (0, 1, 9.9):  # a quick exchange is one alert
        say_at(core_db, kim, r.id, minute)
    assert rows(core_db) == [(r.id, QUEUED)]
    say_at(core_db, kim, r.id, 10.5)  # ten minutes after the last alert: another
    assert rows(core_db) == [(r.id, QUEUED), (r.id, QUEUED)]
    with session_scope(core_db) as s:  # every line is still there for the channel to show
        assert len(queue.pending_for(s, "kakao:user-a")) == 4


def test_the_limit_is_per_request(core_db):
    consent(core_db, "user-b")
    kim, first = claimed(core_db, "kakao:user-b")
    say_at(core_db, kim, first.id, 0)
    with session_scope(core_db) as s:
        queue.close(s, kim, first.id)
    second = open_one(core_db, "kakao:user-b")
    with session_scope(core_db) as s:
        queue.claim(s, kim, second.id)
    say_at(core_db, kim, second.id, 1)
    assert [req for req, _ in rows(core_db)] == [first.id, second.id]


def test_no_alert_without_consent_or_on_the_web(core_db):
    kim, r = claimed(core_db, "kakao:user-c")  # no phone given
    say_at(core_db, kim, r.id, 0)
    consent(core_db, "resident-d", channel="web")  # the web page streams lines live
    kim2, w = claimed(core_db, "web:resident-d")
    say_at(core_db, kim2, w.id, 0)
    assert rows(core_db) == []


def test_sent_through_the_provider_and_withdrawn_consent_stops_it(core_db):
    consent(core_db, "user-e")
    kim, r = claimed(core_db, "kakao:user-e")
    say_at(core_db, kim, r.id, 0, "여권 발급은 다음 주 화요일에 가능해요.")
    template = alerts.alert_template()
    with FakeAlimtalkProvider() as provider:
        sender = AlimtalkSender(AlimtalkConfig.from_env(provider.env()))
        report = alerts.deliver_due_alerts(sender, T0 + timedelta(minutes=1))
        assert report.by_status == {SENT: 1}
        (request,) = provider.requests
        body = request["body"]
        assert body["templateCode"] == template.code == "SOTONG_HANDOFF_REPLY_01"
        (recipient,) = body["recipientList"]
        assert recipient["recipientNo"] == "01012345678"
        # the officer's words never leave in the 알림톡: the resident reads them in the channel
        assert "여권" not in str(body) and "담당 직원이 답변을 남겼어요" in str(body)
        assert request["headers"]["X-Idempotency-Key"].startswith(f"sotong-handoff-{r.id}-")
        assert alerts.deliver_due_alerts(sender, T0 + timedelta(minutes=2)).total == 0  # sent once

        say_at(core_db, kim, r.id, 11)
        with session_scope(core_db) as s:
            service.withdraw_phone_consent(s, ResidentKey("kakao", "user-e"))
        assert alerts.deliver_due_alerts(sender, T0 + timedelta(minutes=12)).by_status == {SKIPPED: 1}
        assert len(provider.requests) == 1
    assert rows(core_db) == [(r.id, SENT), (r.id, SKIPPED)]


def test_provider_down_retries_later(core_db):
    consent(core_db, "user-f")
    kim, r = claimed(core_db, "kakao:user-f")
    say_at(core_db, kim, r.id, 0)
    with FakeAlimtalkProvider() as provider:
        sender = AlimtalkSender(AlimtalkConfig.from_env(provider.env()))
        provider.mode = "down"
        assert alerts.deliver_due_alerts(sender, T0).retried == 1
        provider.mode = "up"
        assert alerts.deliver_due_alerts(sender, T0 + timedelta(seconds=1)).total == 0  # backing off
        assert alerts.deliver_due_alerts(sender, T0 + timedelta(minutes=5)).by_status == {SENT: 1}

"""The 알림톡 sender against a fake provider on loopback: request shape, consent,
an outage with back-off and recovery where nothing is lost, and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sotong.complaints import service
from sotong.complaints.lifecycle import ComplaintStatus as S
from sotong.db import session_scope
from sotong.notifications.config import AlimtalkConfig
from sotong.notifications.dispatcher import deliver_due
from sotong.notifications.models import FAILED, QUEUED, SENT, SKIPPED, UNKNOWN, Notification
from sotong.notifications.senders import AlimtalkSender
from tests.core.fake_alimtalk import FakeAlimtalkProvider
from tests.core.helpers import complaint_in, file, perform


@pytest.fixture
def provider():
    with FakeAlimtalkProvider() as fake:
        yield fake


@pytest.fixture
def sender(provider):
    return AlimtalkSender(AlimtalkConfig.from_env(provider.env()))


@pytest.fixture
def consenting(core_db, resident, now):
    with session_scope(core_db) as s:
        service.record_phone_consent(s, resident, "010-1234-5678", purpose="민원 진행 알림", now=now)
    return resident


def statuses(engine):
    with session_scope(engine) as s:
        return [(n.stage, n.status, n.attempts) for n in s.query(Notification).order_by(Notification.id)]


def test_request_shape(core_db, consenting, now, provider, sender):
    receipt = file(core_db, consenting, now)
    with session_scope(core_db) as s:
        report = deliver_due(sender, now)
    assert report.by_status == {SENT: 1}
    (request,) = provider.requests
    assert request["path"] == "/alimtalk/v2.3/appkeys/fake-app-key/messages"
    assert request["headers"]["X-Secret-Key"] == "fake-secret"
    assert request["headers"]["X-Idempotency-Key"].startswith("sotong-change-")
    body = request["body"]
    assert (body["senderKey"], body["templateCode"]) == ("fake-sender-key", "SOTONG_RECEIVED_01")
    (recipient,) = body["recipientList"]
    assert recipient["recipientNo"] == "01012345678"
    assert recipient["templateParameter"] == {"receipt_no": receipt, "category": "무단투기", "due_date": "2026-10-01"}
    assert recipient["resendParameter"]["isResend"] is True
    assert "민원이 접수됐습니다" in recipient["resendParameter"]["resendContent"]
    with session_scope(core_db) as s:
        n = s.query(Notification).one()
        assert n.provider_request_id and n.sent_at is not None


def test_sms_fallback_can_be_switched_off(core_db, consenting, now, provider):
    sender = AlimtalkSender(AlimtalkConfig.from_env(provider.env(sms_fallback="0")))
    file(core_db, consenting, now)
    deliver_due(sender, now)
    assert provider.requests[0]["body"]["recipientList"][0]["resendParameter"] == {"isResend": False}


def test_without_consent_nothing_is_sent_but_the_chat_keeps_it(core_db, resident, now, provider, sender):
    file(core_db, resident, now)
    with session_scope(core_db) as s:
        assert deliver_due(sender, now).by_status == {SKIPPED: 1}
        assert len(service.pending_in_chat(s, resident)) == 1
    assert provider.requests == []


def test_withdrawn_consent_stops_messages_already_queued(core_db, consenting, now, provider, sender):
    file(core_db, consenting, now)
    with session_scope(core_db) as s:
        service.withdraw_phone_consent(s, consenting)
    with session_scope(core_db) as s:
        assert deliver_due(sender, now).by_status == {SKIPPED: 1}
    assert provider.requests == []


def test_outage_then_recovery_loses_nothing(core_db, consenting, now, provider, sender):
    receipt = complaint_in(core_db, S.OFFICER_ASSIGNED, consenting, now)  # 3 messages
    provider.mode = "down"
    with session_scope(core_db) as s:
        report = deliver_due(sender, now)
    assert report.retried == 3 and report.by_status == {}
    assert statuses(core_db) == [("received", QUEUED, 1), ("assigned", QUEUED, 1), ("officer_assigned", QUEUED, 1)]
    with session_scope(core_db) as s:
        n = s.query(Notification).first()
        assert n.last_error == "HTTP 503"
        assert n.next_attempt_at == (now + timedelta(seconds=30)).replace(tzinfo=None)

    # more happens during the outage
    perform(core_db, receipt, S.ON_SITE_CHECK, consenting, now + timedelta(seconds=10))

    with session_scope(core_db) as s:  # before the back-off: only the new message is tried
        assert deliver_due(sender, now + timedelta(seconds=20)).retried == 1
    with session_scope(core_db) as s:  # second failure: the wait doubles
        assert deliver_due(sender, now + timedelta(seconds=31)).retried == 3
        first = s.query(Notification).order_by(Notification.id).first()
        assert first.attempts == 2
        assert first.next_attempt_at == (now + timedelta(seconds=91)).replace(tzinfo=None)

    provider.mode = "up"
    with session_scope(core_db) as s:
        assert deliver_due(sender, now + timedelta(seconds=60)).by_status == {SENT: 1}  # the 4th, due again
    with session_scope(core_db) as s:
        assert deliver_due(sender, now + timedelta(seconds=100)).by_status == {SENT: 3}
    assert [st for _, st, _ in statuses(core_db)] == [SENT] * 4
    # every message reached the provider exactly once as accepted, in stage order
    accepted = [b["templateCode"] for b in provider.accepted.values()]
    assert accepted == ["SOTONG_ONSITE_01", "SOTONG_RECEIVED_01", "SOTONG_ASSIGNED_01", "SOTONG_OFFICER_01"]
    # the same idempotency key was used on every retry of a message
    keys = [r["headers"]["X-Idempotency-Key"] for r in provider.requests]
    assert len(set(keys)) == 4 and len(keys) == 11  # 3 + 1 + 3 failed tries, then 1 + 3 accepted


def test_provider_unreachable_is_transient(core_db, consenting, now):
    sender = AlimtalkSender(
        AlimtalkConfig(
            base_url="http://127.0.0.1:1",
            app_key="a",
            secret_key="s",
            sender_key="k",
            connect_timeout=0.5,
            read_timeout=0.5,
            allow_loopback_http=True,
        )
    )
    file(core_db, consenting, now)
    with session_scope(core_db) as s:
        assert deliver_due(sender, now).retried == 1
        assert "ConnectionError" in s.query(Notification).one().last_error


def test_slow_provider_times_out_and_is_unknown_not_resent(core_db, consenting, now, provider):
    # The request reached the provider: it may deliver it. At most once: staff decide.
    sender = AlimtalkSender(
        AlimtalkConfig(
            base_url=provider.url,
            app_key=provider.APP_KEY,
            secret_key=provider.SECRET,
            sender_key=provider.SENDER_KEY,
            read_timeout=0.2,
            allow_loopback_http=True,
        )
    )
    provider.mode, provider.slow_seconds = "slow", 1.0
    file(core_db, consenting, now)
    assert deliver_due(sender, now).by_status == {UNKNOWN: 1}
    with session_scope(core_db) as s:
        n = s.query(Notification).one()
        assert n.status == UNKNOWN and "ReadTimeout" in n.last_error
    assert deliver_due(sender, now + timedelta(hours=2)).total == 0
    assert len(provider.requests) == 1


def test_refusals_are_failed_with_the_reason_kept(core_db, consenting, now, provider, sender):
    provider.mode = "refuse"
    file(core_db, consenting, now)
    with session_scope(core_db) as s:
        assert deliver_due(sender, now).by_status == {FAILED: 1}
        n = s.query(Notification).one()
        assert "-3001" in n.last_error and n.delivered_in_chat_at is None
        assert len(service.pending_in_chat(s, consenting)) == 1  # the chat copy is still there


def test_wrong_secret_is_a_permanent_failure(core_db, consenting, now, provider):
    sender = AlimtalkSender(
        AlimtalkConfig(
            base_url=provider.url,
            app_key=provider.APP_KEY,
            secret_key="wrong",
            sender_key="k",
            allow_loopback_http=True,
        )
    )
    file(core_db, consenting, now)
    with session_scope(core_db) as s:
        assert deliver_due(sender, now).by_status == {FAILED: 1}
        assert s.query(Notification).one().last_error.startswith("HTTP 401")

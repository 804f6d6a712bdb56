"""Finding 4 and 10: the notification worker against a misbehaving 알림톡 provider (a real
HTTP server on loopback), on SQLite and PostgreSQL.

No transaction is held across the provider's HTTP call, every answer is recorded per
message, what may have reached the provider is never re-sent on its own, two workers
never send the same message, and the secret and numbers never follow a redirect."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from sotong.complaints import service
from sotong.complaints.lifecycle import ComplaintStatus as S
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.notifications.config import AlimtalkConfig, AlimtalkConfigError
from sotong.notifications.dispatcher import LEASE, _claim, deliver_due, new_claim_token, requeue
from sotong.notifications.models import FAILED, SENDING, SENT, UNKNOWN, Notification
from sotong.notifications.senders import AlimtalkSender
from tests.core.fake_alimtalk import FakeAlimtalkProvider
from tests.core.helpers import complaint_in, file

NOW = datetime(2026, 9, 21, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def provider():
    with FakeAlimtalkProvider() as fake:
        yield fake


@pytest.fixture
def consenting(core_db):
    who = ResidentKey("kakao", "resident-" + uuid.uuid4().hex[:8])
    with session_scope(core_db) as s:
        service.record_phone_consent(s, who, "010-1234-5678", purpose="민원 진행 알림", now=NOW)
    return who


def sender_for(provider, **overrides) -> AlimtalkSender:
    return AlimtalkSender(
        AlimtalkConfig.from_env(provider.env())
        if not overrides
        else AlimtalkConfig(
            base_url=provider.url,
            app_key=provider.APP_KEY,
            secret_key=provider.SECRET,
            sender_key=provider.SENDER_KEY,
            allow_loopback_http=True,
            **overrides,
        )
    )


def statuses(engine):
    with session_scope(engine) as s:
        return [n.status for n in s.query(Notification).order_by(Notification.id)]


def test_a_provider_that_hangs_does_not_block_a_resident_filing(core_db, consenting, provider):
    file(core_db, consenting, NOW)
    provider.mode, provider.slow_seconds = "slow", 10.0
    sender = sender_for(provider, read_timeout=20.0)
    worker = threading.Thread(target=deliver_due, args=(sender, NOW), daemon=True)
    worker.start()
    try:
        assert provider.arrived.wait(10), "the worker never reached the provider"
        started = time.monotonic()
        other = ResidentKey("kakao", "other-" + uuid.uuid4().hex[:8])
        receipt = file(core_db, other, NOW)  # the chat's write, while the worker is mid-send
        took = time.monotonic() - started
    finally:
        provider.release()
        worker.join(30)
    assert took < 1.0, f"filing a complaint waited {took:.1f}s for the notification worker"
    assert receipt
    assert statuses(core_db)[0] == SENT


def test_a_garbage_answer_is_recorded_once_and_never_resent(core_db, consenting, provider):
    file(core_db, consenting, NOW)
    provider.mode = "garbage"  # 200 with an HTML page: the provider may have queued it
    sender = sender_for(provider)
    assert deliver_due(sender, NOW).by_status == {UNKNOWN: 1}
    with session_scope(core_db) as s:
        n = s.query(Notification).one()
        assert n.status == UNKNOWN and "unreadable" in n.last_error and n.attempts == 1
    for later in (timedelta(seconds=15), timedelta(minutes=10), timedelta(hours=3)):
        assert deliver_due(sender, NOW + later).total == 0
    assert len(provider.requests) == 1
    # staff checked with the provider and decide to send it again
    provider.mode = "up"
    with session_scope(core_db) as s:
        nid = s.query(Notification.id).scalar()
    assert requeue([nid], NOW + timedelta(hours=3)) == 1
    assert deliver_due(sender, NOW + timedelta(hours=3)).by_status == {SENT: 1}


def test_a_connection_reset_after_sending_is_unknown_and_the_batch_goes_on(core_db, consenting, provider):
    complaint_in(core_db, S.ASSIGNED, consenting, NOW)  # two messages
    provider.mode = "reset"
    sender = sender_for(provider)
    report = deliver_due(sender, NOW)
    assert report.by_status == {UNKNOWN: 2}
    assert statuses(core_db) == [UNKNOWN, UNKNOWN]
    assert deliver_due(sender, NOW + timedelta(hours=2)).total == 0
    assert len(provider.requests) == 2


def test_a_worker_that_dies_mid_send_leaves_unknown_not_a_resend(core_db, consenting, provider):
    file(core_db, consenting, NOW)
    claimed = _claim(None, NOW.replace(tzinfo=None), 10, False, new_claim_token())  # then the process dies
    assert len(claimed) == 1 and statuses(core_db) == [SENDING]
    sender = sender_for(provider)
    assert deliver_due(sender, NOW + timedelta(seconds=30)).total == 0  # within the lease: hands off
    assert deliver_due(sender, NOW + LEASE + timedelta(seconds=1)).by_status == {UNKNOWN: 1}
    assert provider.requests == []


def test_two_workers_never_send_the_same_message(core_db, consenting, provider):
    complaint_in(core_db, S.ON_SITE_CHECK, consenting, NOW)  # four messages
    provider.mode, provider.slow_seconds = "slow", 0.2
    sender = sender_for(provider)
    workers = [threading.Thread(target=deliver_due, args=(sender, NOW)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert statuses(core_db) == [SENT] * 4
    keys = [r["headers"]["X-Idempotency-Key"] for r in provider.requests]
    assert len(keys) == 4 and len(set(keys)) == 4


def test_a_redirect_is_never_followed(core_db, consenting, provider):
    with FakeAlimtalkProvider() as elsewhere:
        provider.mode, provider.redirect_to = "redirect", elsewhere.url
        file(core_db, consenting, NOW)
        assert deliver_due(sender_for(provider), NOW).by_status == {FAILED: 1}
        assert elsewhere.requests == []  # neither the secret nor the number went there
    with session_scope(core_db) as s:
        assert "redirect" in s.query(Notification).one().last_error


def test_the_provider_url_must_be_https(monkeypatch, provider):
    env = provider.env()
    with pytest.raises(AlimtalkConfigError):
        AlimtalkConfig.from_env({**env, "SOTONG_ALIMTALK_ALLOW_LOOPBACK_HTTP": "0"})
    with pytest.raises(AlimtalkConfigError):
        AlimtalkConfig.from_env({**env, "SOTONG_ALIMTALK_URL": "http://alimtalk.example"})
    assert AlimtalkConfig.from_env({**env, "SOTONG_ALIMTALK_URL": "https://alimtalk.example"})
    assert AlimtalkConfig.from_env(env)  # the loopback fake, in development mode
    monkeypatch.setenv("SOTONG_MODE", "production")
    with pytest.raises(AlimtalkConfigError):
        AlimtalkConfig.from_env(env)  # the test-only override means nothing in production

"""Faults of what the production stack stands on (issue 13, item 5): PostgreSQL restarted,
Redis down and back, the 알림톡 provider down for a minute. The stack is the package's
one `make run-prod` stack (tests/prod/conftest.py) on servers of its own.

In each test the resident's complaints and stage messages are counted in the database
afterwards: none lost, none twice.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, select

from connectors.kakao.state_redis import RETRY_AFTER_SECONDS
from devkit.prod_stack import ProdStack
from sotong.complaints import service
from sotong.complaints.models import Complaint, Resident
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.notifications.models import SENT, Notification
from tests.prod.conftest import Backends, skip
from tests.prod.faults import TEXTS, KakaoResident, assert_filed_once_each, wait_for

pytestmark = pytest.mark.e2e

OUTAGE_SECONDS = 60  # the 알림톡 provider's outage, as issue 13 puts it


# The stack's first start (two Rasa replicas on a busy machine) is part of the first test.
@pytest.mark.timeout(1500)
def test_postgresql_restart_gets_a_polite_answer_and_loses_nothing(prod_stack: ProdStack, prod_backends: Backends):
    resident = KakaoResident(prod_stack, "pg")
    before = resident.file_report()
    resident.say("무단투기 신고할게요")  # a second report, half-way when the database goes

    prod_backends.database.stop()
    try:
        for words in ("서곶로 77 앞이에요", "내 민원 어떻게 됐어요"):
            shown = resident.say(words)
            assert TEXTS.internal_error in shown, shown  # "…잠시 후 다시 말씀해 주세요", never a 500
    finally:
        prod_backends.database.start()

    # Nothing the outage touched is lost: the report goes on where it was, the first one is there.
    assert "어떤 상황인가요" in resident.say("서곶로 77 앞이에요")
    summary = resident.say("음식물 쓰레기가 버려져 있어요")
    assert "이대로 접수할까요" in summary, summary
    assert "접수번호" in resident.say("네")
    assert before in resident.say("내 민원 어떻게 됐어요")
    assert_filed_once_each(prod_backends.database_url, resident.user, complaints=2)


@pytest.mark.timeout(300)
def test_redis_down_degrades_politely_and_recovers(prod_stack: ProdStack, prod_backends: Backends):
    if prod_backends.redis is None:
        skip("no redis-server binary: the machine's Redis is shared and is never stopped")
    resident = KakaoResident(prod_stack, "redis")
    resident.say("무단투기 신고할게요")

    prod_backends.redis.stop()
    try:
        # Rasa's lock store cannot lock the conversation without Redis, so no turn runs; the
        # KakaoTalk channel (its own state now in memory) answers politely, on both replicas.
        for port in prod_stack.rasa_ports:
            shown = resident.say("서곶로 77 앞이에요", replica=port)
            assert TEXTS.internal_error in shown, shown
    finally:
        prod_backends.redis.start()

    # Back to normal on each replica; each said what happened and when it ended.
    assert "어떤 상황인가요" in resident.say("서곶로 77 앞이에요", replica=prod_stack.rasa_ports[0])
    summary = resident.say("음식물 쓰레기가 버려져 있어요", replica=prod_stack.rasa_ports[1])
    assert "이대로 접수할까요" in summary, summary
    assert "접수번호" in resident.say("네")
    assert_filed_once_each(prod_backends.database_url, resident.user, complaints=1)
    # A replica that found Redis down asks it again after a short pause, on its next request.
    time.sleep(RETRY_AFTER_SECONDS)
    for name, port in zip(("rasa1", "rasa2"), prod_stack.rasa_ports):
        assert "여권" in resident.say("여권 발급 필요서류", replica=port)
        log = prod_stack.log(name)
        wait_for(lambda log=log: "kakao.state.redis_back" in log.read_text(errors="replace"), 10, f"{name}: Redis back")
        assert "kakao.state.redis_down" in log.read_text(errors="replace")


@pytest.mark.timeout(400)
def test_alimtalk_provider_down_for_a_minute_delivers_once_after(prod_stack: ProdStack, prod_backends: Backends):
    provider = prod_backends.provider
    resident = KakaoResident(prod_stack, "alimtalk")
    receipt = resident.file_report()
    engine = create_engine(prod_backends.database_url, future=True)
    try:
        with session_scope(engine) as s:  # the resident verified a number and agreed to 알림톡
            row = s.execute(select(Resident).where(Resident.channel_user_id.like(f"%{resident.user}"))).scalar_one()
            who = ResidentKey(row.channel, row.channel_user_id)
            service.record_phone_consent(s, who, "010-2345-6789", purpose="민원 진행 알림톡")

        def stage_message() -> Notification | None:
            with session_scope(engine) as s:
                found = s.execute(
                    select(Notification)
                    .join(Complaint, Complaint.id == Notification.complaint_id)
                    .where(Complaint.receipt_no == receipt, Notification.stage == "assigned")
                ).scalar_one_or_none()
                if found is not None:
                    s.expunge(found)
                return found

        def tries(key: str) -> int:
            return Counter(r["headers"].get("X-Idempotency-Key") for r in provider.requests)[key]

        provider.mode = "down"
        try:
            with session_scope(engine) as s:  # an officer moves the complaint on meanwhile
                service.assign_department(s, receipt, None, actor="officer:prod-test")
            key = wait_for(stage_message, 10, "the 'assigned' stage message queued").idempotency_key
            time.sleep(OUTAGE_SECONDS)
            assert stage_message().status != SENT
        finally:
            with provider._lock:  # the fake takes its mode and logs a request under this lock
                provider.mode = "up"
                refused = tries(key)
        assert refused >= 3, f"{refused} tries in {OUTAGE_SECONDS} s: the worker should keep trying during the outage"
        sent = wait_for(
            lambda: (m := stage_message()) and m.status == SENT and m, 30, "sent after the provider is back"
        )
        time.sleep(3)  # three more worker rounds: a second delivery would show now
        assert (tries(key), sent.attempts) == (refused + 1, refused + 1)  # refused, refused, …, delivered once
        assert stage_message().status == SENT
    finally:
        engine.dispose()
    assert key in provider.accepted
    assert_filed_once_each(prod_backends.database_url, resident.user, complaints=1)

"""Faults survived by the production profile (issue 13, item 5): the real stack of
`make run-prod` (scripts/run_prod.sh), a resident talking over the KakaoTalk webhook
through nginx, and a Rasa replica killed under them.

Skipped, with the reason printed, when nginx cannot be installed or PostgreSQL or
Redis do not answer on 127.0.0.1.
"""

from __future__ import annotations

import os
import signal
import uuid

import pytest
import redis
from sqlalchemy import create_engine, text

from connectors.kakao import payloads
from connectors.kakao.texts import load_texts
from tests.conftest import _pg_admin
from tests.prod.prod_stack import ProdStack, nginx_or_reason

pytestmark = pytest.mark.e2e


def _skip(reason: str) -> None:
    print(f"\nSKIP: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def prod_database():
    try:
        admin, user = _pg_admin()
    except ConnectionError as exc:
        _skip(f"PostgreSQL not reachable: {exc}")
    name = f"sotong_prod_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql+psycopg2://{user}@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def prod_stack(tmp_path_factory, prod_database):
    reason = nginx_or_reason()
    if reason:
        _skip(reason)
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        _skip(f"Redis not reachable at 127.0.0.1:6379: {exc}")
    stack = ProdStack(tmp_path_factory.mktemp("prod"), prod_database).start()
    yield stack
    stack.stop()
    # This stack's Kakao state and Rasa locks, nothing else.
    for pattern, db in ((f"sotong-test:{stack.tag}:*", 0), (f"sotongtest{stack.tag}:*", 1)):
        keys = redis.Redis(host="127.0.0.1", port=6379, db=db)
        found = list(keys.scan_iter(match=pattern, count=500))
        if found:
            keys.delete(*found)
        keys.close()
    client.close()


def complaints_of(database_url: str, user: str) -> int:
    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text(
                    "SELECT count(*) FROM complaint JOIN resident ON resident.id = complaint.resident_id "
                    "WHERE resident.channel_user_id LIKE :user"
                ),
                {"user": f"%{user}"},
            ).scalar_one()
    finally:
        engine.dispose()


# Starting two Rasa replicas on a busy 2-core machine takes minutes; the default 600 s covers
# fixture set-up too.
@pytest.mark.timeout(1500)
def test_a_report_continues_on_the_other_replica_when_one_is_killed_half_way(prod_stack, prod_database) -> None:
    stack = prod_stack
    me = f"prod-{uuid.uuid4().hex[:8]}"
    processing = load_texts().processing

    def say(words: str) -> str:
        shown = payloads.response_texts(stack.kakao(payloads.skill_request(words, me)))
        # A "처리 중" answer would mean the 5-second path, not what this test is about.
        assert processing not in shown, f"{words!r} took longer than the reply deadline"
        return shown

    # Each replica answers once before the resident starts (the first turn of a process is slow).
    for port in stack.rasa_ports:
        stack.kakao(payloads.skill_request("안녕하세요", f"warm-{me}-{port}"), timeout=60, replica=port)

    say("무단투기 신고할게요")
    assert "어떤 상황인가요" in say("서곶로 77 앞이에요")
    served = stack.last_kakao_upstream()

    os.kill(stack.replica_pid(served), signal.SIGKILL)  # no goodbye: as a crash or an OOM kill

    summary = say("음식물 쓰레기가 버려져 있어요")
    assert stack.last_kakao_upstream() != served  # nginx moved on to the other replica...
    assert "이대로 접수할까요" in summary and "서곶로 77 앞" in summary  # ...which had the whole form
    assert "접수번호" in say("네")
    assert complaints_of(prod_database, me) == 1  # filed once, by one replica

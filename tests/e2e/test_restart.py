"""A conversation survives a server restart: Rasa's tracker store lives in the same
database as the civic core — here PostgreSQL, the production set-up."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from tests.conftest import _pg_admin
from tests.e2e.stack import RasaStack, texts

pytestmark = pytest.mark.e2e


@pytest.fixture
def pg_url():
    try:
        admin, user = _pg_admin()
    except ConnectionError as exc:
        print(f"SKIP: PostgreSQL not reachable: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    name = f"sotong_e2e_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"postgresql+psycopg2://{user}@127.0.0.1:5432/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_a_half_filed_report_continues_after_a_restart(tmp_path, pg_url):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    first = RasaStack(tmp_path / "a", database_url=pg_url).start()
    try:
        first.say(me, "무단투기 신고할게요")
        assert "어떤 상황인가요" in texts(first.say(me, "서곶로 77 앞이에요"))
    finally:
        first.stop()

    second = RasaStack(tmp_path / "b", database_url=pg_url).start()
    try:
        summary = texts(second.say(me, "음식물 쓰레기가 버려져 있어요"))
        assert "이대로 접수할까요" in summary and "서곶로 77 앞" in summary
        assert "접수번호" in texts(second.say(me, "네"))
    finally:
        second.stop()

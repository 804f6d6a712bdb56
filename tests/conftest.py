"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

``core_db`` is parametrized over SQLite (a temp file) and PostgreSQL (a uniquely named
database created on 127.0.0.1:5432 and dropped at the end), migrated with Alembic as in
production, emptied and re-seeded before every test. When PostgreSQL cannot be reached
its tests are skipped with the reason, printed in the summary too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, delete, text

from sotong.complaints.seed import seed_district
from sotong.db import Base, create_schema, dispose_engine, get_engine, import_models, session_scope

PG_HOST, PG_PORT = "127.0.0.1", 5432
_pg_problems: list = []


def _pg_admin():
    """An AUTOCOMMIT engine on an existing database, as the first user that works."""
    errors = []
    users = [u for u in (os.environ.get("SOTONG_TEST_PG_USER"), "postgres", "root") if u]
    for user in users:
        for dbname in ("test", "postgres"):
            url = f"postgresql+psycopg2://{user}@{PG_HOST}:{PG_PORT}/{dbname}"
            engine = create_engine(url, future=True, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
            try:
                with engine.connect() as conn:
                    conn.execute(text("select 1"))
                return engine, user
            except Exception as exc:
                errors.append(f"{user}@{dbname}: {str(exc).strip().splitlines()[0]}")
                engine.dispose()
    raise ConnectionError("; ".join(errors))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def core_database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('core-db') / 'sotong.db'}"
        yield url
        dispose_engine(url)
        return
    try:
        admin, user = _pg_admin()
    except ConnectionError as exc:
        reason = f"PostgreSQL not reachable at {PG_HOST}:{PG_PORT}: {exc}"
        if reason not in _pg_problems:
            _pg_problems.append(reason)
        print(f"\nSKIP: {reason}")
        pytest.skip(reason)
    name = f"sotong_core_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"postgresql+psycopg2://{user}@{PG_HOST}:{PG_PORT}/{name}"
    try:
        yield url
    finally:
        dispose_engine(url)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def core_engine(core_database_url):
    engine = get_engine(core_database_url)
    create_schema(engine)  # the Alembic migrations, as in production
    import_models()
    return engine


@pytest.fixture
def core_db(core_engine, core_database_url, monkeypatch):
    """An emptied, freshly seeded database; DATABASE_URL points at it (for the CLI)."""
    monkeypatch.setenv("DATABASE_URL", core_database_url)
    with core_engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(delete(table))
    with session_scope(core_engine) as session:
        seed_district(session)
    return core_engine


@pytest.fixture
def backend(core_database_url) -> str:
    return core_database_url.split(":", 1)[0].split("+")[0]


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory):
    """The real Rasa server (REST, socket.io, Kakao channels; HTTP API behind a token) and
    action server on free ports with their own SQLite database, once per test session."""
    from tests.e2e.stack import RasaStack

    stack = RasaStack(tmp_path_factory.mktemp("stack")).start()
    yield stack
    stack.stop()


E2E_FIXTURES = {"rasa_stack"}


def pytest_collection_modifyitems(items):
    """Mark what `make unit` leaves out: tests on real servers (e2e) and on PostgreSQL.

    A test is e2e when it uses a stack fixture or is marked so by its module; a database
    test is `postgres` on its PostgreSQL parameter.
    """
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & E2E_FIXTURES or any(n.endswith("_stack") for n in names):
            item.add_marker(pytest.mark.e2e)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.id.split("-"):
            item.add_marker(pytest.mark.postgres)


def pytest_terminal_summary(terminalreporter):
    for reason in _pg_problems:
        terminalreporter.write_line(f"PostgreSQL tests skipped: {reason}", yellow=True)


REDIS_URL = "redis://127.0.0.1:6379/0"  # the machine's Redis (CI has it too)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A Redis key prefix of this test's own on the machine's Redis; every key under it is deleted
    afterwards. Skips (reason printed) when Redis does not answer."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"Redis not reachable at {REDIS_URL}: {error}"
        print(f"\nSKIP: {reason}")
        pytest.skip(reason)
    prefix = f"sotong-test:{uuid.uuid4().hex[:10]}:"
    yield prefix
    keys = list(client.scan_iter(match=f"{prefix}*", count=500))
    if keys:
        client.delete(*keys)
    client.close()

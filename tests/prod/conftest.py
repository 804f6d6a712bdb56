"""One production stack for every fault test in this package (issue 13, item 5).

Starting two Rasa replicas takes minutes on a busy 2-core machine, so the stack is
started once (package scope) and the fault modules run on it one after the other:
tests/prod/test_backends_down.py (PostgreSQL, Redis, the 알림톡 provider) before
tests/prod/test_failover.py (duplicate delivery, an action server and a Rasa replica
killed; the killed replica is not waited for).

The stack runs on servers the tests may stop: a private PostgreSQL cluster and a private
redis-server on free ports (tests/prod/private_services.py), and a fake 알림톡 provider
on loopback. Without the PostgreSQL binaries it uses the machine's server, with the
stack's database cut off for the outage; without redis-server, the machine's Redis with
key prefixes of its own (the Redis test is then skipped). Skipped, with the reason
printed, when nginx cannot be installed or a needed server does not answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from sqlalchemy import text

from connectors.kakao import payloads
from devkit.prod_stack import ProdStack, nginx_or_reason
from tests.conftest import _pg_admin
from tests.core.fake_alimtalk import FakeAlimtalkProvider
from tests.prod.private_services import (
    CutDatabase,
    PrivatePostgres,
    PrivateRedis,
    postgres_bin,
    redis_server_binary,
)

MACHINE_REDIS = "redis://127.0.0.1:6379/0"
# The worker looks at the outbox every second and retries a failed 알림톡 after 4 s, 8 s, then
# every 10 s: a provider outage of a minute is over for residents within seconds of its end.
QUICK_WORKER = {
    "SOTONG_NOTIFICATIONS_INTERVAL_SECONDS": "1",
    "SOTONG_NOTIFICATIONS_BACKOFF_SECONDS": "4",
    "SOTONG_NOTIFICATIONS_BACKOFF_CAP_SECONDS": "10",
}


def skip(reason: str) -> None:
    print(f"\nSKIP: {reason}")
    pytest.skip(reason)


@dataclass
class Backends:
    """What the stack runs on, and the handles to take each of it away."""

    database_url: str
    database: PrivatePostgres | CutDatabase  # .stop() / .start()
    redis_url: str
    redis: PrivateRedis | None  # None: the machine's Redis, never stopped
    provider: FakeAlimtalkProvider


@pytest.fixture(scope="package")
def prod_backends() -> Iterator[Backends]:
    name = f"sotong_prod_{uuid.uuid4().hex[:8]}"
    cleanups = []
    try:
        bindir = postgres_bin()
        if bindir is not None:
            cluster = PrivatePostgres(bindir)
            cleanups.append(cluster.destroy)
            database_url, database = cluster.create(name), cluster
        else:
            print("\nno PostgreSQL binaries: the outage cuts the stack's database on the machine's server")
            try:
                admin, user = _pg_admin()
            except ConnectionError as exc:
                skip(f"PostgreSQL not reachable: {exc}")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))

            def drop() -> None:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()

            cleanups.append(drop)
            database_url, database = f"postgresql+psycopg2://{user}@127.0.0.1:5432/{name}", CutDatabase(admin, name)
        binary = redis_server_binary()
        private_redis = None
        if binary:
            private_redis = PrivateRedis(binary)
            cleanups.append(private_redis.destroy)
            private_redis.start()
        else:
            client = redis.Redis.from_url(MACHINE_REDIS, socket_connect_timeout=3)
            try:
                client.ping()
            except redis.RedisError as exc:
                skip(f"no redis-server binary and no Redis at 127.0.0.1:6379: {exc}")
            finally:
                client.close()
        with FakeAlimtalkProvider() as provider:
            yield Backends(
                database_url,
                database,
                private_redis.url if private_redis else MACHINE_REDIS,
                private_redis,
                provider,
            )
    finally:
        for cleanup in reversed(cleanups):
            cleanup()


@pytest.fixture(scope="package")
def prod_stack(tmp_path_factory, prod_backends: Backends) -> Iterator[ProdStack]:
    reason = nginx_or_reason()
    if reason:
        skip(reason)
    stack = ProdStack(
        tmp_path_factory.mktemp("prod"),
        prod_backends.database_url,
        redis_url=prod_backends.redis_url,
        extra_env={**prod_backends.provider.env(), **QUICK_WORKER},
    ).start()
    try:
        # Each replica answers once before the tests (the first turn of a process is slow).
        for port in stack.rasa_ports:
            stack.kakao(payloads.skill_request("안녕하세요", f"warm-{port}"), timeout=60, replica=port)
        yield stack
    finally:
        stack.stop()
        if prod_backends.redis is None:  # the machine's Redis: this stack's keys, nothing else
            for pattern, db in ((f"sotong-test:{stack.tag}:*", 0), (f"sotongtest{stack.tag}:*", 1)):
                keys = redis.Redis(host="127.0.0.1", port=6379, db=db)
                found = list(keys.scan_iter(match=pattern, count=500))
                if found:
                    keys.delete(*found)
                keys.close()

"""The three stacks the production benchmark compares, started as operators start them, on free ports.

* ``OneProcessStack``: `make run`'s shape (scripts/run.sh): one Rasa server, one action server, the
  web app and the notification worker under scripts/supervise.py, on SQLite (devkit/stack.py's
  ``RasaStack`` with the web app and the worker added).
* ``BenchProdStack``: scripts/run_prod.sh (`make run-prod`) with ``SOTONG_RASA_REPLICAS`` 1 or 2, on its
  own PostgreSQL database and Redis key prefixes (devkit/prod_stack.py's ``ProdStack``, which
  waits for two replicas; this one waits for as many as it asked for).

Both let the load through what is not being measured: the per-sender message rate and the filing
limit (simulated residents file a report each conversation), the per-address budget of new web
devices (every simulated web resident comes from 127.0.0.1), and loopback Kakao callbacks.
"""

from __future__ import annotations

import os
import shlex
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
import requests
from sqlalchemy import create_engine, text

from devkit import BIN
from devkit.procs import descendants, free_port
from devkit.prod_stack import ProdStack
from devkit.stack import RasaStack

PG_ADMIN_URL = os.environ.get("SOTONG_BENCH_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_URL = "redis://127.0.0.1:6379/0"


def load_through(callback_port: int) -> dict[str, str]:
    """Settings that keep the limits a load test is not about out of its way (module docstring)."""
    return {
        "KAKAO_CALLBACK_HOSTS": f"127.0.0.1:{callback_port}",
        "KAKAO_CALLBACK_ALLOW_HTTP": "1",
        "SOTONG_FILING_LIMIT_PER_HOUR": "0",
        "SOTONG_FILING_LIMIT_PER_DAY": "0",
        "SOTONG_MESSAGE_RATE": "100000/1",
        "SOTONG_WEB_NEW_DEVICES": "100000",
    }


def process_kind(cmdline: bytes) -> str | None:
    """Which service a process of a stack is, by its command line (None: the supervisor, a shell)."""
    argv = cmdline.split(b"\0")
    if cmdline.startswith(b"nginx:") or argv[0].endswith(b"/nginx"):
        return "nginx"  # master and workers retitle themselves "nginx: … process"
    if b"scripts.rasa_server" in argv:
        return "rasa"
    if b"actions.server" in argv:
        return "actions"
    if b"web" in argv and b"-m" in argv:
        return "web"
    if b"notifications" in argv and b"worker" in argv:
        return "worker"
    return None


def stack_pids(supervisor_pid: int) -> dict[int, str]:
    """pid -> kind of every service process under a supervisor."""
    found: dict[int, str] = {}
    for pid in descendants(supervisor_pid):
        try:
            kind = process_kind(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:
            continue
        if kind:
            found[pid] = kind
    return found


@dataclass
class OneProcessStack(RasaStack):
    """`make run`: Rasa, actions, web app and worker on one SQLite database (module docstring)."""

    web_port: int = field(default_factory=free_port)

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    @property
    def kakao_url(self) -> str:
        return f"{self.rasa_url}/webhooks/kakao/webhook"

    def services(self) -> list[str]:
        python = str(BIN / "python")
        return super().services() + [
            "worker=" + shlex.join([python, "-m", "sotong.cli", "notifications", "worker"]),
            "web=" + shlex.join([python, "-m", "web"]),
        ]

    def start(self) -> "OneProcessStack":
        self.extra_env.update(SOTONG_WEB_PORT=str(self.web_port), SOTONG_HANDOFF_SWEEP_SECONDS="60")
        super().start()
        try:
            wait_http(f"{self.web_url}/healthz", 120)
        except Exception:
            self.stop()
            raise
        return self

    def pids(self) -> dict[int, str]:  # type: ignore[override]
        found: dict[int, str] = {}
        for supervisor in self.procs:
            found.update(stack_pids(supervisor.pid))
        return found


@dataclass
class BenchProdStack(ProdStack):
    """`make run-prod` with ``replicas`` Rasa replicas (each with its own action server), as the
    benchmark reaches it."""

    @property
    def kakao_url(self) -> str:
        return f"{self.front}/webhooks/kakao/webhook"

    @property
    def web_url(self) -> str:
        return self.front  # nginx -> the web app, as a resident's browser reaches it

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[0]}"

    def pids(self) -> dict[int, str]:
        return stack_pids(self.proc.pid) if self.proc else {}

    def forget_redis_keys(self) -> None:
        """This stack's KakaoTalk state and Rasa locks, nothing else (other engineers share Redis)."""
        for pattern, db in ((f"sotong-test:{self.tag}:*", 0), (f"sotongtest{self.tag}:*", 1)):
            client = redis.Redis(host="127.0.0.1", port=6379, db=db, socket_connect_timeout=3)
            try:
                found = list(client.scan_iter(match=pattern, count=500))
                if found:
                    client.delete(*found)
            except redis.RedisError:
                pass
            finally:
                client.close()


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=3).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not up after {timeout:.0f} s")


@contextmanager
def bench_database() -> Iterator[tuple[str, str]]:
    """(url, name) of a fresh PostgreSQL database for one production stack, dropped afterwards."""
    admin = create_engine(PG_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"sotong_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    user = admin.url.username or "postgres"
    try:
        yield f"postgresql+psycopg2://{user}@127.0.0.1:5432/{name}", name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def services_reachable() -> str | None:
    """None when PostgreSQL and Redis answer on loopback, else why not (the prod stacks need both)."""
    try:
        engine = create_engine(PG_ADMIN_URL, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure (driver, auth, network) is a reason to report
        return f"PostgreSQL at {PG_ADMIN_URL} does not answer: {str(exc).splitlines()[0]}"
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} does not answer: {exc}"
    finally:
        client.close()
    return None

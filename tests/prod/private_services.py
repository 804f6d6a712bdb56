"""PostgreSQL and Redis servers of the fault tests' own, so a test can really stop and
start them: the machine's servers are shared with CI and other tests and must stay up.

* ``PrivatePostgres``: a throw-away cluster (initdb, pg_ctl from /usr/lib/postgresql/*/bin)
  on a free port, trust authentication on loopback only. As root it runs as the
  ``postgres`` account, since PostgreSQL refuses to run as root.
* ``PrivateRedis``: redis-server on a free port with an append-only file, so what the
  replicas kept there outlives a restart as it would on a district's Redis.
* ``CutDatabase``: the fallback when no PostgreSQL binaries are installed: the stack's
  database on the shared server refuses connections for a while (ALLOW_CONNECTIONS false,
  its sessions ended), which residents see exactly as an outage.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from devkit.procs import free_port


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory with initdb and pg_ctl, if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name or 0))
    for path in reversed(found):
        if all((Path(path) / tool).exists() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(path)
    return None


class PrivatePostgres:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        # Not under pytest's tmp dirs: those are root-only, and the server may run as `postgres`.
        self.home = Path(tempfile.mkdtemp(prefix="sotong-pg-"))
        self.data = self.home / "data"
        self.user = None if os.geteuid() else "postgres"

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *argv: str, timeout: float = 120) -> None:
        command = [str(self.bindir / argv[0]), *argv[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stdout}{done.stderr}")

    def create(self, database: str) -> str:
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.home, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT", future=True)
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{database}"'))
        engine.dispose()
        return self.url(database)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.home} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.home / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: sessions are cut as in a crash or a restart for an upgrade."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop()
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        shutil.rmtree(self.home, ignore_errors=True)


class CutDatabase:
    """One database on the shared server, cut off and given back, the server untouched."""

    def __init__(self, admin: Engine, database: str) -> None:
        self.engine = admin  # AUTOCOMMIT, on another database of the same server
        self.database = database

    def stop(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :db"),
                {"db": self.database},
            )

    def start(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true'))


class PrivateRedis:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.home = Path(tempfile.mkdtemp(prefix="sotong-redis-"))
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 20) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.home)]
            + ["--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "yes"],
            stdout=(self.home / "server.log").open("ab"),
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.RedisError:
                    if self.proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start: {(self.home / 'server.log').read_text()}")
                    time.sleep(0.1)
        finally:
            client.close()

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.home, ignore_errors=True)


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")

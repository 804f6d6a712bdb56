"""CPU seconds of a stack's processes over one load level, per kind of process (Linux /proc).

utime + stime (and reaped children's) from /proc/<pid>/stat, read before and after the level.
A process that appears during the level (a PostgreSQL backend for a new connection, a restarted
service) counts from zero; one that exits during it loses what it used since the first reading
(noted). PostgreSQL and Redis are shared with everything else on this machine, so:

* ``postgres``: only the backends serving the bench's own database (their process title names it);
  the server's WAL writer, checkpointer and background writer are not counted.
* ``redis``: the whole redis-server process; whatever other work on the machine asks of it too.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devkit.timing import cpu_seconds


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def shared_service_pids(database: str | None) -> dict[int, str]:
    """Backends of ``database`` ("postgres") and the Redis server ("redis")."""
    found: dict[int, str] = {}
    wanted = f" {database} ".encode() if database else None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        cmdline = _cmdline(int(entry.name))
        if wanted and cmdline.startswith(b"postgres: ") and wanted in cmdline:
            found[int(entry.name)] = "postgres"
        elif cmdline.startswith(b"redis-server"):
            found[int(entry.name)] = "redis"
    return found


def runqueue_wait(pid: int) -> float | None:
    """Seconds the process's main thread (Rasa's event loop) has spent ready to run but waiting for a
    core (/proc/<pid>/schedstat, second field): time lost to the machine's other work, not to I/O."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


@dataclass
class CpuReading:
    at: float
    per_pid: dict[int, tuple[str, float]]
    client: float  # this process: the load generator
    waits: dict[int, float] = field(default_factory=dict)

    @classmethod
    def take(cls, pids: dict[int, str]) -> "CpuReading":
        per_pid: dict[int, tuple[str, float]] = {}
        waits: dict[int, float] = {}
        for pid, kind in pids.items():
            used = cpu_seconds([pid])
            if used is not None:
                per_pid[pid] = (kind, used)
            waited = runqueue_wait(pid)
            if waited is not None:
                waits[pid] = waited
        own = os.times()
        return cls(time.monotonic(), per_pid, own.user + own.system, waits)


@dataclass
class CpuUse:
    seconds: float
    by_kind: dict[str, float] = field(default_factory=dict)
    client: float = 0.0
    exited: list[str] = field(default_factory=list)
    waited_by_kind: dict[str, float] = field(default_factory=dict)  # main threads' run-queue wait

    @property
    def stack_seconds(self) -> float:
        """Every kind but Redis, which is shared as a whole (module docstring)."""
        return sum(v for k, v in self.by_kind.items() if k != "redis")


def used_between(before: CpuReading, after: CpuReading) -> CpuUse:
    use = CpuUse(seconds=after.at - before.at, client=after.client - before.client)
    for pid, (kind, now) in after.per_pid.items():
        then = before.per_pid.get(pid, (kind, 0.0))[1]
        use.by_kind[kind] = use.by_kind.get(kind, 0.0) + max(0.0, now - then)
        if pid in after.waits:
            waited = after.waits[pid] - before.waits.get(pid, 0.0)
            use.waited_by_kind[kind] = use.waited_by_kind.get(kind, 0.0) + max(0.0, waited)
    use.exited = sorted(f"{kind} {pid}" for pid, (kind, _) in before.per_pid.items() if pid not in after.per_pid)
    return use


async def wait_until_quiet(
    pids: Callable[[], dict[int, str]], cap: float, cores: float = 0.15, calm_seconds: int = 2
) -> float:
    """Wait (at most ``cap`` s) until the stack uses under ``cores`` for ``calm_seconds`` in a row:
    a level's backlog (answers still being computed, callbacks) must not run into the next level.
    Seconds waited."""
    started = time.monotonic()
    calm = 0
    last = CpuReading.take(pids())
    while time.monotonic() - started < cap and calm < calm_seconds:
        await asyncio.sleep(1.0)
        now = CpuReading.take(pids())
        use = used_between(last, now)
        calm = calm + 1 if use.stack_seconds / max(use.seconds, 1e-6) < cores else 0
        last = now
    return time.monotonic() - started

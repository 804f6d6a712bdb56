"""Child processes of a test or a benchmark: ports, environment, timed runs, clean stops (Linux /proc)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

from devkit import ROOT


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**extra: str) -> dict[str, str]:
    """Our environment for a child Python/Rasa process: the checkout importable, Rasa and
    TensorFlow quiet, no telemetry leaving the machine; ``extra`` on top."""
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "RASA_TELEMETRY_ENABLED": "false",
        }
    )
    env.update(extra)
    return env


def tail(path: Path, n: int = 15) -> str:
    """The last ``n`` lines of a log ("" if it is missing)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def stop(proc: subprocess.Popen | None, grace: float = 15) -> None:
    """Stop a process started with ``start_new_session=True`` and everything in its group:
    SIGTERM, then SIGKILL after ``grace`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def spawn(cmd: list[str], env: dict[str, str], logfile: Path) -> subprocess.Popen:
    """Start ``cmd`` in the checkout, in its own session (so ``stop`` reaches its whole group),
    stdout and stderr to ``logfile``, no stdin."""
    with open(logfile, "wb") as out:
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def run_timed(cmd: list[str], env: dict[str, str], logfile: Path, timeout: float) -> float:
    """Run ``cmd`` to completion in its own process group (output to ``logfile``); its wall
    seconds, or RuntimeError with the log's tail on a non-zero exit or a timeout."""
    proc = None
    try:
        t0 = time.perf_counter()
        proc = spawn(cmd, env, logfile)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"timed out after {timeout:.0f} s: {' '.join(cmd[:3])}") from None
        elapsed = time.perf_counter() - t0
    finally:
        stop(proc)
    if rc != 0:
        raise RuntimeError(f"exit {rc}: {' '.join(cmd[:3])}\n{tail(logfile)}")
    return elapsed


def children(pid: int) -> list[int]:
    """Direct children of a process (empty if it is gone)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:  # a thread or the process exiting right now
            pass
    return found


def descendants(pid: int) -> list[int]:
    """Children, grandchildren, … of a process."""
    found: list[int] = []
    todo = [pid]
    while todo:
        kids = children(todo.pop())
        found += kids
        todo += kids
    return found


def command_line(pid: int) -> bytes:
    """A process's raw command line (NUL-separated; b"" if it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""

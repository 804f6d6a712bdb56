"""Figures of a run: percentiles, CPU seconds and memory of processes (Linux /proc)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100): a value that was actually measured; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def cpu_seconds(pids: Sequence[int]) -> float | None:
    """utime + stime of the processes (and their waited-for children); None if one is gone."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
        return total / ticks
    except (OSError, ValueError, IndexError):
        return None


def memory_kb(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS (resident set now) of a process, in kB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(val.split()[0])
    return out


def peak_rss_mb(pids: Sequence[int]) -> float:
    """The sum of the processes' peak resident sets, in MB (a process already gone counts 0)."""
    total = 0
    for pid in pids:
        try:
            total += memory_kb(pid)["VmHWM"]
        except (OSError, KeyError):
            pass
    return total / 1024


def latency_figures(ms: Sequence[float], prefix: str = "parse") -> dict[str, float | int | None]:
    """p50, p95 (nearest rank), mean and max of latencies in ms, keyed ``<prefix>_p50_ms`` etc."""
    return {
        f"{prefix}_p50_ms": percentile(ms, 50),
        f"{prefix}_p95_ms": percentile(ms, 95),
        f"{prefix}_mean_ms": sum(ms) / len(ms) if ms else None,
        f"{prefix}_max_ms": max(ms) if ms else None,
        f"{prefix}_n": len(ms),
    }

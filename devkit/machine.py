"""The machine and software a figure was taken on, for the benchmark reports."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def _first(path: str, prefix: str) -> str | None:
    """The value of the first ``prefix: value`` line of a /proc file."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def describe() -> dict[str, Any]:
    """Cores we may use, CPU model, RAM, OS and Python."""
    mem = _first("/proc/meminfo", "MemTotal")
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "ram_gb": round(int(mem.split()[0]) / 2**20, 1) if mem else None,
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def versions(packages: Iterable[str]) -> dict[str, str]:
    """Installed version of each distribution ("not installed" if it is not)."""
    out = {}
    for pkg in packages:
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def loadavg() -> str:
    """The 1, 5 and 15 minute load averages, e.g. "0.52 0.61 0.70" (others share the machine)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())

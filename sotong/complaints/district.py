"""The district's complaint data file (complaints.yml): categories, officers, wording for staff."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from sotong.settings import load_settings


def _read(path: Path) -> dict[str, Any]:
    # Keyed by modification time: read once per edit, not once per timeline line.
    return _read_version(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_version(path: str, mtime_ns: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def complaints_config(district_dir: Path | None = None) -> dict[str, Any]:
    return _read(Path(district_dir or load_settings().district_dir) / "complaints.yml")


def status_labels(district_dir: Path | None = None) -> dict[str, str]:
    return dict(complaints_config(district_dir).get("status_labels") or {})


def default_appeal_info(district_dir: Path | None = None) -> str:
    return str(complaints_config(district_dir).get("default_appeal_info") or "")

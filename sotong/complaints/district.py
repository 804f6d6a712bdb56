"""The district's complaint data file (complaints.yml): categories, officers, wording for staff."""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, Optional

import yaml

from sotong.settings import load_settings


def _read(path: Path) -> Dict[str, Any]:
    # Keyed by modification time: read once per edit, not once per timeline line.
    return _read_version(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _read_version(path: str, mtime_ns: int) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def complaints_config(district_dir: Optional[Path] = None) -> Dict[str, Any]:
    return _read(Path(district_dir or load_settings().district_dir) / "complaints.yml")


def status_labels(district_dir: Optional[Path] = None) -> Dict[str, str]:
    return dict(complaints_config(district_dir).get("status_labels") or {})


def default_appeal_info(district_dir: Optional[Path] = None) -> str:
    return str(complaints_config(district_dir).get("default_appeal_info") or "")

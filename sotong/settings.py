"""Every environment variable Sotong reads, in one place (listed in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    database_url: str
    district_dir: Path


def load_settings() -> Settings:
    """Read the environment now (not at import time, so tests can change it)."""
    default_db = f"sqlite:///{PROJECT_ROOT / 'var' / 'sotong.db'}"
    return Settings(
        database_url=_env("DATABASE_URL", default_db),
        district_dir=Path(_env("SOTONG_DISTRICT_DIR", str(PROJECT_ROOT / "district" / "incheon-seogu"))),
    )


def production_mode() -> bool:
    """SOTONG_MODE=production: refuse to start with anything left open (README, "Production mode").

    The default (development) keeps `make run` and the README's curl examples working on
    loopback; production demands every secret and closes what has no token.
    """
    mode = os.environ.get("SOTONG_MODE", "").strip().lower()
    if mode not in ("", "development", "production"):
        raise ValueError(f"SOTONG_MODE must be 'development' or 'production', not {mode!r}")
    return mode == "production"

"""Where the studio trains from and publishes to, read from the environment when asked.

SOTONG_STUDIO_MAX_F1_DROP   largest macro-F1 drop (old − new, 0..1) a candidate may have and
                            still be published (default 0.01)
SOTONG_STUDIO_ROOT          the project the studio trains (config.yml, domain.yml, data/,
                            scripts/validate.py, tests/…); default this checkout. The FAQ
                            catalogue is the district's (SOTONG_DISTRICT_DIR), as for editing
SOTONG_STUDIO_CONFIG        Rasa config to train with (default <project>/config.yml)
SOTONG_STUDIO_MODELS_DIR    models directory (default <project>/models); candidates and
                            every published model are kept in its releases/ folder
SOTONG_STUDIO_SERVING_MODEL the file `make run` serves (default <models>/sotong.tar.gz); a
                            publish or rollback copies the live model there, so a restart keeps it
SOTONG_STUDIO_KEEP          published models kept besides the live one (default 5)
SOTONG_TRAIN_LOCK           file lock every training on this machine holds (default
                            /tmp/sotong-train.lock, the one `flock … make train` uses)
SOTONG_VAR_DIR              logs of trainings go to <var>/studio/ (default <project>/var)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sotong.settings import PROJECT_ROOT

DEFAULT_MAX_F1_DROP = 0.01
DEFAULT_KEEP = 5


class StudioSettingsError(ValueError):
    """A variable is set to something unusable; the message names it."""


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


@dataclass(frozen=True)
class StudioSettings:
    project: Path
    config: Path
    models_dir: Path
    serving_model: Path
    keep: int
    train_lock: Path
    work_dir: Path
    max_f1_drop: float

    @property
    def releases_dir(self) -> Path:
        return self.models_dir / "releases"


def max_f1_drop() -> float:
    raw = _env("SOTONG_STUDIO_MAX_F1_DROP")
    if not raw:
        return DEFAULT_MAX_F1_DROP
    try:
        value = float(raw)
    except ValueError:
        raise StudioSettingsError(f"SOTONG_STUDIO_MAX_F1_DROP must be a number, not {raw!r}") from None
    if not 0.0 <= value <= 1.0:
        raise StudioSettingsError(f"SOTONG_STUDIO_MAX_F1_DROP must be between 0 and 1, not {value}")
    return value


def load_studio_settings() -> StudioSettings:
    project = Path(_env("SOTONG_STUDIO_ROOT") or PROJECT_ROOT).resolve()
    models = Path(_env("SOTONG_STUDIO_MODELS_DIR") or project / "models").resolve()
    keep_raw = _env("SOTONG_STUDIO_KEEP") or str(DEFAULT_KEEP)
    if not keep_raw.isdigit() or not 1 <= int(keep_raw) <= 100:
        raise StudioSettingsError(f"SOTONG_STUDIO_KEEP must be a whole number from 1 to 100, not {keep_raw!r}")
    return StudioSettings(
        project=project,
        config=Path(_env("SOTONG_STUDIO_CONFIG") or project / "config.yml").resolve(),
        models_dir=models,
        serving_model=Path(_env("SOTONG_STUDIO_SERVING_MODEL") or models / "sotong.tar.gz").resolve(),
        keep=int(keep_raw),
        train_lock=Path(_env("SOTONG_TRAIN_LOCK") or "/tmp/sotong-train.lock"),
        work_dir=Path(_env("SOTONG_VAR_DIR") or project / "var").resolve() / "studio",
        max_f1_drop=max_f1_drop(),
    )

"""The district profile: name, 동 list, departments, phones, hours and links.

One folder per district (``district/<name>/``) holds ``profile.yml`` and the CSV
files for the directory; ``SOTONG_DISTRICT_DIR`` picks the folder. Another 구청
adopts Sotong by copying the folder and replacing its files.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from sotong.settings import load_settings


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    phone: str


@dataclass(frozen=True)
class DistrictProfile:
    directory: Path
    raw: Dict[str, Any]

    @property
    def name(self) -> str:
        return self.raw["name"]

    @property
    def is_sample(self) -> bool:
        return bool(self.raw.get("sample", False))

    @property
    def main_phone(self) -> str:
        return str(self.raw.get("main_phone", ""))

    @property
    def dongs(self) -> List[str]:
        return list(self.raw.get("dongs", []))

    @property
    def departments(self) -> Dict[str, Department]:
        return {d["code"]: Department(d["code"], d["name"], str(d["phone"])) for d in self.raw.get("departments", [])}

    def department(self, code: Optional[str]) -> Department:
        """The named department, or the district's main line when the code is unknown."""
        return self.departments.get(code or "") or Department("main", self.name, self.main_phone)

    def section(self, key: str) -> Dict[str, Any]:
        return dict(self.raw.get(key) or {})

    def data_file(self, name: str) -> Path:
        return self.directory / name


@functools.lru_cache(maxsize=8)
def _load(directory: str) -> DistrictProfile:
    path = Path(directory) / "profile.yml"
    with path.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    if "name" not in raw:
        raise ValueError(f"{path}: a district profile needs at least a 'name'")
    return DistrictProfile(Path(directory), raw)


def load_profile(directory: Optional[Path] = None) -> DistrictProfile:
    return _load(str(directory or load_settings().district_dir))

"""The district profile: name, 동 list, departments, phones, hours, passport, bulky waste, links.

One folder per district (``district/<name>/``) holds ``profile.yml`` and the CSV
files for the directory; ``SOTONG_DISTRICT_DIR`` picks the folder. Another 구청
adopts Sotong by copying the folder and replacing its files.

Each section is a frozen, typed model checked when the profile is loaded, so a
typo in the district's file stops the process at start-up with the file and the
key ("profile.yml: passport.fees.0.fee: field required") instead of a KeyError
in the middle of a resident's conversation. Adapters read the typed attributes;
``raw`` stays only for callers not converted yet (sotong/complaints/seed.py).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

from sotong.office_hours import DAY_CODES, OfficeHours, Window, parse_hours
from sotong.settings import load_settings


class ProfileError(ValueError):
    """The district's profile.yml is missing, unreadable or has a wrong key; the message names both."""


class _Section(BaseModel):
    class Config:
        extra = Extra.forbid  # a misspelt key is an error, not a silently ignored setting
        allow_mutation = False
        frozen = True
        anystr_strip_whitespace = True


class Department(_Section):
    code: str
    name: str
    phone: str

    def __init__(self, *args: Any, **data: Any) -> None:
        # positional construction kept: Department("main", name, phone); a missing key stays missing
        super().__init__(**dict(zip(("code", "name", "phone")[: len(args)], args, strict=True)), **data)


class ExtendedHours(_Section):
    day: str
    hours: str
    services: tuple[str, ...] = ()

    @validator("day")
    def _known_day(cls, v: str) -> str:
        if v not in DAY_CODES:
            raise ValueError(f"must be one of {', '.join(DAY_CODES)}")
        return v

    @validator("hours")
    def _hours(cls, v: str) -> str:
        return _checked_hours(v)


def _checked_hours(v: str) -> str:
    try:
        parse_hours(v)
    except ValueError:
        raise ValueError("must look like '09:00-18:00'") from None
    return v


class OfficeHoursSection(_Section):
    weekdays: str = "09:00-18:00"
    lunch: str = ""
    # Whether the 구청's civil-service windows stay open over lunch: "open", "closed", or ""
    # (not stated: the bot then tells the hour but not whether the window is open).
    lunch_window: str = ""
    extended: tuple[ExtendedHours, ...] = ()

    _weekdays = validator("weekdays", allow_reuse=True)(_checked_hours)

    @validator("lunch")
    def _lunch(cls, v: str) -> str:
        return _checked_hours(v) if v else v

    @validator("lunch_window")
    def _lunch_window(cls, v: str) -> str:
        if v not in ("", "open", "closed"):
            raise ValueError("must be 'open' or 'closed'")
        return v

    def hours(self) -> OfficeHours:
        """The core's view of these hours (sotong/office_hours.py)."""
        return OfficeHours(
            weekdays=parse_hours(self.weekdays),
            extended=tuple(Window(e.day, *parse_hours(e.hours), services=tuple(e.services)) for e in self.extended),
        )


class PassportFee(_Section):
    kind: str
    fee: str


class PassportSection(_Section):
    department: str = "civil"
    place: str = ""
    hours: str = ""
    processing_days: str = ""
    fees: tuple[PassportFee, ...] = ()
    documents: tuple[str, ...] = ()


class FreePickup(_Section):
    name: str
    phone: str
    url: str = ""


class BulkyWasteSection(_Section):
    department: str = "cleaning"
    apply_online: str = ""
    appliance_free_pickup: FreePickup | None = None
    # 대형폐기물구분명 values in the fee table that the free pickup takes
    appliance_categories: tuple[str, ...] = ()
    # how many near items to offer as buttons when an item is not in the fee table
    max_suggestions: int = 3


class HandoffSection(_Section):
    department: str = "civil"  # who takes "상담원 연결" requests


class Link(_Section):
    title: str
    url: str
    department: str | None = None


class DistrictProfile(_Section):
    directory: Path
    raw: dict[str, Any]  # the file as read; compatibility only, adapters use the fields
    name: str
    short_name: str = ""
    bot_name: str = ""
    is_sample: bool = False
    main_phone: str = ""
    website: str = ""
    timezone: str = "Asia/Seoul"
    office_hours: OfficeHoursSection = OfficeHoursSection()
    dongs: tuple[str, ...] = ()
    departments_list: tuple[Department, ...] = ()
    passport: PassportSection = PassportSection()
    bulky_waste: BulkyWasteSection = BulkyWasteSection()
    links: dict[str, Link] = {}
    handoff: HandoffSection = HandoffSection()
    privacy: dict[str, Any] = {}  # typed by its owner (sotong/privacy/policy.py)

    @validator("short_name", always=True)
    def _short_name(cls, v: str, values: dict[str, Any]) -> str:
        return v or values.get("name", "")

    @property
    def district(self) -> str:
        """The 시군구명 the directory's rows are stored under ('서구')."""
        return self.short_name or self.name

    @property
    def departments(self) -> dict[str, Department]:
        return {d.code: d for d in self.departments_list}

    def department(self, code: str | None) -> Department:
        """The named department, or the district's main line when the code is unknown."""
        return self.departments.get(code or "") or Department("main", self.name, self.main_phone)

    def section(self, key: str) -> dict[str, Any]:
        """A section as a plain dict (for sections not typed here, e.g. ``privacy``)."""
        return dict(self.raw.get(key) or {})

    def data_file(self, name: str) -> Path:
        return self.directory / name


# profile.yml keys whose name differs from the attribute
_RENAMED = {"sample": "is_sample", "departments": "departments_list"}


def _where(loc: tuple[Any, ...]) -> str:
    inverse = {v: k for k, v in _RENAMED.items()}
    return ".".join(str(inverse.get(part, part)) for part in loc)


def parse_profile(raw: Any, directory: Path, source: str) -> DistrictProfile:
    """Build the typed profile from the parsed YAML, or raise ProfileError naming ``source`` and the key."""
    if not isinstance(raw, dict):
        raise ProfileError(f"{source}: the profile must be a mapping of keys, not {type(raw).__name__}")
    fields: dict[str, Any] = {_RENAMED.get(str(k), str(k)): v for k, v in raw.items()}
    try:
        return DistrictProfile(directory=directory, raw=raw, **fields)
    except ValidationError as exc:
        problems: list[str] = [f"{_where(err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise ProfileError(f"{source}: " + "; ".join(problems)) from None


@functools.lru_cache(maxsize=8)
def _load(directory: str) -> DistrictProfile:
    path = Path(directory) / "profile.yml"
    try:
        with path.open(encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read the district profile ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from None
    return parse_profile(raw, Path(directory), str(path))


def load_profile(directory: Path | None = None) -> DistrictProfile:
    """The district's profile, parsed and checked once per folder (ProfileError when it is wrong)."""
    return _load(str(directory or load_settings().district_dir))

"""Is the district office open now, or on a given day? Weekends and Korean public holidays included.

Which days are working days (weekends, 설날, 추석, substitute holidays) is
``sotong.workdays``'s job; this module only knows the office's hours: the weekday
window and the windows some services keep longer (the passport desk on Thursday
evenings). The chat's office-hours and passport answers and the handoff all ask here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sotong.workdays import KST, holiday_name, next_working_day

DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# what a resident may ask about beyond a single weekday (the NLU's `day` entity values)
WEEKEND, HOLIDAY, WEEKDAY = "weekend", "holiday", "weekday"
DAY_VALUES = DAY_CODES + (WEEKEND, HOLIDAY, WEEKDAY)

__all__ = [
    "KST",
    "DAY_CODES",
    "DAY_VALUES",
    "OfficeHours",
    "Window",
    "DayHours",
    "OfficeState",
    "parse_hours",
    "office_state",
    "hours_on",
    "is_open",
    "next_open_day",
    "now_in_seoul",
]


def parse_hours(spec: str) -> tuple[time, time]:
    """'09:00-18:00' -> (time(9), time(18)); ValueError when it is not a window."""
    start, end = (part.strip() for part in str(spec).split("-"))
    opens, closes = time.fromisoformat(start), time.fromisoformat(end)
    if closes <= opens:
        raise ValueError(f"{spec!r}: closes before it opens")
    return opens, closes


@dataclass(frozen=True)
class Window:
    """Extra hours on one weekday, for some services only (empty = every service)."""

    day: str
    opens: time
    closes: time
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class OfficeHours:
    weekdays: tuple[time, time] = (time(9), time(18))
    extended: tuple[Window, ...] = ()


@dataclass(frozen=True)
class DayHours:
    """When a service can be reached on the day asked about (open False: closed all day)."""

    day: str
    open: bool
    opens: time | None = None
    closes: time | None = None

    def text(self) -> str:
        """'09:00~20:00' (the value slotted into the answer)."""
        if not self.open or self.opens is None or self.closes is None:
            return ""
        return f"{self.opens:%H:%M}~{self.closes:%H:%M}"


@dataclass(frozen=True)
class OfficeState:
    kind: str  # "open" | "after_hours" | "weekend" | "holiday"
    holiday: str | None
    next_open_day: date


def _hours(spec: str | OfficeHours) -> OfficeHours:
    return spec if isinstance(spec, OfficeHours) else OfficeHours(weekdays=parse_hours(spec))


def hours_on(hours: OfficeHours, day: str, service: str | None = None) -> DayHours:
    """The hours ``service`` keeps on ``day`` (a DAY_VALUES code): weekday window plus its extensions.

    Public holidays and weekends are closed unless the profile gives that day a window;
    "weekday" means an ordinary weekday (no extension).
    """
    if day not in DAY_VALUES:
        raise ValueError(f"unknown day {day!r}")
    if day == HOLIDAY:
        return DayHours(day, False)
    if day == WEEKEND:
        sat, sun = hours_on(hours, "sat", service), hours_on(hours, "sun", service)
        return sat if sat.open else sun if sun.open else DayHours(day, False)
    opens, closes = hours.weekdays
    is_open = day in DAY_CODES[:5] or day == WEEKDAY
    if not is_open:
        opens, closes = time.max, time.min  # closed unless an extension opens it
    for window in hours.extended:
        if window.day != day or (window.services and service not in window.services):
            continue
        # windows that touch or overlap the day's hours widen them; a separate one on a closed day opens it
        if is_open and window.opens <= closes and window.closes >= opens:
            opens, closes = min(opens, window.opens), max(closes, window.closes)
        elif not is_open:
            opens, closes, is_open = window.opens, window.closes, True
    return DayHours(day, True, opens, closes) if is_open else DayHours(day, False)


def office_state(now: datetime, hours: str | OfficeHours) -> OfficeState:
    """Where ``now`` (any timezone; naive means Seoul) falls against the office's weekday hours."""
    local = now.astimezone(KST) if now.tzinfo else now.replace(tzinfo=KST)
    today = local.date()
    opens, closes = _hours(hours).weekdays
    name = holiday_name(today)
    if name:
        return OfficeState("holiday", name, next_working_day(today))
    if today.weekday() >= 5:
        return OfficeState("weekend", None, next_working_day(today))
    if opens <= local.time() < closes:
        return OfficeState("open", None, today)
    upcoming = today if local.time() < opens else next_working_day(today)
    return OfficeState("after_hours", None, upcoming)


def within(now: datetime, spec: str) -> bool:
    """Is ``now`` (naive means Seoul) inside the daily window ``spec`` ("12:00-13:00")?"""
    local = now.astimezone(KST) if now.tzinfo else now.replace(tzinfo=KST)
    starts, ends = parse_hours(spec)
    return starts <= local.time() < ends


def is_open(now: datetime, hours: str | OfficeHours) -> bool:
    """Can a resident reach an officer right now?"""
    return office_state(now, hours).kind == "open"


def next_open_day(now: datetime, hours: str | OfficeHours) -> date:
    """The next day (today if still before opening) an officer can be reached."""
    return office_state(now, hours).next_open_day


def now_in_seoul() -> datetime:
    """The current time in Korea (callers take it as a default they can replace in tests)."""
    return datetime.now(KST)

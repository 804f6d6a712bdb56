"""Is the district office open now? Weekends and Korean public holidays included.

Holidays come from the maintained ``holidays`` package (KR calendar, names in
Korean), so 설날, 추석 and substitute holidays need no yearly edits here.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Optional
from zoneinfo import ZoneInfo

import holidays

SEOUL = ZoneInfo("Asia/Seoul")


@functools.lru_cache(maxsize=32)
def _kr_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year, language="ko")


def holiday_name(day: date) -> Optional[str]:
    return _kr_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and holiday_name(day) is None


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    nxt = day + timedelta(days=1)
    while not is_working_day(nxt):
        nxt += timedelta(days=1)
    return nxt


def parse_hours(spec: str) -> tuple:
    """'09:00-18:00' -> (time(9), time(18))."""
    start, end = (part.strip() for part in spec.split("-"))
    return time.fromisoformat(start), time.fromisoformat(end)


@dataclass(frozen=True)
class OfficeState:
    kind: str            # "open" | "after_hours" | "weekend" | "holiday"
    holiday: Optional[str]
    next_open_day: date


def office_state(now: datetime, weekday_hours: str) -> OfficeState:
    """Where ``now`` (any timezone; naive means Seoul) falls against the office hours."""
    local = now.astimezone(SEOUL) if now.tzinfo else now.replace(tzinfo=SEOUL)
    today = local.date()
    opens, closes = parse_hours(weekday_hours)
    name = holiday_name(today)
    if name:
        return OfficeState("holiday", name, next_working_day(today))
    if today.weekday() >= 5:
        return OfficeState("weekend", None, next_working_day(today))
    if opens <= local.time() < closes:
        return OfficeState("open", None, today)
    upcoming = today if local.time() < opens else next_working_day(today)
    return OfficeState("after_hours", None, upcoming)

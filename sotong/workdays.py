"""The district's calendar: which days are working days (no weekends, no Korean public holidays).

Public holidays come from the maintained ``holidays`` package (lunar holidays,
substitute holidays and election days included), with Korean names, so nothing
here needs a yearly edit. Deadlines and office hours both count on this module.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta, timezone

import holidays

KST = timezone(timedelta(hours=9), "KST")  # Korea has no daylight saving time

_kr_holidays = holidays.country_holidays("KR", language="ko")
_holiday_lock = threading.Lock()  # lookups expand the year table lazily


def holiday_name(day: date) -> str | None:
    """'추석', '설날', ... or None on an ordinary day."""
    with _holiday_lock:
        return _kr_holidays.get(day)


def is_holiday(day: date) -> bool:
    return holiday_name(day) is not None


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day

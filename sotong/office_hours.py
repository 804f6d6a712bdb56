"""Is the district office open now? Weekends and Korean public holidays included.

Which days are working days (weekends, 설날, 추석, substitute holidays) is
``sotong.workdays``'s job; this module only knows the office's hours.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Optional

from sotong.workdays import KST, holiday_name, next_working_day


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
    local = now.astimezone(KST) if now.tzinfo else now.replace(tzinfo=KST)
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

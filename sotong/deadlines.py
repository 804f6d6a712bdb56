"""Legal processing deadlines (처리기한) and the district clock.

Counting follows 민원 처리에 관한 법률 제19조 as summarised in docs/civic-domain.md:

* periods of 6 days or more count in days: the day of receipt counts as the first day
  if it is a working day (첫날 산입), Saturdays, Sundays and public holidays do not
  count, and the deadline is the end of the last counted day (18:00 KST);
* periods of 5 days or less count in working hours from the moment of receipt,
  8 hours = 1 day (09:00-12:00 and 13:00-18:00 on working days).

Working days come from ``sotong.workdays`` (weekends and Korean public holidays). Simplification: a complaint filed
after 18:00 still counts that working day as its first day in day mode; districts that
treat after-hours filings as next-day receipts would change ``_first_day``.

Times are stored in the database as naive UTC; helpers here convert.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import overload

from sotong.workdays import KST, is_holiday, is_working_day, next_working_day  # noqa: F401 (re-exported)

WORKDAY_START = time(9, 0)
WORKDAY_END = time(18, 0)
# Working periods of a day; together 8 hours, the law's "1 day" in hour mode.
WORKING_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
HOURS_PER_DAY = 8
HOUR_MODE_MAX_DAYS = 5


# --- clock -------------------------------------------------------------------


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def to_db(moment: datetime) -> datetime:
    """Aware (or naive-UTC) datetime -> naive UTC, the storage form on every backend."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@overload
def from_db(stored: datetime) -> datetime: ...
@overload
def from_db(stored: None) -> None: ...
def from_db(stored: datetime | None) -> datetime | None:
    """Naive UTC from the database -> aware UTC."""
    if stored is None:
        return None
    return stored.replace(tzinfo=timezone.utc) if stored.tzinfo is None else stored


def to_kst(moment: datetime) -> datetime:
    return from_db(moment).astimezone(KST)


# --- calendar: sotong.workdays ----------------------------------------------


def _first_day(received: date) -> date:
    return received if is_working_day(received) else next_working_day(received)


def nth_working_day(received: date, period_days: int) -> date:
    """The last day of a period of ``period_days`` working days, the receipt day counting."""
    if period_days < 1:
        raise ValueError("period_days must be at least 1")
    day = _first_day(received)
    for _ in range(period_days - 1):
        day = next_working_day(day)
    return day


def _add_working_hours(start: datetime, hours: int) -> datetime:
    remaining = timedelta(hours=hours)
    cursor = start
    while True:
        day = cursor.date()
        if is_working_day(day):
            for begin, end in WORKING_PERIODS:
                period_start = datetime.combine(day, begin, KST)
                period_end = datetime.combine(day, end, KST)
                if cursor >= period_end:
                    continue
                from_ = max(cursor, period_start)
                available = period_end - from_
                if remaining <= available:
                    return from_ + remaining
                remaining -= available
        cursor = datetime.combine(next_working_day(day), WORKDAY_START, KST)


def due_at(received_at: datetime, period_days: int) -> datetime:
    """The deadline (aware, KST) for a complaint received at ``received_at``."""
    if period_days < 1:
        raise ValueError("period_days must be at least 1")
    received = to_kst(received_at)
    if period_days <= HOUR_MODE_MAX_DAYS:
        return _add_working_hours(received, period_days * HOURS_PER_DAY)
    last_day = nth_working_day(received.date(), period_days)
    return datetime.combine(last_day, WORKDAY_END, KST)


def is_overdue(deadline: datetime | None, now: datetime | None = None) -> bool:
    """True once ``now`` is past the deadline. Whether the complaint is still open is
    the caller's concern (a completed complaint is not overdue)."""
    if deadline is None:
        return False
    return from_db(now or now_utc()) > from_db(deadline)


def format_due(deadline: datetime) -> str:
    """'2026-10-01' for an end-of-day deadline, '2026-10-01 15:00' for an hour-mode one."""
    local = to_kst(deadline)
    if local.time() == WORKDAY_END:
        return local.strftime("%Y-%m-%d")
    return local.strftime("%Y-%m-%d %H:%M")

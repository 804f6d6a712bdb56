"""Processing deadlines: working days without weekends and Korean public holidays."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from sotong.deadlines import KST, due_at, format_due, is_overdue, is_working_day, nth_working_day


def kst(*args) -> datetime:
    return datetime(*args, tzinfo=KST)


def test_the_holiday_package_knows_the_holidays_we_rely_on():
    kr = holidays.country_holidays("KR", years=[2026, 2027])
    for day in (
        date(2026, 9, 24),
        date(2026, 9, 25),
        date(2026, 9, 26),  # 추석 2026
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
        date(2027, 2, 9),  # 설날 2027 + 대체
        date(2026, 10, 5),
    ):  # 개천절 대체공휴일
        assert day in kr


def test_chuseok_week_2026_seven_days_from_monday():
    # Mon 21 (1), Tue 22 (2), Wed 23 (3), Thu-Sat 추석, Sun, Mon 28 (4), Tue 29 (5), Wed 30 (6), Thu Oct 1 (7)
    assert due_at(kst(2026, 9, 21, 10, 0), 7) == kst(2026, 10, 1, 18, 0)


def test_seollal_2027_with_substitute_holiday():
    # Fri Feb 5 (1); Sat 6 - Tue 9 설날 and 대체공휴일; Wed 10 (2) ... Wed 17 (7)
    assert due_at(kst(2027, 2, 5, 9, 0), 7) == kst(2027, 2, 17, 18, 0)


def test_the_day_of_receipt_counts_only_if_it_is_a_working_day():
    # Filed on Saturday 2026-09-19: counting starts Monday the 21st, same deadline as Monday.
    assert due_at(kst(2026, 9, 19, 11, 0), 7) == kst(2026, 10, 1, 18, 0)
    # Filed on 추석 itself
    assert due_at(kst(2026, 9, 25, 11, 0), 7) == kst(2026, 10, 7, 18, 0)  # 28,29,30,1,2,6(5th is 대체),7


def test_utc_input_is_read_in_korean_time():
    # 2026-09-20 16:00 UTC is Monday 01:00 KST, so Monday is the first day; naive means UTC.
    assert due_at(datetime(2026, 9, 20, 16, 0, tzinfo=timezone.utc), 7) == kst(2026, 10, 1, 18, 0)
    assert due_at(datetime(2026, 9, 20, 16, 0), 7) == kst(2026, 10, 1, 18, 0)
    # 14:00 UTC Sunday is 23:00 KST Sunday: counting starts Monday too
    assert due_at(datetime(2026, 9, 20, 14, 0, tzinfo=timezone.utc), 7) == kst(2026, 10, 1, 18, 0)


def test_hour_mode_for_short_periods_skips_lunch_nights_and_holidays():
    # 3 days = 24 working hours from Wed 2026-09-23 16:00: 2 h that day, Thu-Sun off (추석),
    # Mon 8 h, Tue 8 h, Wed 09-12 (3 h) and 13-16 (3 h).
    assert due_at(kst(2026, 9, 23, 16, 0), 3) == kst(2026, 9, 30, 16, 0)
    # 1 day from 11:00: 1 h before lunch, 5 h after, 2 h next day
    assert due_at(kst(2026, 11, 2, 11, 0), 1) == kst(2026, 11, 3, 11, 0)
    # received at night: the hours start next morning
    assert due_at(kst(2026, 11, 2, 22, 0), 1) == kst(2026, 11, 3, 18, 0)
    # received during lunch: counts from 13:00 (5 h that day, 3 h next morning)
    assert due_at(kst(2026, 11, 2, 12, 30), 1) == kst(2026, 11, 3, 12, 0)


def test_overdue_only_after_the_deadline():
    deadline = kst(2026, 10, 1, 18, 0)
    assert not is_overdue(deadline, kst(2026, 10, 1, 17, 59))
    assert not is_overdue(deadline, deadline)
    assert is_overdue(deadline, kst(2026, 10, 1, 18, 1))
    assert not is_overdue(None, kst(2030, 1, 1, 0, 0))


def test_format_due():
    assert format_due(kst(2026, 10, 1, 18, 0)) == "2026-10-01"
    assert format_due(kst(2026, 9, 30, 16, 0)) == "2026-09-30 16:00"


@settings(max_examples=300, deadline=None)
@given(
    received=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    days=st.integers(min_value=6, max_value=30),
)
def test_day_mode_counts_exactly_the_period_in_working_days(received, days):
    last = nth_working_day(received, days)
    assert is_working_day(last)
    span = [received + timedelta(n) for n in range((last - received).days + 1)]
    assert sum(is_working_day(d) for d in span) == days


@settings(max_examples=300, deadline=None)
@given(
    received=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    days=st.integers(min_value=1, max_value=5),
)
def test_hour_mode_ends_inside_working_hours_on_a_working_day(received, days):
    due = due_at(received.replace(tzinfo=KST), days)
    assert is_working_day(due.date())
    assert time(9, 0) < due.time() <= time(18, 0) and due > received.replace(tzinfo=KST)
    assert not time(12, 0) < due.time() <= time(13, 0)  # never inside lunch

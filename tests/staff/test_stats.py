"""The dashboard's figures (sotong.complaints.stats) on SQLite and PostgreSQL: an empty
database, scope per department, the median time to completion, the overdue list, and
weeks that start on Monday 00:00 KST (not UTC)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest

from sotong.complaints import service, stats
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.staff import dashboard
from sotong.staff.errors import Forbidden
from tests.staff.conftest import make_account

KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 9, 23, 3, 0, tzinfo=timezone.utc)  # Wednesday 12:00 KST; its week starts Mon 09-21
STAFF = service.Actor.staff("kim")


def file_at(engine, at: datetime, category: str = "illegal_dumping") -> str:
    with session_scope(engine) as s:
        result = service.file_complaint(
            s,
            ResidentKey("kakao", "resident-" + uuid.uuid4().hex[:8]),
            category=category,
            address="인천 서구 청라동 1-1",
            description="집 앞에 쓰레기가 버려져 있어요",
            idempotency_key=uuid.uuid4().hex,
            now=at,
        )
    return result.complaint.receipt_no


def complete_at(engine, receipt: str, at: datetime, officer: str = "cleaning-kim") -> None:
    with session_scope(engine) as s:
        service.assign_department(s, receipt, None, actor=STAFF, now=at - timedelta(minutes=4))
        service.assign_officer(s, receipt, officer, actor=STAFF, now=at - timedelta(minutes=3))
        for status, back in (("on_site_check", 2), ("under_review", 1), ("completed", 0)):
            service.advance(s, receipt, status, actor=STAFF, now=at - timedelta(minutes=back))


def figures(engine, department: str | None = None, now: datetime = NOW) -> stats.Figures:
    with session_scope(engine) as s:
        return stats.compute(s, department=department, now=now)


def test_an_empty_database_gives_zeros_and_eight_empty_weeks(core_db):
    f = figures(core_db)
    assert f.total == f.open == f.completed == f.overdue_total == 0
    assert [c.count for c in f.by_status] == [0] * len(f.by_status) and len(f.by_status) == 9
    assert f.by_category == f.by_department == f.overdue == ()
    assert f.median_hours is None
    assert [w.start for w in f.weeks] == [date(2026, 8, 3) + timedelta(weeks=i) for i in range(8)]
    assert all(w.filed == w.completed == 0 for w in f.weeks)


def test_weeks_start_on_monday_midnight_kst(core_db):
    # Sunday 23:59 KST and Monday 00:01 KST are both Sunday in UTC; they fall in two weeks.
    file_at(core_db, datetime(2026, 9, 20, 23, 59, tzinfo=KST))
    file_at(core_db, datetime(2026, 9, 21, 0, 1, tzinfo=KST))
    file_at(core_db, datetime(2026, 9, 22, 10, 0, tzinfo=KST))
    # Monday 00:00 KST sharp opens the oldest week of the window; one second before is outside it.
    file_at(core_db, datetime(2026, 8, 3, 0, 0, tzinfo=KST))
    file_at(core_db, datetime(2026, 8, 2, 23, 59, 59, tzinfo=KST))
    f = figures(core_db)
    assert f.weeks[0].start == date(2026, 8, 3) and f.weeks[-1].start == date(2026, 9, 21)
    assert [w.filed for w in f.weeks] == [1, 0, 0, 0, 0, 0, 1, 2]
    assert f.total == 5 and f.open == 5


def test_completions_by_week_and_the_median_time_to_completion(core_db):
    monday = datetime(2026, 9, 14, 9, 0, tzinfo=KST)
    for hours in (2, 10, 160):  # the last: next Monday 01:00 KST
        complete_at(core_db, file_at(core_db, monday), monday + timedelta(hours=hours))
    # Completed Monday 00:30 KST (Sunday in UTC): counts in the current week, filed in the last.
    late = file_at(core_db, datetime(2026, 9, 20, 20, 30, tzinfo=KST))
    complete_at(core_db, late, datetime(2026, 9, 21, 0, 30, tzinfo=KST))
    file_at(core_db, datetime(2026, 9, 22, 9, 0, tzinfo=KST))  # still open
    f = figures(core_db)
    assert f.completed == 4 and f.total == 5 and f.open == 1
    assert f.median_hours == pytest.approx((4 + 10) / 2)  # 2, 4, 10, 160 hours
    counts = {c.code: c.count for c in f.by_status}
    assert counts["completed"] == 4 and counts["received"] == 1
    assert (f.weeks[-2].filed, f.weeks[-2].completed) == (4, 2)
    assert (f.weeks[-1].filed, f.weeks[-1].completed) == (1, 2)


def test_an_officer_sees_their_department_and_unrouted_complaints_count_where_they_route(core_db):
    at = datetime(2026, 9, 22, 9, 0, tzinfo=KST)
    file_at(core_db, at, "illegal_dumping")  # cleaning, unrouted
    file_at(core_db, at, "missed_pickup")  # cleaning, unrouted
    parking = file_at(core_db, at, "illegal_parking")  # traffic
    with session_scope(core_db) as s:
        service.assign_department(s, parking, None, actor=STAFF, now=at)
    everyone = figures(core_db)
    assert {c.code: c.count for c in everyone.by_department} == {"cleaning": 2, "traffic": 1}
    assert everyone.by_department[0].code == "cleaning"  # most first
    cleaning = figures(core_db, "cleaning")
    assert cleaning.total == 2 and [c.code for c in cleaning.by_department] == ["cleaning"]
    assert sorted(c.code for c in cleaning.by_category) == ["illegal_dumping", "missed_pickup"]
    traffic = figures(core_db, "traffic")
    assert traffic.total == 1 and {c.code: c.count for c in traffic.by_status}["assigned"] == 1
    assert figures(core_db, "parks").total == 0


def test_the_overdue_list_has_open_complaints_past_due_most_overdue_first(core_db):
    old = file_at(core_db, datetime(2026, 8, 31, 10, 0, tzinfo=KST))  # due 09-08 18:00 (7 working days)
    older = file_at(core_db, datetime(2026, 8, 24, 10, 0, tzinfo=KST))
    done = file_at(core_db, datetime(2026, 8, 24, 11, 0, tzinfo=KST))
    complete_at(core_db, done, datetime(2026, 9, 1, 10, 0, tzinfo=KST))
    file_at(core_db, datetime(2026, 9, 22, 10, 0, tzinfo=KST))  # not due yet
    f = figures(core_db)
    assert f.overdue_total == 2 and [o.receipt_no for o in f.overdue] == [older, old]
    assert f.overdue[0].department_name and f.overdue[0].category_name and f.overdue[0].status == "received"
    assert f.overdue[0].days_late > f.overdue[1].days_late > 0
    assert figures(core_db, "traffic").overdue_total == 0


def test_the_dashboard_scope_follows_the_role(core_db):
    file_at(core_db, datetime(2026, 9, 22, 9, 0, tzinfo=KST), "illegal_parking")
    admin = make_account(core_db, "admin", role="admin", department=None)
    kim = make_account(core_db, "kim", officer="cleaning-kim")
    teacher = make_account(core_db, "teacher", role="trainer")
    with session_scope(core_db) as s:
        assert dashboard.figures(s, admin, now=NOW).total == 1
        assert dashboard.figures(s, kim, now=NOW).total == 0
        with pytest.raises(Forbidden):
            dashboard.figures(s, teacher, now=NOW)

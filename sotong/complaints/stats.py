"""Figures for the staff dashboard: counts, the median time to completion, the overdue
list and the weekly trend — plain frozen data, no web or Rasa code.

Scope follows the console's queue (sotong.staff.work): ``department=None`` is every
complaint (an admin); a department code is the complaints that department holds, plus
unrouted ones (접수) whose category routes there. A complaint's department in the
counts is the one that holds it, else the one its category routes to.

Grouping by week happens here in Python, not in SQL: KST weeks (Monday 00:00 KST) from
naive-UTC timestamps would need a different date function on each backend. Only the
timestamps of the last weeks are read, so this stays cheap.

Nothing here is a resident's personal data (no addresses, reports or phones): viewing
the dashboard is not audited, unlike a complaint's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sotong.complaints.lifecycle import CLOSED, ComplaintStatus
from sotong.complaints.models import Complaint, ComplaintCategory, ComplaintStatusChange, Department
from sotong.deadlines import KST, format_due, from_db, now_utc, to_db, to_kst

WEEKS = 8
OVERDUE_LIMIT = 50
COMPLETED = ComplaintStatus.COMPLETED.value


@dataclass(frozen=True)
class Count:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class Week:
    start: date  # Monday (KST)
    filed: int
    completed: int


@dataclass(frozen=True)
class OverdueItem:
    receipt_no: str
    status: str
    category_name: str
    department_name: str
    due_text: str
    days_late: int  # whole days past the deadline (0 = less than a day)


@dataclass(frozen=True)
class Figures:
    total: int
    open: int
    by_status: tuple[Count, ...]  # every status, lifecycle order (zeros kept)
    by_category: tuple[Count, ...]  # categories with complaints, most first
    by_department: tuple[Count, ...]  # departments with complaints, most first
    completed: int
    median_hours: float | None  # receipt to completion; None when nothing is completed
    overdue_total: int
    overdue: tuple[OverdueItem, ...]  # most overdue first, at most OVERDUE_LIMIT
    weeks: tuple[Week, ...]  # oldest first, the current week last


def _holder():
    """The department that holds a complaint: its own, else the one its category routes to."""
    return func.coalesce(Complaint.department_id, ComplaintCategory.department_id)


def _scoped(stmt, department: str | None):
    stmt = stmt.join(ComplaintCategory, Complaint.category_id == ComplaintCategory.id)
    if department is None:
        return stmt
    own = select(Department.id).where(Department.code == department).scalar_subquery()
    return stmt.where(
        or_(
            Complaint.department_id == own,
            Complaint.department_id.is_(None) & (ComplaintCategory.department_id == own),
        )
    )


def week_start(moment: datetime) -> date:
    """The Monday (KST) of the week ``moment`` falls in."""
    day = to_kst(moment).date()
    return day - timedelta(days=day.weekday())


def _week_bounds(now: datetime) -> tuple[date, datetime]:
    """The first Monday of the window and that Monday's 00:00 KST as naive UTC."""
    first = week_start(now) - timedelta(weeks=WEEKS - 1)
    return first, to_db(datetime.combine(first, datetime.min.time(), KST))


def _counts(session: Session, department: str | None, column, names: dict) -> list[Count]:
    rows = session.execute(_scoped(select(column, func.count(Complaint.id)), department).group_by(column)).all()
    found = []
    for key, n in rows:
        if key is not None:
            code, name = names.get(key, (str(key), str(key)))
            found.append(Count(code, name, int(n)))
    return sorted(found, key=lambda c: (-c.count, c.name))


def _completions(session: Session, department: str | None, since: datetime | None = None):
    """(created_at, completed_at) of each completed complaint in scope; the first completion line."""
    done = func.min(ComplaintStatusChange.at)
    stmt = _scoped(select(Complaint.created_at, done), department).join(
        ComplaintStatusChange, ComplaintStatusChange.complaint_id == Complaint.id
    )
    stmt = stmt.where(ComplaintStatusChange.to_status == COMPLETED, ComplaintStatusChange.kind == "status")
    stmt = stmt.group_by(Complaint.id, Complaint.created_at)
    if since is not None:
        stmt = stmt.having(done >= since)
    return session.execute(stmt).all()


def _overdue(session: Session, department: str | None, now: datetime, names: dict) -> tuple[int, list[OverdueItem]]:
    late = [Complaint.status.notin_([s.value for s in CLOSED]), Complaint.due_at < to_db(now)]
    total = session.execute(_scoped(select(func.count(Complaint.id)), department).where(*late)).scalar_one()
    stmt = _scoped(
        select(Complaint.receipt_no, Complaint.status, ComplaintCategory.name, _holder(), Complaint.due_at), department
    )
    rows = session.execute(stmt.where(*late).order_by(Complaint.due_at, Complaint.id).limit(OVERDUE_LIMIT)).all()
    items = [
        OverdueItem(
            receipt_no=receipt,
            status=status,
            category_name=category,
            department_name=names.get(holder, ("", "-"))[1],
            due_text=format_due(due),
            days_late=max(0, (from_db(to_db(now)) - from_db(due)).days),
        )
        for receipt, status, category, holder, due in rows
    ]
    return int(total), items


def compute(session: Session, department: str | None = None, now: datetime | None = None) -> Figures:
    """Every figure of the dashboard for one scope (``department=None``: all)."""
    now = now or now_utc()
    departments = {d.id: (d.code, d.name) for d in session.execute(select(Department)).scalars()}
    categories = {c.id: (c.code, c.name) for c in session.execute(select(ComplaintCategory)).unique().scalars()}

    status_rows = dict(
        session.execute(
            _scoped(select(Complaint.status, func.count(Complaint.id)), department).group_by(Complaint.status)
        ).all()
    )
    by_status = tuple(Count(s.value, s.value, int(status_rows.get(s.value, 0))) for s in ComplaintStatus)
    total = sum(c.count for c in by_status)
    closed = {s.value for s in CLOSED}
    open_ = sum(c.count for c in by_status if c.code not in closed)

    completions = _completions(session, department)
    hours = [(from_db(done) - from_db(created)).total_seconds() / 3600 for created, done in completions]
    overdue_total, overdue = _overdue(session, department, now, departments)

    first, since = _week_bounds(now)
    filed_at = session.execute(_scoped(select(Complaint.created_at), department).where(Complaint.created_at >= since))
    filed = [week_start(at) for (at,) in filed_at]
    done = [week_start(at) for _, at in _completions(session, department, since)]
    weeks = tuple(
        Week(start, filed.count(start), done.count(start))
        for start in (first + timedelta(weeks=i) for i in range(WEEKS))
    )
    return Figures(
        total=total,
        open=open_,
        by_status=by_status,
        by_category=tuple(_counts(session, department, Complaint.category_id, categories)),
        by_department=tuple(_counts(session, department, _holder(), departments)),
        completed=len(hours),
        median_hours=median(hours) if hours else None,
        overdue_total=overdue_total,
        overdue=tuple(overdue),
        weeks=weeks,
    )

"""Read models handed to callers: plain, frozen data, safe to use after the session closes.

The same ``ComplaintView`` serves the chat (a resident's own complaints), the web API
and the staff CLI. Texts are codes and data from the database; wording is the caller's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sotong.complaints.lifecycle import CLOSED, CORRECTABLE, ComplaintStatus, can_transition
from sotong.complaints.models import Complaint, ComplaintCategory, ComplaintStatusChange
from sotong.deadlines import format_due, is_overdue, now_utc, to_kst


@dataclass(frozen=True)
class TimelineEntry:
    """One stage of the parcel-tracking style timeline."""

    kind: str  # status | correction
    status: str  # ComplaintStatus value after the event
    from_status: str | None
    at: datetime  # KST
    actor: str
    note: str | None
    department_name: str | None
    officer_name: str | None
    officer_phone: str | None


@dataclass(frozen=True)
class ComplaintView:
    receipt_no: str
    status: str
    category_code: str
    category_name: str
    address: str
    lat: float | None
    lng: float | None
    description: str
    photo_url: str | None
    seen_at: str | None
    department_code: str | None
    department_name: str | None
    department_phone: str | None
    routed_department_name: str  # who handles it: the department, else the one the category routes to
    officer_code: str | None
    officer_name: str | None
    officer_phone: str | None
    rejection_reason: str | None
    appeal_info: str | None
    created_at: datetime  # KST
    updated_at: datetime  # KST
    due_at: datetime  # KST; end of the last working day, or an hour in hour mode
    due_date: date
    due_text: str  # '2026-10-01' or '2026-10-01 15:00'
    overdue: bool
    can_correct: bool
    can_cancel: bool
    timeline: tuple[TimelineEntry, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly (dates as ISO strings) for the web API and ``--json``."""

        def plain(value):
            if isinstance(value, (datetime, date)):
                return value.isoformat()
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        return plain(asdict(self))


@dataclass(frozen=True)
class CategoryView:
    """What a resident is told before filing: the category, where it goes, how long it takes."""

    code: str
    name: str
    processing_days: int
    department_name: str


def category_view(category: ComplaintCategory) -> CategoryView:
    return CategoryView(
        code=category.code,
        name=category.name,
        processing_days=category.processing_days,
        department_name=category.department.name,
    )


def reached_on_site(complaint: Complaint) -> bool:
    return any(c.to_status == ComplaintStatus.ON_SITE_CHECK.value for c in complaint.history)


def is_correctable(complaint: Complaint) -> bool:
    """Before anyone went on site: by status, and never on site before (e.g. transferred after)."""
    return ComplaintStatus(complaint.status) in CORRECTABLE and not reached_on_site(complaint)


def _entry(change: ComplaintStatusChange) -> TimelineEntry:
    return TimelineEntry(
        kind=change.kind,
        status=change.to_status,
        from_status=change.from_status,
        at=to_kst(change.at),
        actor=change.actor,
        note=change.note,
        department_name=change.department.name if change.department else None,
        officer_name=change.officer.name if change.officer else None,
        officer_phone=change.officer.phone if change.officer else None,
    )


def build_view(complaint: Complaint, now: datetime | None = None) -> ComplaintView:
    status = ComplaintStatus(complaint.status)
    department, officer = complaint.department, complaint.officer
    due = to_kst(complaint.due_at)
    return ComplaintView(
        receipt_no=complaint.receipt_no,
        status=status.value,
        category_code=complaint.category.code,
        category_name=complaint.category.name,
        address=complaint.address,
        lat=complaint.lat,
        lng=complaint.lng,
        description=complaint.description,
        photo_url=complaint.photo_url,
        seen_at=complaint.seen_at,
        department_code=department.code if department else None,
        department_name=department.name if department else None,
        department_phone=department.phone if department else None,
        routed_department_name=(department or complaint.category.department).name,
        officer_code=officer.code if officer else None,
        officer_name=officer.name if officer else None,
        officer_phone=officer.phone if officer else None,
        rejection_reason=complaint.rejection_reason,
        appeal_info=complaint.appeal_info,
        created_at=to_kst(complaint.created_at),
        updated_at=to_kst(complaint.updated_at),
        due_at=due,
        due_date=due.date(),
        due_text=format_due(due),
        overdue=status not in CLOSED and is_overdue(due, now or now_utc()),
        can_correct=is_correctable(complaint),
        can_cancel=can_transition(status, ComplaintStatus.CANCELLED),
        timeline=tuple(_entry(c) for c in complaint.history),
    )

"""Officer operations (the CLI and the staff web API wrap these): routing, naming the
officer in charge, moving through the stages, rejecting and transferring.

``actor`` names who acts: an ``Actor`` (staff or the system; a string such as
"staff:kim" is parsed once here) — never a resident. It goes into the history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.complaints import history, queries
from sotong.complaints.actors import Actor
from sotong.complaints.errors import InvalidComplaintInput, TransitionRefused
from sotong.complaints.lifecycle import CLOSED, ComplaintStatus, check_transition
from sotong.complaints.models import Complaint, Department
from sotong.complaints.views import ComplaintView, build_view
from sotong.deadlines import now_utc, to_db

S = ComplaintStatus
# Stages ``advance`` moves to on its own; the others need data (see their functions).
PLAIN_STAGES = frozenset({S.ON_SITE_CHECK, S.UNDER_REVIEW, S.COMPLETED})
_NEEDS = {
    S.OFFICER_ASSIGNED: "name the officer with assign_officer",
    S.TRANSFERRED: "use transfer with the new department",
    S.REJECTED: "use reject with a reason and how to appeal",
    S.CANCELLED: "only the resident can withdraw a complaint",
    S.RECEIVED: "a complaint is received only when filed",
}


def get_complaint(session: Session, receipt_no: str, now: datetime | None = None) -> ComplaintView:
    """Any complaint by receipt number (staff); raises ComplaintNotFound."""
    return build_view(queries.complaint_for_staff(session, receipt_no), now)


def list_complaints(
    session: Session,
    *,
    status: str | ComplaintStatus | None = None,
    overdue: bool = False,
    department: str | None = None,
    limit: int = 200,
    now: datetime | None = None,
) -> list[ComplaintView]:
    """Complaints for the staff queue, oldest due first; ``overdue`` keeps open ones past due."""
    now = now or now_utc()
    stmt = select(Complaint).order_by(Complaint.due_at, Complaint.id).limit(limit)
    if status is not None:
        stmt = stmt.where(Complaint.status == ComplaintStatus.parse(status).value)
    if department is not None:
        queries.department(session, department)  # a typo is an error, not an empty queue
    if overdue:
        stmt = stmt.where(Complaint.status.notin_([s.value for s in CLOSED]), Complaint.due_at < to_db(now))
    if department is not None:
        stmt = stmt.join(Department, Complaint.department_id == Department.id).where(Department.code == department)
    return [build_view(c, now) for c in session.execute(stmt).unique().scalars().all()]


def assign_department(
    session: Session,
    receipt_no: str,
    department_code: str | None = None,
    *,
    actor: Actor | str,
    note: str | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """부서 배정. Without a code, the department the category routes to."""
    actor = _staff(actor)
    complaint = queries.complaint_for_staff(session, receipt_no, lock=True)
    department = queries.department(session, department_code) if department_code else complaint.category.department
    _refuse_early(complaint, S.ASSIGNED)
    complaint.department = department
    history.record(session, complaint, to_status=S.ASSIGNED, actor=actor, note=note, now=now)
    return build_view(complaint, now)


def assign_officer(
    session: Session,
    receipt_no: str,
    officer_code: str,
    *,
    actor: Actor | str,
    note: str | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """담당자 지정: the officer must work in the complaint's department."""
    actor = _staff(actor)
    complaint = queries.complaint_for_staff(session, receipt_no, lock=True)
    officer = queries.officer(session, officer_code)
    _refuse_early(complaint, S.OFFICER_ASSIGNED)
    if complaint.department_id != officer.department_id:
        raise TransitionRefused(
            complaint.status, S.OFFICER_ASSIGNED.value, f"officer {officer.code} is not in the complaint's department"
        )
    complaint.officer = officer
    history.record(session, complaint, to_status=S.OFFICER_ASSIGNED, actor=actor, note=note, now=now)
    return build_view(complaint, now)


def advance(
    session: Session,
    receipt_no: str,
    to_status: str | ComplaintStatus,
    *,
    actor: Actor | str,
    note: str | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """Move to a stage that needs no extra data: on_site_check, under_review, completed.
    ``assigned`` routes to the category's department. Others say which call to use."""
    actor = _staff(actor)
    target = ComplaintStatus.parse(to_status)
    if target == S.ASSIGNED:
        return assign_department(session, receipt_no, None, actor=actor, note=note, now=now)
    complaint = queries.complaint_for_staff(session, receipt_no, lock=True)
    if target not in PLAIN_STAGES:
        raise TransitionRefused(complaint.status, target.value, _NEEDS[target])
    history.record(session, complaint, to_status=target, actor=actor, note=note, now=now)
    return build_view(complaint, now)


def reject(
    session: Session,
    receipt_no: str,
    *,
    reason: str,
    appeal_info: str,
    actor: Actor | str,
    now: datetime | None = None,
) -> ComplaintView:
    """반려: the law requires the reason and how to appeal; both go to the resident."""
    actor = _staff(actor)
    if not (reason or "").strip():
        raise InvalidComplaintInput("reason", "a rejection must state its reason")
    if not (appeal_info or "").strip():
        raise InvalidComplaintInput("appeal_info", "a rejection must say how to appeal")
    complaint = queries.complaint_for_staff(session, receipt_no, lock=True)
    _refuse_early(complaint, S.REJECTED)
    complaint.rejection_reason = reason.strip()
    complaint.appeal_info = appeal_info.strip()
    history.record(session, complaint, to_status=S.REJECTED, actor=actor, note=reason, now=now)
    return build_view(complaint, now)


def transfer(
    session: Session,
    receipt_no: str,
    department_code: str,
    *,
    actor: Actor | str,
    note: str | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """이송 to another department; its manager then names an officer (assign_officer).

    The deadline is kept: moving between departments of the same office does not
    restart the legal processing period.
    """
    actor = _staff(actor)
    complaint = queries.complaint_for_staff(session, receipt_no, lock=True)
    department = queries.department(session, department_code)
    _refuse_early(complaint, S.TRANSFERRED)
    if complaint.department_id == department.id:
        raise TransitionRefused(complaint.status, S.TRANSFERRED.value, "already in that department")
    complaint.department = department
    complaint.officer = None
    history.record(session, complaint, to_status=S.TRANSFERRED, actor=actor, note=note, now=now)
    return build_view(complaint, now)


def _staff(actor: Actor | str) -> Actor:
    """Parsed once; a resident never acts through officer operations."""
    actor = Actor.parse(actor)
    if actor.is_resident:
        raise InvalidComplaintInput("actor", "officer operations are for staff or the system, not a resident")
    return actor


def _refuse_early(complaint: Complaint, target: ComplaintStatus) -> None:
    """Check the table before touching the complaint's fields (history.record checks again)."""
    check_transition(ComplaintStatus(complaint.status), target)

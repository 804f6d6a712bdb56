"""Finding complaints: by receipt number for staff, and only one's own for residents."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.complaints.errors import ComplaintNotFound, UnknownReference
from sotong.complaints.models import Complaint, ComplaintCategory, Department, Officer, Resident
from sotong.complaints.receipt import normalize_receipt_no
from sotong.complaints.residents import ResidentLike, find_resident


def _select(receipt_no: str, lock: bool):
    stmt = select(Complaint).where(Complaint.receipt_no == receipt_no)
    if lock:
        # Two officers acting at once must not both pass the transition check.
        # OF complaint: PostgreSQL refuses FOR UPDATE on the outer-joined side.
        stmt = stmt.with_for_update(of=Complaint)
    return stmt


def complaint_for_staff(session: Session, receipt_no: str, lock: bool = False) -> Complaint:
    normalized = normalize_receipt_no(receipt_no)
    found = session.execute(_select(normalized, lock)).unique().scalar_one_or_none() if normalized else None
    if found is None:
        raise ComplaintNotFound(receipt_no)
    return found


def complaint_for_resident(
    session: Session, receipt_no: str, who: ResidentLike, lock: bool = False
) -> Complaint | None:
    """The complaint if it exists *and* is this resident's; None otherwise (same answer for both)."""
    normalized = normalize_receipt_no(receipt_no)
    resident = find_resident(session, who)
    if normalized is None or resident is None:
        return None
    stmt = _select(normalized, lock).where(Complaint.resident_id == resident.id)
    return session.execute(stmt).unique().scalar_one_or_none()


def complaint_by_key(session: Session, resident: Resident, idempotency_key: str) -> Complaint | None:
    return (
        session.execute(
            select(Complaint).where(Complaint.resident_id == resident.id, Complaint.idempotency_key == idempotency_key)
        )
        .unique()
        .scalar_one_or_none()
    )


def category(session: Session, code: str) -> ComplaintCategory:
    found = (
        session.execute(
            select(ComplaintCategory).where(ComplaintCategory.code == code, ComplaintCategory.active.is_(True))
        )
        .unique()
        .scalar_one_or_none()
    )
    if found is None:
        raise UnknownReference("category", code)
    return found


def department(session: Session, code: str) -> Department:
    found = session.execute(select(Department).where(Department.code == code)).scalar_one_or_none()
    if found is None:
        raise UnknownReference("department", code)
    return found


def officer(session: Session, code: str) -> Officer:
    found = (
        session.execute(select(Officer).where(Officer.code == code, Officer.active.is_(True)))
        .unique()
        .scalar_one_or_none()
    )
    if found is None:
        raise UnknownReference("officer", code)
    return found

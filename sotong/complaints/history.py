"""Recording what happens to a complaint: one history line and one outbox message per event.

Every status change and every correction goes through ``record``, so the history and
the notifications cannot drift apart, and both commit (or roll back) with the change.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from sotong.complaints import outbox
from sotong.complaints.actors import Actor
from sotong.complaints.errors import TransitionRefused
from sotong.complaints.lifecycle import CORRECTED, RESIDENT_ONLY, ComplaintStatus, check_transition
from sotong.complaints.models import Complaint, ComplaintStatusChange
from sotong.deadlines import format_due, now_utc, to_db

STATUS = "status"
CORRECTION = "correction"


def _values(complaint: Complaint, note: str | None) -> dict[str, object]:
    """Everything a template may mention (templates.KNOWN_PARAMS)."""
    department, officer = complaint.department, complaint.officer
    return {
        "receipt_no": complaint.receipt_no,
        "category": complaint.category.name,
        "department": department.name if department else "",
        "department_phone": (department.phone or "") if department else "",
        "officer_name": officer.name if officer else "",
        "officer_phone": (officer.phone or "") if officer else "",
        "due_date": format_due(complaint.due_at),
        "address": complaint.address,
        "note": note or "",
        "reason": complaint.rejection_reason or "",
        "appeal_info": complaint.appeal_info or "",
    }


def record(
    session: Session,
    complaint: Complaint,
    *,
    to_status: ComplaintStatus,
    actor: Actor | str,
    note: str | None = None,
    kind: str = STATUS,
    now: datetime | None = None,
    initial: bool = False,
    shown_in_chat: bool = False,
) -> ComplaintStatusChange:
    """Apply and log an event. The caller has already changed department/officer/fields.

    ``initial`` is the filing itself (no previous status); a correction keeps the status.
    ``shown_in_chat``: the resident's own chat caused the event and has just said so, so
    its stage message is queued for 알림톡 but not shown in the chat again.
    """
    actor = Actor.parse(actor)
    at = to_db(now or now_utc())
    from_status = None if initial else ComplaintStatus(complaint.status)
    if kind == STATUS and from_status is not None:
        check_transition(from_status, to_status)
        if to_status in RESIDENT_ONLY and not actor.is_resident:
            raise TransitionRefused(from_status.value, to_status.value, "only the resident can do this")
    complaint.status = to_status.value
    complaint.updated_at = at
    change = ComplaintStatusChange(
        complaint=complaint,
        kind=kind,
        from_status=from_status.value if from_status else None,
        to_status=to_status.value,
        actor=str(actor),
        note=(note or "").strip() or None,
        department=complaint.department,
        officer=complaint.officer,
        at=at,
    )
    session.add(change)
    session.flush()
    stage = CORRECTED if kind == CORRECTION else to_status.value
    outbox.enqueue(
        session,
        complaint_id=complaint.id,
        resident=complaint.resident,
        status_change_id=change.id,
        stage=stage,
        values=_values(complaint, change.note),
        now=now,
        shown_in_chat=shown_in_chat,
    )
    return change

"""What changed on a resident's complaints since a point: the feed behind the page's live timeline.

The history table's ids only grow, so "everything after id N" is a resumable cursor
(the SSE ``Last-Event-ID``); the query is by the resident's complaints, so a cursor taken
from anyone else's stream reveals nothing. Also answers whether a web device is still
signed in, so a stream can end when it is revoked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sotong.complaints.models import Complaint, ComplaintStatusChange, Resident
from sotong.residents.models import WebDevice

CORRECTED = "corrected"  # the stage name of a correction (complaints.yml status_labels)


@dataclass(frozen=True)
class ComplaintUpdate:
    id: int  # the history row: the stream's event id
    receipt_no: str
    kind: str  # status | correction
    status: str  # the status after the change
    stage: str  # status, or "corrected" for a correction (its label key)


def resident_row(session: Session, resident_id: int) -> Resident | None:
    """The resident behind a web device (for the complaints service, which takes a row or a key)."""
    return session.get(Resident, resident_id)


def latest_update_id(session: Session, resident_id: int) -> int:
    found = session.execute(
        select(func.max(ComplaintStatusChange.id))
        .join(Complaint, ComplaintStatusChange.complaint_id == Complaint.id)
        .where(Complaint.resident_id == resident_id)
    ).scalar()
    return int(found or 0)


def updates_since(session: Session, resident_id: int, after: int, limit: int = 50) -> list[ComplaintUpdate]:
    rows = session.execute(
        select(
            ComplaintStatusChange.id, Complaint.receipt_no, ComplaintStatusChange.kind, ComplaintStatusChange.to_status
        )
        .join(Complaint, ComplaintStatusChange.complaint_id == Complaint.id)
        .where(Complaint.resident_id == resident_id, ComplaintStatusChange.id > after)
        .order_by(ComplaintStatusChange.id)
        .limit(limit)
    ).all()
    return [
        ComplaintUpdate(int(i), str(r), str(k), str(s), CORRECTED if k == "correction" else str(s))
        for i, r, k, s in rows
    ]


def device_signed_in(session: Session, device_id: int) -> bool:
    revoked = session.execute(select(WebDevice.revoked_at).where(WebDevice.id == device_id)).first()
    return revoked is not None and revoked[0] is None

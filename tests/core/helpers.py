"""Small builders shared by the core tests (they drive the real service, never fakes of it)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select

from sotong.complaints import service
from sotong.complaints.lifecycle import ComplaintStatus as S
from sotong.complaints.models import Complaint, ComplaintStatusChange
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.notifications.models import Notification

OFFICER_IN = {"cleaning": "cleaning-kim", "traffic": "traffic-park", "roads": "roads-choi"}


def file(
    engine,
    who: ResidentKey,
    now: datetime,
    *,
    key: str | None = None,
    category="illegal_dumping",
    address="인천 서구 청라동 1-1",
    description="집 앞에 쓰레기가 버려져 있어요",
) -> str:
    with session_scope(engine) as s:
        result = service.file_complaint(
            s,
            who,
            category=category,
            address=address,
            description=description,
            idempotency_key=key or uuid.uuid4().hex,
            now=now,
        )
    return result.complaint.receipt_no


def perform(engine, receipt: str, target: S, who: ResidentKey, now: datetime):
    """Make the transition to ``target`` through the operation that does it."""
    with session_scope(engine) as s:
        current = service.get_complaint(s, receipt, now)
        if target == S.ASSIGNED:
            return service.assign_department(s, receipt, None, actor="officer:kim", now=now)
        if target == S.OFFICER_ASSIGNED:
            code = OFFICER_IN[current.department_code]
            if current.officer_code == code:  # a re-assignment: someone else in the department
                code = "cleaning-lee"
            return service.assign_officer(s, receipt, code, actor="officer:kim", now=now)
        if target in (S.ON_SITE_CHECK, S.UNDER_REVIEW, S.COMPLETED):
            return service.advance(s, receipt, target, actor="officer:kim", note="ok", now=now)
        if target == S.CANCELLED:
            return service.cancel(s, receipt, who, now=now)
        if target == S.REJECTED:
            return service.reject(s, receipt, reason="사유", appeal_info="이의신청 안내", actor="officer:kim", now=now)
        if target == S.TRANSFERRED:
            dest = "roads" if current.department_code != "roads" else "traffic"
            return service.transfer(s, receipt, dest, actor="officer:kim", now=now)
    raise AssertionError(target)


# One way to reach each status from a fresh complaint.
PATH_TO = {
    S.RECEIVED: [],
    S.ASSIGNED: [S.ASSIGNED],
    S.OFFICER_ASSIGNED: [S.ASSIGNED, S.OFFICER_ASSIGNED],
    S.ON_SITE_CHECK: [S.ASSIGNED, S.OFFICER_ASSIGNED, S.ON_SITE_CHECK],
    S.UNDER_REVIEW: [S.ASSIGNED, S.OFFICER_ASSIGNED, S.ON_SITE_CHECK, S.UNDER_REVIEW],
    S.COMPLETED: [S.ASSIGNED, S.OFFICER_ASSIGNED, S.ON_SITE_CHECK, S.UNDER_REVIEW, S.COMPLETED],
    S.TRANSFERRED: [S.ASSIGNED, S.TRANSFERRED],
    S.CANCELLED: [S.CANCELLED],
    S.REJECTED: [S.REJECTED],
}


def complaint_in(engine, status: S, who: ResidentKey, now: datetime) -> str:
    receipt = file(engine, who, now)
    for step in PATH_TO[status]:
        perform(engine, receipt, step, who, now)
    return receipt


def counts(engine, receipt: str):
    """(history lines, notifications) of one complaint."""
    with session_scope(engine) as s:
        cid = s.execute(select(Complaint.id).where(Complaint.receipt_no == receipt)).scalar_one()
        changes = s.execute(
            select(func.count()).select_from(ComplaintStatusChange).where(ComplaintStatusChange.complaint_id == cid)
        ).scalar_one()
        notes = s.execute(
            select(func.count()).select_from(Notification).where(Notification.complaint_id == cid)
        ).scalar_one()
    return changes, notes


def count_rows(engine, model) -> int:
    with session_scope(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()

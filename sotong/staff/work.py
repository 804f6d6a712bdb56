"""Working complaints from the console: the queue, one complaint, and acting on it.

Every change goes through ``sotong.complaints.service`` — the same calls as the CLI
and the JSON API — so the history line and the resident's stage message are written
once, by the core. This module adds what a shared console needs around them:

- scope: an admin sees every complaint; an officer those of their department, plus
  unrouted ones (접수) whose category routes there; a trainer none;
- optimistic concurrency: the page carries ``version`` (the id of the newest history
  line) and an action on an older version raises ``EditConflict`` instead of acting on
  a complaint that someone else has just moved. The complaint row is locked first
  (FOR UPDATE; SQLite serialises writers), so two officers cannot both pass the check;
- the audit log: every view of a complaint (the resident's address and report are
  personal data) and every action, with who and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sotong.complaints import queries, service
from sotong.complaints.errors import ComplaintNotFound, InvalidComplaintInput
from sotong.complaints.lifecycle import CLOSED, ComplaintStatus
from sotong.complaints.models import Complaint, ComplaintCategory, Department, Officer
from sotong.complaints.views import ComplaintView, build_view
from sotong.deadlines import now_utc, to_db
from sotong.staff import audit
from sotong.staff.errors import EditConflict, Forbidden, InvalidStaffInput
from sotong.staff.principal import StaffPrincipal

QUEUE_LIMIT = 200  # the JSON API's default
PAGE_SIZE = 100  # rows on one page of the console's queue
# Console action -> the status it leads to (what the lifecycle table is asked about).
ACTION_TARGETS = {
    "assign_department": ComplaintStatus.ASSIGNED,
    "assign_officer": ComplaintStatus.OFFICER_ASSIGNED,
    "advance": None,  # on_site_check, under_review or completed, chosen in the form
    "reject": ComplaintStatus.REJECTED,
    "transfer": ComplaintStatus.TRANSFERRED,
}
ADVANCE_TARGETS = (ComplaintStatus.ON_SITE_CHECK, ComplaintStatus.UNDER_REVIEW, ComplaintStatus.COMPLETED)


@dataclass(frozen=True)
class QueueFilters:
    status: str | None = None
    category: str | None = None
    department: str | None = None
    officer: str | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


@dataclass(frozen=True)
class StaffComplaint:
    """One complaint as the console shows it, with what this officer may do next."""

    view: ComplaintView
    version: str
    actions: tuple[str, ...]  # keys of ACTION_TARGETS allowed now
    advance_to: tuple[str, ...]  # statuses the advance form offers
    officers: tuple[Choice, ...]  # officers of the complaint's department
    departments: tuple[Choice, ...]  # transfer targets


def _require_worker(who: StaffPrincipal) -> None:
    if not who.works_complaints:
        raise Forbidden("this role does not work complaints")


def _scope(stmt, who: StaffPrincipal):
    if who.is_admin:
        return stmt
    routed = select(ComplaintCategory.id).join(Department, ComplaintCategory.department_id == Department.id)
    routed = routed.where(Department.code == who.department_code)
    own = select(Department.id).where(Department.code == who.department_code)
    return stmt.where(
        or_(
            Complaint.department_id.in_(own.scalar_subquery()),
            Complaint.department_id.is_(None) & Complaint.category_id.in_(routed.scalar_subquery()),
        )
    )


def _check(choices: list[Choice], value: str | None, field: str) -> str | None:
    if value in (None, ""):
        return None
    if value not in {c.code for c in choices}:
        raise InvalidStaffInput(field, f"unknown {field} {value!r}")
    return value


def _queue_statement(session: Session, who: StaffPrincipal, filters: QueueFilters, now: datetime):
    """The queue's rows in scope and matching the filters (unknown filter values are errors)."""
    _require_worker(who)
    stmt = _scope(select(Complaint), who)
    status = _check([Choice(s.value, s.value) for s in ComplaintStatus], filters.status, "status")
    if status:
        stmt = stmt.where(Complaint.status == status)
    if _check(category_choices(session), filters.category, "category"):
        stmt = stmt.where(
            Complaint.category_id.in_(
                select(ComplaintCategory.id).where(ComplaintCategory.code == filters.category).scalar_subquery()
            )
        )
    if _check(department_choices(session), filters.department, "department"):
        stmt = stmt.where(
            Complaint.department_id.in_(
                select(Department.id).where(Department.code == filters.department).scalar_subquery()
            )
        )
    if _check(officer_choices(session), filters.officer, "officer"):
        stmt = stmt.where(
            Complaint.officer_id.in_(select(Officer.id).where(Officer.code == filters.officer).scalar_subquery())
        )
    if filters.overdue:
        stmt = stmt.where(Complaint.status.notin_([s.value for s in CLOSED]), Complaint.due_at < to_db(now))
    return stmt


def list_queue(
    session: Session,
    who: StaffPrincipal,
    filters: QueueFilters,
    now: datetime | None = None,
    limit: int = QUEUE_LIMIT,
    offset: int = 0,
) -> list[ComplaintView]:
    """The queue, due soonest first (the id breaks ties, so pages never overlap)."""
    now = now or now_utc()
    stmt = _queue_statement(session, who, filters, now)
    stmt = stmt.order_by(Complaint.due_at, Complaint.id).limit(limit).offset(max(0, offset))
    return [build_view(c, now) for c in session.execute(stmt).unique().scalars().all()]


@dataclass(frozen=True)
class QueuePage:
    rows: list[ComplaintView]
    total: int  # complaints matching the filters, on every page
    page: int  # 1-based; a page past the end shows the last one
    pages: int
    size: int


def queue_page(
    session: Session,
    who: StaffPrincipal,
    filters: QueueFilters,
    page: int = 1,
    now: datetime | None = None,
    size: int = PAGE_SIZE,
) -> QueuePage:
    """One page of the queue and how many there are in all (the console's page links)."""
    now = now or now_utc()
    counted = _queue_statement(session, who, filters, now).with_only_columns(func.count(Complaint.id))
    total = int(session.execute(counted.order_by(None)).scalar() or 0)
    pages = max(1, -(-total // size))
    page = min(max(1, page), pages)
    rows = list_queue(session, who, filters, now, limit=size, offset=(page - 1) * size)
    return QueuePage(rows, total, page, pages, size)


def category_choices(session: Session) -> list[Choice]:
    rows = session.execute(select(ComplaintCategory).order_by(ComplaintCategory.name)).unique().scalars()
    return [Choice(c.code, c.name) for c in rows]


def department_choices(session: Session) -> list[Choice]:
    return [Choice(d.code, d.name) for d in session.execute(select(Department).order_by(Department.name)).scalars()]


def officer_choices(session: Session, department_id: int | None = None) -> list[Choice]:
    stmt = select(Officer).where(Officer.active.is_(True)).order_by(Officer.name)
    if department_id is not None:
        stmt = stmt.where(Officer.department_id == department_id)
    return [Choice(o.code, f"{o.name} ({o.department.name})") for o in session.execute(stmt).unique().scalars()]


def _load(session: Session, who: StaffPrincipal, receipt_no: str, lock: bool = False) -> Complaint:
    """The complaint if it is in this officer's scope; ComplaintNotFound otherwise (same answer)."""
    _require_worker(who)
    complaint = queries.complaint_for_staff(session, receipt_no, lock=lock)
    routed = complaint.department or complaint.category.department
    if not who.sees_department(routed.code if routed else None):
        raise ComplaintNotFound(receipt_no)
    return complaint


def check_scope(session: Session, who: StaffPrincipal, receipt_no: str) -> None:
    """ComplaintNotFound unless ``who`` may see this complaint; Forbidden for a trainer.
    For adapters that then call the core themselves (the staff JSON API)."""
    _load(session, who, receipt_no)


def version_of(complaint: Complaint) -> str:
    return str(max((c.id for c in complaint.history), default=0))


def _actions(complaint: Complaint) -> tuple[tuple[str, ...], tuple[str, ...]]:
    allowed = set(service.staff_next_statuses(complaint.status))
    actions = tuple(a for a, target in ACTION_TARGETS.items() if target is not None and target.value in allowed)
    advance_to = tuple(s.value for s in ADVANCE_TARGETS if s.value in allowed)
    if advance_to:
        actions = tuple(sorted(actions + ("advance",), key=list(ACTION_TARGETS).index))
    if "assign_officer" in actions and complaint.department_id is None:
        actions = tuple(a for a in actions if a != "assign_officer")
    return actions, advance_to


def get_complaint(
    session: Session, who: StaffPrincipal, receipt_no: str, *, ip: str | None = None, now: datetime | None = None
) -> StaffComplaint:
    """One complaint for the detail page; the view is audited (it holds personal data)."""
    complaint = _load(session, who, receipt_no)
    audit.record(session, who, "view_complaint", target=complaint.receipt_no, ip=ip, now=now)
    return _staff_view(session, complaint, now)


def _staff_view(session: Session, complaint: Complaint, now: datetime | None) -> StaffComplaint:
    actions, advance_to = _actions(complaint)
    departments = [
        d
        for d in department_choices(session)
        if d.code != (complaint.department.code if complaint.department else None)
    ]
    return StaffComplaint(
        view=build_view(complaint, now),
        version=version_of(complaint),
        actions=actions,
        advance_to=advance_to,
        officers=tuple(officer_choices(session, complaint.department_id)) if complaint.department_id else (),
        departments=tuple(departments),
    )


def act(
    session: Session,
    who: StaffPrincipal,
    receipt_no: str,
    action: str,
    *,
    version: str | None,
    status: str | None = None,
    department: str | None = None,
    officer: str | None = None,
    note: str | None = None,
    reason: str | None = None,
    appeal_info: str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> StaffComplaint:
    """Apply one console action through the core, or raise.

    EditConflict when ``version`` is not the complaint's newest; TransitionRefused (from
    the core) when the lifecycle does not allow it; InvalidComplaintInput / UnknownReference
    for bad input; ComplaintNotFound outside the officer's scope.
    """
    if action not in ACTION_TARGETS:
        raise InvalidStaffInput("action", f"unknown action {action!r}")
    texts = {"note": note, "reason": reason, "appeal_info": appeal_info, "status": status, "department": department}
    for field, text in {**texts, "officer": officer, "version": version}.items():
        if text and any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
            raise InvalidStaffInput(field, "control characters are not allowed")
    complaint = _load(session, who, receipt_no, lock=True)
    if version is None:
        raise InvalidStaffInput("version", "the form must say which version of the complaint it was made from")
    if version != version_of(complaint):
        raise EditConflict(complaint.receipt_no, complaint.status)
    actor = service.Actor.staff(who.username)
    receipt = complaint.receipt_no
    note = (note or "").strip() or None
    if action == "assign_department":
        service.assign_department(session, receipt, department or None, actor=actor, note=note, now=now)
    elif action == "assign_officer":
        if not officer:
            raise InvalidComplaintInput("officer", "choose the officer in charge")
        service.assign_officer(session, receipt, officer, actor=actor, note=note, now=now)
    elif action == "advance":
        if status not in {s.value for s in ADVANCE_TARGETS}:
            raise InvalidComplaintInput("status", "choose 현장 확인 중, 심사 중 or 처리 완료")
        service.advance(session, receipt, status, actor=actor, note=note, now=now)
    elif action == "reject":
        appeal = (appeal_info or "").strip() or service.default_appeal_info()
        service.reject(session, receipt, reason=reason or "", appeal_info=appeal, actor=actor, now=now)
    elif action == "transfer":
        if not department:
            raise InvalidComplaintInput("department", "choose the department to transfer to")
        service.transfer(session, receipt, department, actor=actor, note=note, now=now)
    session.flush()
    session.refresh(complaint)
    detail = "; ".join(p for p in (status, department, officer, note, reason) if p)
    audit.record(session, who, action, target=receipt, detail=detail or None, ip=ip, now=now)
    return _staff_view(session, complaint, now)

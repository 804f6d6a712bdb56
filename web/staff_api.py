"""The staff JSON API under /api/staff: the officer operations of ``sotong complaints``
(list, show, assign, advance, reject, transfer) and the notification outbox, over HTTP.

Each endpoint opens one transaction, calls the core and returns its view as JSON; the
lifecycle, deadlines and notifications are the core's business. Every route needs a
per-officer API token (web.auth); the token's account is who acts (``staff:<username>``
in the history) and what it may see: an admin every complaint, an officer those of
their department (sotong.staff.work scope) — another department's complaint is 404,
as an unknown one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Extra, ValidationError, constr, root_validator

from sotong.complaints import service
from sotong.complaints.service import Actor, NotificationView
from sotong.complaints.views import ComplaintView
from sotong.db import session_scope
from sotong.notifications.masking import PhoneMaskingFilter, mask_phones
from sotong.staff import audit, work
from sotong.staff.errors import InvalidStaffInput
from sotong.staff.principal import StaffPrincipal
from web.auth import require_staff_token, staff_actor, staff_principal
from web.errors import ApiError, validation_details, validation_message

log = logging.getLogger(__name__)
log.addFilter(PhoneMaskingFilter())  # notes and names are free text: never log a full number


def _no_store(response: Response) -> None:
    # Complaints carry addresses and descriptions: no proxy or browser cache keeps them.
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/api/staff", tags=["staff"], dependencies=[Depends(require_staff_token), Depends(_no_store)])


# --- request bodies ---------------------------------------------------------------

Code = constr(strip_whitespace=True, min_length=1, max_length=60)
Note = constr(strip_whitespace=True, max_length=1000)
LongText = constr(strip_whitespace=True, max_length=2000)


class _Body(BaseModel):
    class Config:
        extra = Extra.forbid  # a misspelt field ("departmnet") is an error, not silently ignored


class AssignBody(_Body):
    """Neither field: the department the category routes to. ``officer``: name the officer in charge."""

    department: Code | None = None
    officer: Code | None = None
    note: Note | None = None

    @root_validator(skip_on_failure=True)
    def _one_target(cls, values):
        if values.get("department") and values.get("officer"):
            raise ValueError("give either department or officer, not both")
        return values


class AdvanceBody(_Body):
    status: constr(strip_whitespace=True, min_length=1, max_length=40)
    note: Note | None = None


class RejectBody(_Body):
    reason: constr(strip_whitespace=True, min_length=1, max_length=2000)
    appeal_info: LongText | None = None  # default: the district's wording (complaints.yml)


class TransferBody(_Body):
    department: Code
    note: Note | None = None


M = TypeVar("M", bound=BaseModel)


def json_body(model: type[M]) -> Callable[..., Any]:
    """Parse the body as a dependency, so it runs after the token check (a stranger gets
    401, not a lesson in our schema). An empty body counts as ``{}``."""

    async def parse(request: Request) -> M:
        raw = await request.body()
        try:
            data = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "malformed_json", "the body is not valid JSON (UTF-8)") from None
        if not isinstance(data, dict):
            raise ApiError(
                422,
                "invalid_input",
                "the body must be a JSON object",
                details=[{"field": "", "problem": "expected a JSON object"}],
            )
        try:
            return model.parse_obj(data)
        except ValidationError as exc:
            details = validation_details(exc.errors())
            raise ApiError(422, "invalid_input", validation_message(details), details=details) from None

    return parse


# --- responses --------------------------------------------------------------------


def complaint_json(view: ComplaintView) -> dict[str, Any]:
    """The core's view (timeline, department, officer name/phone, due date, overdue) plus
    the statuses staff may move it to next."""
    data = view.as_dict()
    data["next_statuses"] = service.staff_next_statuses(view.status)
    return data


def notification_json(n: NotificationView) -> dict[str, Any]:
    def at(moment):
        return moment.isoformat() if moment else None

    return {
        "id": n.id,
        "receipt_no": n.receipt_no,
        "stage": n.stage,
        "status": n.status,
        "template_code": n.template_code,
        "text": mask_phones(n.text),
        "targets": list(n.targets or []),
        "attempts": n.attempts,
        "last_error": mask_phones(n.last_error) if n.last_error else None,
        "created_at": at(n.created_at),
        "sent_at": at(n.sent_at),
        "delivered_in_chat_at": at(n.delivered_in_chat_at),
    }


def _logged(
    actor: Actor, action: str, view: ComplaintView, target: str | None = None, note: str | None = None
) -> dict[str, Any]:
    """Audit line for a write that committed (the logger masks phone numbers)."""
    detail = "; ".join(part for part in (target, f"note: {note[:200]}" if note else None) if part)
    log.info("%s %s %s -> %s%s", actor, action, view.receipt_no, view.status, f" ({detail})" if detail else "")
    return complaint_json(view)


def _audit(s, request: Request, action: str, target: str | None = None, detail: str | None = None) -> None:
    """The audit log (sotong.staff.audit), in the transaction of what it records."""
    ip = request.client.host if request.client else None
    audit.record(s, staff_principal(request), f"api_{action}", target=target, detail=detail, ip=ip)


# --- reads ------------------------------------------------------------------------


@router.get("/complaints")
def list_complaints(
    request: Request,
    status: str | None = None,
    overdue: bool = False,
    department: str | None = None,
    limit: int = Query(200, ge=1, le=1000),
    who: StaffPrincipal = Depends(staff_principal),
) -> list[dict[str, Any]]:
    """The staff queue, oldest due first (as ``sotong complaints list``); an unknown status
    or department is bad input (the core says which), not an empty queue. An officer's
    queue is their department's (and unrouted complaints routed there)."""
    with session_scope() as s:
        if who.is_admin:
            views = service.list_complaints(s, status=status, overdue=overdue, department=department, limit=limit)
        else:
            wanted = service.ComplaintStatus.parse(status).value if status else None
            filters = work.QueueFilters(status=wanted, department=department, overdue=overdue)
            try:
                views = work.list_queue(s, who, filters, limit=limit)
            except InvalidStaffInput as exc:
                raise ApiError(400, "invalid_input", str(exc), field=exc.field) from None
        _audit(s, request, "list_complaints", detail=f"{len(views)} complaints")
    return [complaint_json(v) for v in views]


@router.get("/complaints/{receipt_no}")
def show_complaint(request: Request, receipt_no: str, who: StaffPrincipal = Depends(staff_principal)) -> dict[str, Any]:
    with session_scope() as s:
        work.check_scope(s, who, receipt_no)
        view = service.get_complaint(s, receipt_no)
        _audit(s, request, "view_complaint", target=view.receipt_no)
        return complaint_json(view)


@router.get("/notifications")
def list_notifications(
    request: Request,
    status: str | None = None,
    receipt_no: str | None = None,
    limit: int = Query(200, ge=1, le=1000),
    who: StaffPrincipal = Depends(staff_principal),
) -> list[dict[str, Any]]:
    """The outbox (as ``sotong notifications list``): the newest ``limit`` messages, oldest
    first, phone numbers masked. Officers see one complaint's messages (``receipt_no``)."""
    with session_scope() as s:
        if not who.is_admin:
            if not receipt_no:
                raise ApiError(403, "forbidden", "officers list the messages of one complaint: give receipt_no")
            work.check_scope(s, who, receipt_no)
        rows = service.list_notifications(s, status=status, receipt_no=receipt_no, limit=limit)
        _audit(s, request, "list_notifications", target=receipt_no, detail=f"{len(rows)} messages")
    return [notification_json(n) for n in rows]


# --- writes -----------------------------------------------------------------------


@router.post("/complaints/{receipt_no}/assign")
def assign(
    request: Request,
    receipt_no: str,
    actor: Actor = Depends(staff_actor),
    body: AssignBody = Depends(json_body(AssignBody)),
) -> dict[str, Any]:
    """부서 배정 (department, or by category when none is given) or 담당자 지정 (officer)."""
    with session_scope() as s:
        work.check_scope(s, staff_principal(request), receipt_no)
        if body.officer:
            view = service.assign_officer(s, receipt_no, body.officer, actor=actor, note=body.note)
        else:
            view = service.assign_department(s, receipt_no, body.department, actor=actor, note=body.note)
        _audit(s, request, "assign", view.receipt_no, view.officer_code or view.department_code)
    return _logged(actor, "assign", view, view.officer_code or view.department_code, body.note)


@router.post("/complaints/{receipt_no}/advance")
def advance(
    request: Request,
    receipt_no: str,
    actor: Actor = Depends(staff_actor),
    body: AdvanceBody = Depends(json_body(AdvanceBody)),
) -> dict[str, Any]:
    """현장 확인 중 / 심사 중 / 처리 완료 (``assigned`` routes by category)."""
    with session_scope() as s:
        work.check_scope(s, staff_principal(request), receipt_no)
        view = service.advance(s, receipt_no, body.status, actor=actor, note=body.note)
        _audit(s, request, "advance", view.receipt_no, view.status)
    return _logged(actor, "advance", view, note=body.note)


@router.post("/complaints/{receipt_no}/reject")
def reject(
    request: Request,
    receipt_no: str,
    actor: Actor = Depends(staff_actor),
    body: RejectBody = Depends(json_body(RejectBody)),
) -> dict[str, Any]:
    """반려: the reason is required; how to appeal defaults to the district's wording."""
    appeal = body.appeal_info or service.default_appeal_info()
    with session_scope() as s:
        work.check_scope(s, staff_principal(request), receipt_no)
        view = service.reject(s, receipt_no, reason=body.reason, appeal_info=appeal, actor=actor)
        _audit(s, request, "reject", view.receipt_no, body.reason)
    return _logged(actor, "reject", view, note=body.reason)


@router.post("/complaints/{receipt_no}/transfer")
def transfer(
    request: Request,
    receipt_no: str,
    actor: Actor = Depends(staff_actor),
    body: TransferBody = Depends(json_body(TransferBody)),
) -> dict[str, Any]:
    """이송 to another department (the deadline is kept)."""
    with session_scope() as s:
        work.check_scope(s, staff_principal(request), receipt_no)
        view = service.transfer(s, receipt_no, body.department, actor=actor, note=body.note)
        _audit(s, request, "transfer", view.receipt_no, view.department_code)
    return _logged(actor, "transfer", view, view.department_code, body.note)

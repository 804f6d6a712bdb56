"""The complaint queue and one complaint: GET /console/complaints (filters, due soonest
first), GET /console/complaints/{receipt_no} (report, map link, timeline, the forms for
the transitions allowed now) and POST /console/complaints/{receipt_no}/{action}.

Each action goes through sotong.staff.work.act → sotong.complaints.service, so the
resident's stage message is queued once by the core. A form made from an older version
of the complaint gets 409 and the page as it is now, with a message saying so.
"""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sotong.complaints.errors import (
    ComplaintNotFound,
    InvalidComplaintInput,
    TransitionRefused,
    UnknownReference,
)
from sotong.db import session_scope
from sotong.staff import work
from sotong.staff.errors import EditConflict, InvalidStaffInput
from sotong.staff.sessions import ActiveSession
from web.console.pages import client_ip, render, signed_in, staff_context

router = APIRouter(prefix="/console/complaints", include_in_schema=False)

DONE = set(work.ACTION_TARGETS)


def _queue_choices(s) -> dict:
    return {
        "categories": work.category_choices(s),
        "departments": work.department_choices(s),
        "officers": work.officer_choices(s),
    }


@router.get("")
def queue(
    request: Request,
    status: str = "",
    category: str = "",
    department: str = "",
    officer: str = "",
    overdue: str = "",
    page: str = "1",
    active: ActiveSession = Depends(signed_in),
) -> Response:
    filters = work.QueueFilters(
        status=status[:40] or None,
        category=category[:40] or None,
        department=department[:40] or None,
        officer=officer[:60] or None,
        overdue=overdue == "1",
    )
    problem, found = None, None
    number = int(page) if page.isdigit() and len(page) <= 6 else None
    with session_scope() as s:
        try:
            if number is None:
                raise InvalidStaffInput("page", "a page is a number")
            found = work.queue_page(s, active.principal, filters, number)
        except InvalidStaffInput as exc:
            problem = exc.field
        choices = _queue_choices(s)
    context = {
        **staff_context(active),
        **choices,
        "rows": found.rows if found else [],
        "paging": found,
        "page_links": _page_links(filters, found) if found else None,
        "filters": filters,
        "problem": problem,
    }
    return render(request, "console/queue.html", context, status_code=400 if problem else 200)


def _page_query(filters: work.QueueFilters, page: int) -> str:
    """The queue's query string for one page, with the filters as they are (urlencoded)."""
    kept = {k: v for k, v in asdict(filters).items() if v not in (None, "", False)}
    if kept.pop("overdue", False):
        kept["overdue"] = "1"
    return urlencode({**kept, "page": page})


def _page_links(filters: work.QueueFilters, found: work.QueuePage) -> dict:
    """Previous, first, a window around this page, last, next; each link keeps the filters."""
    numbers = sorted({1, found.pages, *range(max(1, found.page - 2), min(found.pages, found.page + 2) + 1)})
    return {
        "numbers": [{"number": n, "query": _page_query(filters, n), "current": n == found.page} for n in numbers],
        "prev": _page_query(filters, found.page - 1) if found.page > 1 else None,
        "next": _page_query(filters, found.page + 1) if found.page < found.pages else None,
    }


def _detail(request: Request, active: ActiveSession, receipt_no: str, **extra) -> Response:
    status_code = extra.pop("status_code", 200)
    with session_scope() as s:
        try:
            page = work.get_complaint(s, active.principal, receipt_no, ip=client_ip(request))
        except ComplaintNotFound:
            page = None
    if page is None:
        return render(request, "console/error.html", {**staff_context(active), "problem": "not_found"}, status_code=404)
    done = request.query_params.get("done")
    context = {**staff_context(active), "c": page, "v": page.view, "done": done if done in DONE else None, **extra}
    return render(request, "console/complaint.html", context, status_code=status_code)


@router.get("/{receipt_no}")
def detail(request: Request, receipt_no: str, active: ActiveSession = Depends(signed_in)) -> Response:
    return _detail(request, active, receipt_no[:20])


@router.post("/{receipt_no}/{action}")
def act(
    request: Request,
    receipt_no: str,
    action: str,
    version: str = Form("", max_length=20),
    status: str = Form("", max_length=40),
    department: str = Form("", max_length=60),
    officer: str = Form("", max_length=60),
    note: str = Form("", max_length=1000),
    reason: str = Form("", max_length=2000),
    appeal_info: str = Form("", max_length=2000),
    active: ActiveSession = Depends(signed_in),
) -> Response:
    receipt_no = receipt_no[:20]
    try:
        with session_scope() as s:
            page = work.act(
                s,
                active.principal,
                receipt_no,
                action,
                version=version or None,
                status=status or None,
                department=department or None,
                officer=officer or None,
                note=note or None,
                reason=reason or None,
                appeal_info=appeal_info or None,
                ip=client_ip(request),
            )
    except ComplaintNotFound:
        return render(request, "console/error.html", {**staff_context(active), "problem": "not_found"}, status_code=404)
    except EditConflict as exc:
        return _detail(request, active, receipt_no, problem="conflict", now_status=exc.status, status_code=409)
    except TransitionRefused as exc:
        return _detail(request, active, receipt_no, problem="refused", detail=exc.reason, status_code=409)
    except (InvalidComplaintInput, InvalidStaffInput) as exc:
        return _detail(request, active, receipt_no, problem="invalid", field=exc.field, status_code=400)
    except UnknownReference as exc:
        return _detail(request, active, receipt_no, problem="invalid", field=exc.kind, status_code=400)
    return RedirectResponse(f"/console/complaints/{page.view.receipt_no}?done={action}", status_code=303)

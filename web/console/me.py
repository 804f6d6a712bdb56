"""내 계정: GET /console/me (the officer's own browsers), POST /console/me/password (old +
new; other browsers signed out) and POST /console/me/sessions/{id}/end. "Log out
everywhere" is POST /console/logout-everywhere (web/console/login.py). Every role has
this page; the rules are the core's (sotong.staff.own)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sotong.db import session_scope
from sotong.staff import own
from sotong.staff.accounts import MAX_PASSWORD
from sotong.staff.errors import InvalidStaffInput
from sotong.staff.sessions import ActiveSession
from web.console.pages import clear_session_cookie, client_ip, render, signed_in, staff_context

router = APIRouter(prefix="/console/me", include_in_schema=False)

DONE = {"password", "ended"}


def _page(request: Request, active: ActiveSession, status_code: int = 200, **extra) -> Response:
    with session_scope() as s:
        browsers = own.list_sessions(s, active)
    done = request.query_params.get("done")
    context = {**staff_context(active), "browsers": browsers, "done": done if done in DONE else None, **extra}
    return render(request, "console/me.html", context, status_code=status_code)


@router.get("")
def me(request: Request, active: ActiveSession = Depends(signed_in)) -> Response:
    return _page(request, active)


@router.post("/password")
def change_password(
    request: Request,
    old_password: str = Form("", max_length=MAX_PASSWORD * 4),
    new_password: str = Form("", max_length=MAX_PASSWORD * 4),
    new_password_again: str = Form("", max_length=MAX_PASSWORD * 4),
    active: ActiveSession = Depends(signed_in),
) -> Response:
    if new_password != new_password_again:
        return _page(request, active, 400, problem="mismatch")
    failure: InvalidStaffInput | None = None
    with session_scope() as s:
        try:
            ended = own.change_password(s, active, old_password, new_password, ip=client_ip(request))
        except InvalidStaffInput as exc:
            failure = exc  # caught inside the transaction: a wrong old password is counted and audited
    if failure is not None:
        return _page(request, active, 400, problem=failure.field)
    return RedirectResponse(f"/console/me?done=password&ended={ended}", status_code=303)


@router.post("/sessions/{session_id}/end")
def end_session(request: Request, session_id: str, active: ActiveSession = Depends(signed_in)) -> Response:
    if not (session_id.isdigit() and len(session_id) <= 12):
        return _page(request, active, 404, problem="no_session")
    try:
        with session_scope() as s:
            was_this_one = own.end_session(s, active, int(session_id), ip=client_ip(request))
    except own.SessionNotFound:
        return _page(request, active, 404, problem="no_session")
    if was_this_one:
        response: Response = RedirectResponse("/console/login?bye=1", status_code=303)
        clear_session_cookie(response)
        return response
    return RedirectResponse("/console/me?done=ended", status_code=303)

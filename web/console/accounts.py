"""Accounts (admins only): GET /console/accounts, POST /console/accounts (a new officer,
trainer or admin), POST /console/accounts/{username}/disable|enable,
POST /console/accounts/{username}/tokens (a staff API token, shown once), and the audit
log, GET /console/audit (newest first; ``?target=`` a receipt number or username)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sotong.db import session_scope
from sotong.staff import accounts, audit, tokens, work
from sotong.staff.errors import AccountExists, Forbidden, InvalidStaffInput
from sotong.staff.principal import ROLES
from sotong.staff.sessions import ActiveSession
from web.console.pages import render, signed_in, staff_context

router = APIRouter(prefix="/console/accounts", include_in_schema=False)
audit_router = APIRouter(prefix="/console/audit", include_in_schema=False)


def admin_only(active: ActiveSession = Depends(signed_in)) -> ActiveSession:
    if not active.principal.is_admin:
        raise Forbidden("admins only")
    return active


def _page(request: Request, active: ActiveSession, status_code: int = 200, **extra) -> Response:
    with session_scope() as s:
        context = {
            **staff_context(active),
            "accounts": accounts.list_accounts(s),
            "tokens": tokens.list_tokens(s),
            "departments": work.department_choices(s),
            "officers": work.officer_choices(s),
            "roles": ROLES,
            **extra,
        }
    return render(request, "console/accounts.html", context, status_code=status_code)


@router.get("")
def list_page(request: Request, active: ActiveSession = Depends(admin_only)) -> Response:
    done = request.query_params.get("done")
    return _page(request, active, done=done if done in ("created", "disabled", "enabled") else None)


@router.post("")
def create(
    request: Request,
    username: str = Form("", max_length=100),
    display_name: str = Form("", max_length=100),
    role: str = Form("officer", max_length=20),
    department: str = Form("", max_length=60),
    officer: str = Form("", max_length=60),
    password: str = Form("", max_length=1000),
    active: ActiveSession = Depends(admin_only),
) -> Response:
    try:
        with session_scope() as s:
            accounts.create_account(
                s,
                username,
                password,
                role=role,
                display_name=display_name,
                department=department or None,
                officer=officer or None,
                by=active.principal,
            )
    except AccountExists:
        return _page(request, active, status_code=409, problem="exists")
    except InvalidStaffInput as exc:
        return _page(request, active, status_code=400, problem="invalid", field=exc.field)
    return RedirectResponse("/console/accounts?done=created", status_code=303)


@router.post("/{username}/{change}")
def change(
    request: Request,
    username: str,
    change: str,
    label: str = Form("", max_length=200),
    active: ActiveSession = Depends(admin_only),
) -> Response:
    try:
        with session_scope() as s:
            if change in ("disable", "enable"):
                accounts.set_active(s, username[:40], change == "enable", by=active.principal)
            elif change == "tokens":
                issued = tokens.issue(s, username[:40], label, by=active.principal)
            else:
                raise InvalidStaffInput("change", "unknown change")
    except InvalidStaffInput as exc:
        return _page(request, active, status_code=400, problem="invalid", field=exc.field)
    if change == "tokens":
        return _page(request, active, new_token=issued, token_owner=username[:40])
    return RedirectResponse(f"/console/accounts?done={change}d", status_code=303)


@audit_router.get("")
def audit_page(request: Request, target: str = "", active: ActiveSession = Depends(admin_only)) -> Response:
    wanted = target.strip()[:100] or None
    with session_scope() as s:
        entries = audit.recent(s, limit=500, target=wanted)
    context = {**staff_context(active), "entries": entries, "target": wanted or ""}
    return render(request, "console/audit.html", context)

"""The studio's inbox: GET /console/studio/ (and /console/studio/inbox?reason=…) lists what
residents asked that the bot did not understand, grouped; GET /console/studio/conversations/{id}
shows one conversation, masked (the view is audited: it is a resident's conversation).

Trainers and admins only (``studio_staff``; officers get 403). The reading is the core's
(sotong.studio.inbox, .transcript); pages name messages by Rasa's event id, never by the
conversation id.
"""

from __future__ import annotations

from datetime import timedelta, timezone

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from sotong.db import session_scope
from sotong.staff import audit
from sotong.staff.errors import Forbidden
from sotong.staff.sessions import ActiveSession
from sotong.studio import inbox
from sotong.studio.project import Project
from sotong.studio.transcript import transcript
from web.console.pages import client_ip, render, signed_in, staff_context

router = APIRouter(prefix="/console/studio", include_in_schema=False)

KST = timezone(timedelta(hours=9))
MAX_GROUPS = 200
REASON_LABELS = {
    "low_confidence": "확신 낮음",
    "fallback": "못 알아들음",
    "handoff": "상담원 요청",
    "abandoned_form": "중간에 그만둠",
}


def studio_staff(active: ActiveSession = Depends(signed_in)) -> ActiveSession:
    """Trainers look after the bot's answers, admins too; officers work complaints."""
    if active.principal.role not in ("trainer", "admin"):
        raise Forbidden("the studio is for trainers and admins")
    return active


def event_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def studio_context(active: ActiveSession, **extra) -> dict:
    return {
        **staff_context(active),
        "kst": KST,
        "kst_offset": timedelta(hours=9),
        "reason_labels": REASON_LABELS,
        **extra,
    }


def load_groups(reason: str | None = None) -> list[inbox.InboxGroup]:
    project = Project()
    with session_scope() as s:
        found = inbox.messages(s, inbox.InboxSettings.from_env(), project.required_slots())
    return inbox.grouped(found, reason)


def not_found(request: Request, active: ActiveSession, what: str = "message") -> Response:
    return render(request, "console/studio_missing.html", studio_context(active, what=what), status_code=404)


@router.get("/")
@router.get("/inbox")
def inbox_page(request: Request, reason: str = "", active: ActiveSession = Depends(studio_staff)) -> Response:
    chosen = reason if reason in inbox.REASONS else None
    groups = load_groups(chosen)
    done = request.query_params.get("done")
    context = studio_context(
        active,
        groups=groups[:MAX_GROUPS],
        total=len(groups),
        messages=sum(g.count for g in groups),
        reason=chosen,
        reasons=inbox.REASONS,
        threshold=inbox.InboxSettings.from_env().confidence,
        done=done if done in ("taught", "dismissed", "topic") else None,
        change=event_id(request.query_params.get("change", "")),
    )
    return render(request, "console/studio_inbox.html", context)


@router.get("/conversations/{raw_id}")
def conversation(request: Request, raw_id: str, active: ActiveSession = Depends(studio_staff)) -> Response:
    found = event_id(raw_id)
    if found is None:
        return not_found(request, active)
    with session_scope() as s:
        t = transcript(s, found)
        if t is not None:
            audit.record(
                s, active.principal, "studio_view_conversation", target=f"event:{found}", ip=client_ip(request)
            )
    if t is None:
        return not_found(request, active)
    return render(request, "console/studio_conversation.html", studio_context(active, t=t))

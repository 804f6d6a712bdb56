"""Live handoff in the console: GET /console/handoff (waiting and claimed requests),
GET /console/handoff/{id} (what the bot collected, the transcript, the officer's lines)
and POST /console/handoff/{id}/{claim|say|close}.

The state lives in the core (sotong.handoff.queue: one officer wins a claim, the other
gets 409); Rasa is told afterwards through its HTTP API (web/console/handoff_rasa.py):
claim pauses the bot, each line is a ``bot`` event in the tracker, close resumes it.
A line is kept in the database even when Rasa is down (KakaoTalk shows it from there);
the page then says it is not in the transcript yet (502).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sotong.db import session_scope
from sotong.handoff import queue
from sotong.staff.sessions import ActiveSession
from web.console.handoff_rasa import append_events, officer_event, transcript
from web.console.pages import client_ip, render, signed_in, staff_context
from web.rasa_client import ChatNotConfigured, RasaUnavailable

router = APIRouter(prefix="/console/handoff", include_in_schema=False)

ACTIONS = ("claim", "say", "close")


def _id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 12 else None


def _not_found(request: Request, active: ActiveSession) -> Response:
    return render(request, "console/error.html", {**staff_context(active), "problem": "not_found"}, status_code=404)


@router.get("")
def waiting(request: Request, active: ActiveSession = Depends(signed_in)) -> Response:
    with session_scope() as s:
        rows = queue.list_open(s, active.principal)
    return render(request, "console/handoff_queue.html", {**staff_context(active), "rows": rows})


async def _page(request: Request, active: ActiveSession, request_id: int, **extra) -> Response:
    status_code = extra.pop("status_code", 200)
    try:
        with session_scope() as s:
            r = queue.get(s, active.principal, request_id, ip=client_ip(request))
            lines = queue.messages(s, active.principal, request_id)
    except queue.HandoffNotFound:
        return _not_found(request, active)
    context = {
        **staff_context(active),
        "r": r,
        "lines": lines,
        "transcript": await transcript(r.conversation_id),
        "mine": r.state == "claimed" and r.claimed_by == active.principal.account_id,
        "done": request.query_params.get("done") if request.query_params.get("done") in ACTIONS else None,
        **extra,
    }
    return render(request, "console/handoff.html", context, status_code=status_code)


@router.get("/{request_id}")
async def conversation(request: Request, request_id: str, active: ActiveSession = Depends(signed_in)) -> Response:
    found = _id(request_id)
    if found is None:
        return _not_found(request, active)
    return await _page(request, active, found)


def _act(active: ActiveSession, request_id: int, action: str, text: str, ip: str | None):
    with session_scope() as s:
        if action == "claim":
            r = queue.claim(s, active.principal, request_id, ip=ip)
            return r, [{"event": "pause"}]
        if action == "say":
            r = queue.peek(s, active.principal, request_id)
            queue.say(s, active.principal, request_id, text, ip=ip)
            return r, [officer_event(text.strip(), active.principal.display_name)]
        r = queue.close(s, active.principal, request_id, ip=ip)
        # action_listen after resume: without it the next turn follows an unanswered paused
        # message and the policies fall back (found in tests/e2e/test_handoff.py)
        return r, [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


@router.post("/{request_id}/{action}")
async def act(
    request: Request,
    request_id: str,
    action: str,
    text: str = Form("", max_length=queue.MAX_TEXT),
    active: ActiveSession = Depends(signed_in),
) -> Response:
    found = _id(request_id)
    if found is None or action not in ACTIONS:
        return _not_found(request, active)
    try:
        r, events = _act(active, found, action, text, client_ip(request))
    except queue.HandoffNotFound:
        return _not_found(request, active)
    except queue.HandoffConflict as exc:
        return await _page(
            request, active, found, problem="conflict", now_state=exc.state, holder=exc.claimed_by, status_code=409
        )
    except queue.InvalidHandoffInput:
        return await _page(request, active, found, problem="invalid", status_code=400)
    try:
        await append_events(r.conversation_id, events)
    except (ChatNotConfigured, RasaUnavailable):
        return await _page(request, active, found, problem="rasa", status_code=502)
    return RedirectResponse(f"/console/handoff/{found}?done={action}", status_code=303)

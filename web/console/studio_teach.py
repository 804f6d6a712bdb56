"""Teaching from the inbox: GET /console/studio/teach/{id} (the group, the sentence to learn,
where it belongs), POST …/assign (an intent or a FAQ topic), POST …/dismiss, and POST …/topic
(a new FAQ topic, admins only). ``{id}`` is any member's event id.

The sentence is pre-filled masked: a trainer rewrites the masked parts before it can be
learnt (the core refuses a sentence that still looks personal). Entities are marked in
the sentence as ``[words](entity)``; studio_teach.js does that from a text selection, and
without script it can be typed. Every write is one call of sotong.studio.teach.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sotong.db import session_scope
from sotong.staff.errors import Forbidden
from sotong.staff.sessions import ActiveSession
from sotong.studio import changes, inbox, teach
from sotong.studio.project import Project
from web.console.pages import client_ip, render
from web.console.studio_inbox import event_id, load_groups, not_found, studio_context, studio_staff

router = APIRouter(prefix="/console/studio/teach", include_in_schema=False)

MAX_FIELD = 2000


def _choices(project: Project) -> dict:
    catalogue = project.catalogue()
    areas = [(a, [catalogue.topics[t] for t in a.topic_ids]) for a in catalogue.areas]
    return {
        "intents": list(project.intents),
        "areas": areas,
        "entities": project.entities,
        "departments": sorted(catalogue.departments().items()),
    }


def _group(raw_id: str) -> inbox.InboxGroup | None:
    found = event_id(raw_id)
    return inbox.find_group(load_groups(), found) if found is not None else None


def _page(request: Request, active: ActiveSession, group: inbox.InboxGroup, status_code: int = 200, **extra):
    context = studio_context(
        active, g=group, example=extra.pop("example", group.text), target=extra.pop("target", ""), **extra
    )
    context.update(_choices(Project()))
    return render(request, "console/studio_teach.html", context, status_code=status_code)


@router.get("/{raw_id}")
def teach_page(request: Request, raw_id: str, active: ActiveSession = Depends(studio_staff)) -> Response:
    group = _group(raw_id)
    if group is None:
        return not_found(request, active)
    suggested = group.intents[0][0] if group.intents else ""
    target = f"intent:{suggested}" if suggested in Project().intents else ""
    return _page(request, active, group, target=target)


@router.post("/{raw_id}/assign")
def assign(
    request: Request,
    raw_id: str,
    target: str = Form("", max_length=200),
    example: str = Form("", max_length=MAX_FIELD),
    active: ActiveSession = Depends(studio_staff),
) -> Response:
    group = _group(raw_id)
    if group is None:
        return not_found(request, active)
    try:
        with session_scope() as s:
            change = teach.assign(
                s, Project(), active.principal, target, example, event_ids=group.member_ids, ip=client_ip(request)
            )
            change_id = change.id
    except teach.InvalidTeach as exc:
        return _page(request, active, group, 400, example=example, target=target, problem=exc)
    except changes.ChangeConflict as exc:
        return _page(request, active, group, 409, example=example, target=target, conflict=exc)
    return RedirectResponse(f"/console/studio/inbox?done=taught&change={change_id}", status_code=303)


@router.post("/{raw_id}/dismiss")
def dismiss(request: Request, raw_id: str, active: ActiveSession = Depends(studio_staff)) -> Response:
    group = _group(raw_id)
    if group is None:
        return not_found(request, active)
    with session_scope() as s:
        teach.dismiss(s, active.principal, list(group.member_ids), ip=client_ip(request))
    return RedirectResponse("/console/studio/inbox?done=dismissed", status_code=303)


@router.post("/{raw_id}/topic")
def new_topic(
    request: Request,
    raw_id: str,
    area: str = Form("", max_length=60),
    topic_id: str = Form("", max_length=100),
    title: str = Form("", max_length=100),
    answer: str = Form("", max_length=MAX_FIELD),
    department: str = Form("", max_length=100),
    phone: str = Form("", max_length=40),
    examples: str = Form("", max_length=20 * 220),
    active: ActiveSession = Depends(studio_staff),
) -> Response:
    group = _group(raw_id)
    if group is None:
        return not_found(request, active)
    if not active.principal.is_admin:
        raise Forbidden("only admins add topics")
    form = {"area": area, "topic_id": topic_id, "title": title, "answer": answer, "department": department,
            "phone": phone, "examples": examples}  # fmt: skip
    try:
        with session_scope() as s:
            change = teach.new_faq_topic(
                s, Project(), active.principal, area=area, topic_id=topic_id.strip(), title=title, answer=answer,
                department=department, phone=phone, examples=examples.splitlines()[:50],
                event_ids=group.member_ids, ip=client_ip(request),
            )  # fmt: skip
            change_id = change.id
    except teach.InvalidTeach as exc:
        return _page(request, active, group, 400, topic_form=form, topic_problem=exc)
    except changes.ChangeConflict as exc:
        return _page(request, active, group, 409, topic_form=form, conflict=exc)
    return RedirectResponse(f"/console/studio/inbox?done=topic&change={change_id}", status_code=303)

"""Editing what the bot says: GET /console/studio/answers (FAQ topics and responses, ``?q=``),
GET/POST /console/studio/answers/faq/{topic} and /console/studio/answers/response/{name}/{n}.

A POST with ``action=preview`` only shows how the text will look on KakaoTalk and on the web
widget (sotong.studio.preview); ``action=save`` writes it. The form carries the version of
the text it was loaded with: when someone else saved in between, the answer is 409 with
their text shown, and nothing is overwritten.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from sotong.db import session_scope
from sotong.staff.sessions import ActiveSession
from sotong.studio import changes, edits, preview, teach
from sotong.studio.project import Project
from sotong.studio.yaml_store import version_of
from web.console.pages import client_ip, render
from web.console.studio_inbox import not_found, studio_context, studio_staff

router = APIRouter(prefix="/console/studio/answers", include_in_schema=False)

MAX_FIELD = 4000


@router.get("")
def answers(request: Request, q: str = "", active: ActiveSession = Depends(studio_staff)) -> Response:
    project = Project()
    wanted = q.strip()[:100]
    catalogue = project.catalogue()
    topics = [
        t for t in catalogue.topics.values() if not wanted or wanted in t.title or wanted in t.answer or wanted in t.id
    ]
    responses = [
        (name, variants)
        for name, variants in project.responses().items()
        if not wanted or wanted in name or any(wanted in str(v.get("text", "")) for v in variants)
    ]
    context = studio_context(active, topics=topics[:300], responses=responses[:300], q=wanted)
    return render(request, "console/studio_answers.html", context)


def _faq_page(request, active, topic_id: str, text: str | None = None, status_code: int = 200, **extra) -> Response:
    project = Project()
    catalogue = project.catalogue()
    topic = catalogue.topic(topic_id)
    if topic is None:
        return not_found(request, active, "answer")
    shown = topic.answer if text is None else text
    bare, framed = preview.faq_preview(
        shown, topic.department, topic.phone, topic.online.name if topic.online else None,
        [t.title for t in catalogue.related(topic_id)],
    )  # fmt: skip
    version = extra.pop("version", version_of(topic.answer))
    context = studio_context(active, kind="faq", topic=topic, text=shown, version=version, bare=bare, kakao=framed)
    context.update(extra)
    return render(request, "console/studio_answer.html", context, status_code=status_code)


@router.get("/faq/{topic_id}")
def faq_answer(request: Request, topic_id: str, active: ActiveSession = Depends(studio_staff)) -> Response:
    done = request.query_params.get("done") == "saved"
    return _faq_page(request, active, topic_id[:60], done=done)


@router.post("/faq/{topic_id}")
def save_faq_answer(
    request: Request,
    topic_id: str,
    text: str = Form("", max_length=MAX_FIELD),
    version: str = Form("", max_length=64),
    action: str = Form("preview", max_length=20),
    active: ActiveSession = Depends(studio_staff),
) -> Response:
    topic_id = topic_id[:60]
    if action != "save":
        return _faq_page(request, active, topic_id, text, version=version, previewing=True)
    try:
        with session_scope() as s:
            teach.edit_faq_answer(s, Project(), active.principal, topic_id, text, version, ip=client_ip(request))
    except teach.InvalidTeach as exc:
        if exc.field == "topic":
            return not_found(request, active, "answer")
        return _faq_page(request, active, topic_id, text, 400, version=version, problem=exc)
    except changes.ChangeConflict as exc:
        return _faq_page(request, active, topic_id, text, 409, version=version, conflict=exc)
    return RedirectResponse(f"/console/studio/answers/faq/{topic_id}?done=saved", status_code=303)


def _response_page(request, active, name: str, index: int, text=None, status_code=200, **extra) -> Response:
    project = Project()
    path = project.response_files().get(name)
    variants = project.responses().get(name, [])
    if path is None or not (0 <= index < len(variants)) or not isinstance(variants[index].get("text"), str):
        return not_found(request, active, "answer")
    current = variants[index]["text"]
    shown = current if text is None else text
    buttons = [str(b.get("title", "")) for b in variants[index].get("buttons") or [] if isinstance(b, dict)]
    kakao = preview.response_preview(shown, buttons, {})
    placeholders = sorted({p for v in variants for p in preview._PLACEHOLDER.findall(str(v.get("text", "")))})
    context = studio_context(
        active, kind="response", name=name, index=index, path=project.rel(path), text=shown,
        version=extra.pop("version", version_of(current)), kakao=kakao, placeholders=placeholders,
    )  # fmt: skip
    context.update(extra)
    return render(request, "console/studio_answer.html", context, status_code=status_code)


def _index(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) <= 3 else None


@router.get("/response/{name}/{raw_index}")
def response_text(request: Request, name: str, raw_index: str, active: ActiveSession = Depends(studio_staff)):
    index = _index(raw_index)
    if index is None:
        return not_found(request, active, "answer")
    return _response_page(request, active, name[:100], index, done=request.query_params.get("done") == "saved")


@router.post("/response/{name}/{raw_index}")
def save_response_text(
    request: Request,
    name: str,
    raw_index: str,
    text: str = Form("", max_length=MAX_FIELD),
    version: str = Form("", max_length=64),
    action: str = Form("preview", max_length=20),
    active: ActiveSession = Depends(studio_staff),
) -> Response:
    index, name = _index(raw_index), name[:100]
    if index is None:
        return not_found(request, active, "answer")
    if action != "save":
        return _response_page(request, active, name, index, text, version=version, previewing=True)
    try:
        with session_scope() as s:
            teach.edit_response(s, Project(), active.principal, name, index, text, version, ip=client_ip(request))
    except teach.InvalidTeach as exc:
        if exc.field == "response":
            return not_found(request, active, "answer")
        return _response_page(request, active, name, index, text, 400, version=version, problem=exc)
    except changes.ChangeConflict as exc:
        return _response_page(request, active, name, index, text, 409, version=version, conflict=exc)
    except edits.EditTargetMissing:
        return not_found(request, active, "answer")
    return RedirectResponse(f"/console/studio/answers/response/{name}/{index}?done=saved", status_code=303)

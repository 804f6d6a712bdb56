"""The studio's change log: GET /console/studio/changes (who changed what, when, in which
file, and whether a published model has it yet) and POST /console/studio/changes/{id}/revert
(undo one change; other edits made since are kept; 409 when the text moved on since)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sotong.db import session_scope
from sotong.staff.sessions import ActiveSession
from sotong.studio import changes, teach
from sotong.studio.project import Project
from web.console.pages import client_ip, render
from web.console.studio_inbox import event_id, not_found, studio_context, studio_staff

router = APIRouter(prefix="/console/studio/changes", include_in_schema=False)

KIND_LABELS = {
    "nlu_example": "예문 추가",
    "faq_example": "FAQ 예문 추가",
    "faq_answer": "FAQ 답변 수정",
    "response_text": "응답 문장 수정",
    "faq_topic": "FAQ 주제 추가",
    "revert": "되돌리기",
}


def _page(request: Request, active: ActiveSession, status_code: int = 200, **extra) -> Response:
    with session_scope() as s:
        rows = changes.recent(s, limit=200)
    context = studio_context(active, rows=rows, kind_labels=KIND_LABELS, **extra)
    return render(request, "console/studio_changes.html", context, status_code=status_code)


@router.get("")
def change_log(request: Request, active: ActiveSession = Depends(studio_staff)) -> Response:
    done = request.query_params.get("done")
    return _page(request, active, done=done if done == "reverted" else None)


@router.post("/{raw_id}/revert")
def revert(request: Request, raw_id: str, active: ActiveSession = Depends(studio_staff)) -> Response:
    found = event_id(raw_id)
    if found is None:
        return not_found(request, active, "change")
    project = Project()
    try:
        with session_scope() as s:
            changes.revert(
                s, project, active.principal, found, ip=client_ip(request), check=teach.check_catalogue(project)
            )
    except changes.ChangeNotFound:
        return not_found(request, active, "change")
    except changes.ChangeConflict as exc:
        return _page(request, active, 409, conflict=exc, conflict_id=found)
    except teach.InvalidTeach as exc:
        return _page(request, active, 400, problem=exc, conflict_id=found)
    return RedirectResponse("/console/studio/changes?done=reverted", status_code=303)

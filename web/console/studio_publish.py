"""The studio's publish page (학습·배포) at /console/studio/publish.

  GET  /console/studio/publish              the latest training (or ``?training=N``): progress,
                                            old vs new figures per intent, verdict; the live
                                            release and the history
  GET  /console/studio/publish/status.json  progress of one training, polled by the page's script
  POST /console/studio/publish/train        start a training (trainer, admin)
  POST /console/studio/publish/release      publish a ready training (admin)
  POST /console/studio/publish/rollback     back to the release before the live one (admin)

Officers have no studio access (403). The work is the core's (sotong.studio); the training
itself runs in a worker process. Publish forms carry the live release the admin saw: if it
changed meanwhile the answer is 409 and the page as it is now.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from sotong.db import session_scope
from sotong.staff.errors import Forbidden
from sotong.staff.principal import ADMIN, TRAINER
from sotong.staff.sessions import ActiveSession
from sotong.studio import releases
from sotong.studio.changes import pending_changes
from sotong.studio.evaluation import compare, verdict
from sotong.studio.publish import NotPublishable, PublishConflict, RasaModelApi, RasaUnavailable, publish, rollback
from sotong.studio.release_settings import load_studio_settings
from sotong.studio.training import TrainingBusy, spawn_worker, start_training
from web.console.pages import client_ip, render, secure_headers, signed_in, staff_context
from web.settings import rasa_replica_urls, rasa_token, rasa_url

router = APIRouter(prefix="/console/studio/publish", include_in_schema=False)
PAGE = "/console/studio/publish"
DONE = ("started", "published", "rolled_back")


def studio_staff(active: ActiveSession = Depends(signed_in)) -> ActiveSession:
    if active.principal.role not in (ADMIN, TRAINER):
        raise Forbidden("trainers and admins only")
    return active


def studio_admin(active: ActiveSession = Depends(studio_staff)) -> ActiveSession:
    if not active.principal.is_admin:
        raise Forbidden("admins only")
    return active


def _optional_id(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _page(request: Request, active: ActiveSession, status_code: int = 200, **extra: Any) -> Response:
    settings = load_studio_settings()
    wanted = _optional_id(request.query_params.get("training", ""))
    with session_scope() as s:
        recent = releases.recent_trainings(s, limit=10)
        shown = releases.training(s, wanted) if wanted else (recent[0] if recent else None)
        live = releases.live_release(s)
        target = releases.rollback_target(s)
        history = releases.history(s, limit=20)
        pending = pending_changes(s)
    report = (shown.report if shown else None) or {}
    judged = verdict(report, settings.max_f1_drop) if shown and shown.status == "ready" else None
    context = {
        **staff_context(active),
        "training": shown,
        "recent": recent,
        "report": report,
        "rows": compare(report.get("old"), report["new"]) if report.get("new") else [],
        "verdict": judged,
        "max_f1_drop": settings.max_f1_drop,
        "live": live,
        "rollback_to": target,
        "history": history,
        "pending": pending[-50:],
        "pending_count": len(pending),
        "is_admin": active.principal.is_admin,
        **extra,
    }
    return render(request, "console/studio_publish.html", context, status_code=status_code)


@router.get("")
def publish_page(request: Request, active: ActiveSession = Depends(studio_staff)) -> Response:
    done = request.query_params.get("done")
    return _page(request, active, done=done if done in DONE else None)


@router.get("/status.json")
def status_json(request: Request, training: str = "", active: ActiveSession = Depends(studio_staff)) -> Response:
    wanted = _optional_id(training)
    with session_scope() as s:
        view = releases.training(s, wanted) if wanted else next(iter(releases.recent_trainings(s, limit=1)), None)
    response = JSONResponse(view.as_json() if view else None, status_code=200 if view or not wanted else 404)
    secure_headers(response)
    return response


@router.post("/train")
def train(request: Request, active: ActiveSession = Depends(studio_staff)) -> Response:
    settings = load_studio_settings()
    try:
        with session_scope() as s:
            training_id = start_training(s, active.principal, ip=client_ip(request))
    except TrainingBusy:
        return _page(request, active, status_code=409, problem="busy")
    spawn_worker(training_id, settings)
    return RedirectResponse(f"{PAGE}?training={training_id}&done=started", status_code=303)


def _api() -> RasaModelApi | None:
    token = rasa_token()
    return RasaModelApi(rasa_url(), token, replicas=rasa_replica_urls()) if token else None


def _change(request: Request, active: ActiveSession, action: str, training_id: int | None, live_id: int | None):
    api = _api()
    if api is None:
        return _page(request, active, status_code=503, problem="no_rasa")
    settings = load_studio_settings()
    try:
        with session_scope() as s:
            if action == "publish":
                if training_id is None:
                    raise NotPublishable("not_found")
                publish(
                    s,
                    training_id,
                    active.principal,
                    api=api,
                    settings=settings,
                    expected_live_id=live_id,
                    ip=client_ip(request),
                )
            else:
                rollback(
                    s, active.principal, api=api, settings=settings, expected_live_id=live_id, ip=client_ip(request)
                )
    except PublishConflict:
        return _page(request, active, status_code=409, problem="conflict")
    except NotPublishable as exc:
        status = 404 if exc.reason == "not_found" else 409
        return _page(request, active, status_code=status, problem=exc.reason, reasons=exc.details)
    except RasaUnavailable:
        return _page(request, active, status_code=502, problem="rasa_failed")
    done = "published" if action == "publish" else "rolled_back"
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


@router.post("/release")
def release(
    request: Request,
    training_id: str = Form("", max_length=12),
    live_id: str = Form("", max_length=12),
    active: ActiveSession = Depends(studio_admin),
) -> Response:
    return _change(request, active, "publish", _optional_id(training_id), _optional_id(live_id))


@router.post("/rollback")
def roll_back(
    request: Request,
    live_id: str = Form("", max_length=12),
    active: ActiveSession = Depends(studio_admin),
) -> Response:
    return _change(request, active, "rollback", None, _optional_id(live_id))

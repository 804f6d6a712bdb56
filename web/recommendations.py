"""추천 메뉴 on the resident page: GET the recommendations with their reasons; switch them
off or on (kept on the server, per resident); POST the services the resident opens.

The rules and signals are the core's (sotong.recommendations); nothing leaves the server.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Extra, StrictBool, constr

from sotong.db import session_scope
from sotong.recommendations import recommendations_for
from sotong.residents.activity import record_tap, set_recommendations
from sotong.residents.prefs_models import SERVICE_ID_LENGTH
from sotong.search.catalogue import load_services
from web.errors import ApiError
from web.resident_auth import WebResident, current_resident, require_csrf


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/api/me", tags=["resident"], dependencies=[Depends(_no_store)])


class _Body(BaseModel):
    class Config:
        extra = Extra.forbid


class SwitchBody(_Body):
    enabled: StrictBool


class TapBody(_Body):
    service_id: constr(strip_whitespace=True, min_length=1, max_length=SERVICE_ID_LENGTH)  # type: ignore[valid-type]


def _current(resident_id: int) -> dict[str, Any]:
    with session_scope() as session:
        found = recommendations_for(session, resident_id)
    return {"enabled": found.enabled, "recommendations": list(found.items)}


@router.get("/recommendations")
def get_recommendations(resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    return _current(resident.resident_id)


@router.post("/recommendations/settings", dependencies=[Depends(require_csrf)])
def switch(body: SwitchBody, resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    with session_scope() as session:
        set_recommendations(session, resident.resident_id, body.enabled)
    return _current(resident.resident_id)


@router.post("/activity", dependencies=[Depends(require_csrf)], status_code=204)
def tapped(body: TapBody, resident: WebResident = Depends(current_resident)) -> Response:
    if load_services().get(body.service_id) is None:
        raise ApiError(400, "unknown_service", f"no such service: {body.service_id!r}")
    with session_scope() as session:
        record_tap(session, resident.resident_id, body.service_id)
    return Response(status_code=204)

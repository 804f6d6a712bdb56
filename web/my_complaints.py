"""내 민원 on the resident page: the resident's own complaints, each as a tracking timeline,
and correct / cancel under the same rules as in the chat.

Everything goes through ``sotong.complaints.service`` with the resident as actor. Reads
use the resident row behind the device cookie (so complaints filed on a linked
KakaoTalk show too); writes pass the device's own channel key ("web", device key), which
the core resolves to the same resident and records in the history as
``resident:web:<key>``, exactly as the chat does. A receipt number that is someone
else's answers 404 exactly like an unknown one (the core cannot tell them apart either).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, Extra, constr

from connectors.identity import parse_conversation_id
from sotong.complaints import service
from sotong.complaints.errors import ComplaintNotFound
from sotong.complaints.views import ComplaintView
from sotong.db import session_scope
from sotong.residents.updates import resident_row
from web.errors import ApiError
from web.resident_auth import WebResident, current_resident, require_csrf

# The parcel-tracking path shown on the page; side exits (취하, 반려, 이송) appear as they happen.
MAIN_PATH = ("received", "assigned", "officer_assigned", "on_site_check", "under_review", "completed")
RECEIPT = Path(..., max_length=40)  # a receipt is XXXX-XXXX; anything longer is nobody's


def _no_store(response: Response) -> None:
    # Addresses and descriptions: no proxy or browser cache keeps them.
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/api/me/complaints", tags=["resident"], dependencies=[Depends(_no_store)])


class _Body(BaseModel):
    class Config:
        extra = Extra.forbid


class CorrectBody(_Body):
    address: constr(strip_whitespace=True, max_length=300) | None = None  # type: ignore[valid-type]
    description: constr(strip_whitespace=True, max_length=2000) | None = None  # type: ignore[valid-type]


class CancelBody(_Body):
    note: constr(strip_whitespace=True, max_length=500) | None = None  # type: ignore[valid-type]


def resident_key(resident: WebResident) -> service.ResidentKey:
    channel, raw = parse_conversation_id(resident.conversation_id)
    if channel is None:  # resident_auth always builds "web:<key>"; anything else is a bug, not a resident
        raise ApiError(401, "unauthorized", "no valid device cookie; open the page first")
    return service.ResidentKey(channel, raw)


def _timeline(view: ComplaintView, labels: dict[str, str]) -> list[dict[str, Any]]:
    entries = []
    for e in view.timeline:
        stage = "corrected" if e.kind == "correction" else e.status
        entries.append(
            {
                "kind": e.kind,
                "status": e.status,
                "label": labels.get(stage, stage),
                "at": e.at.isoformat(),
                # Who in general terms: a staff member's login name is not the resident's business.
                "by": e.actor.split(":", 1)[0],
                "note": e.note,
                "department_name": e.department_name,
                "officer_name": e.officer_name,
                "officer_phone": e.officer_phone,
            }
        )
    return entries


def _path(view: ComplaintView, labels: dict[str, str]) -> list[dict[str, Any]]:
    reached = {e.status for e in view.timeline}
    return [
        {"status": s, "label": labels.get(s, s), "reached": s in reached, "current": s == view.status}
        for s in MAIN_PATH
    ]


def summary(view: ComplaintView, labels: dict[str, str]) -> dict[str, Any]:
    data = view.as_dict()
    data.pop("timeline")
    data["status_label"] = labels.get(view.status, view.status)
    return data


def detail(view: ComplaintView, labels: dict[str, str]) -> dict[str, Any]:
    return {**summary(view, labels), "timeline": _timeline(view, labels), "path": _path(view, labels)}


@router.get("")
def list_mine(resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    labels = service.status_labels()
    with session_scope() as session:
        row = resident_row(session, resident.resident_id)
        views = service.list_for_resident(session, row) if row is not None else []
    return {"complaints": [summary(v, labels) for v in views]}


@router.get("/{receipt_no}")
def show_mine(receipt_no: str = RECEIPT, resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    with session_scope() as session:
        row = resident_row(session, resident.resident_id)
        view = service.get_for_resident(session, receipt_no, row) if row is not None else None
    if view is None:
        raise ComplaintNotFound(receipt_no)
    return detail(view, service.status_labels())


@router.post("/{receipt_no}/correct", dependencies=[Depends(require_csrf)])
def correct_mine(
    body: CorrectBody, receipt_no: str = RECEIPT, resident: WebResident = Depends(current_resident)
) -> dict[str, Any]:
    with session_scope() as session:
        view = service.correct(
            session, receipt_no, resident_key(resident), address=body.address, description=body.description
        )
    return detail(view, service.status_labels())


@router.post("/{receipt_no}/cancel", dependencies=[Depends(require_csrf)])
def cancel_mine(
    body: CancelBody | None = None, receipt_no: str = RECEIPT, resident: WebResident = Depends(current_resident)
) -> dict[str, Any]:
    with session_scope() as session:
        view = service.cancel(session, receipt_no, resident_key(resident), note=body.note if body else None)
    return detail(view, service.status_labels())

"""즐겨찾기 on the resident page: list, pin, unpin and reorder services, kept on the server.

Thin over sotong.residents.favourites; an id the service catalogue does not know is a
400 ``unknown_service``, a full list a 409 ``favourites_full``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Extra, conlist, constr

from sotong.db import session_scope
from sotong.residents.favourites import (
    MAX_FAVOURITES,
    FavouriteError,
    FavouritesFull,
    add_favourite,
    list_favourites,
    remove_favourite,
    reorder_favourites,
)
from sotong.residents.prefs_models import SERVICE_ID_LENGTH
from sotong.search.catalogue import ServiceCatalogue, load_services
from web.errors import ApiError
from web.resident_auth import WebResident, current_resident, require_csrf

ServiceId = constr(strip_whitespace=True, min_length=1, max_length=SERVICE_ID_LENGTH)


def _no_store(response: Response) -> None:
    response.headers["Cache-Control"] = "no-store"


router = APIRouter(prefix="/api/me/favourites", tags=["resident"], dependencies=[Depends(_no_store)])


class _Body(BaseModel):
    class Config:
        extra = Extra.forbid


class AddBody(_Body):
    service_id: ServiceId  # type: ignore[valid-type]


class OrderBody(_Body):
    order: conlist(ServiceId, max_items=MAX_FAVOURITES)  # type: ignore[valid-type]


def render(ids: list[str], catalogue: ServiceCatalogue) -> dict[str, Any]:
    """Favourites as the page shows them; one whose service was removed from the data is left out."""
    items = [s.as_dict() for s in (catalogue.get(i) for i in ids) if s is not None]
    return {"favourites": items, "max": MAX_FAVOURITES}


def _refused(exc: FavouriteError) -> ApiError:
    return ApiError(409 if isinstance(exc, FavouritesFull) else 400, exc.code, str(exc))


@router.get("")
def get_favourites(resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    with session_scope() as session:
        ids = list_favourites(session, resident.resident_id)
    return render(ids, load_services())


@router.post("", dependencies=[Depends(require_csrf)])
def pin(body: AddBody, resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    catalogue = load_services()
    try:
        with session_scope() as session:
            ids = add_favourite(session, resident.resident_id, body.service_id, catalogue)
    except FavouriteError as exc:
        raise _refused(exc) from None
    return render(ids, catalogue)


@router.post("/remove", dependencies=[Depends(require_csrf)])
def unpin(body: AddBody, resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    with session_scope() as session:
        ids = remove_favourite(session, resident.resident_id, body.service_id)
    return render(ids, load_services())


@router.post("/order", dependencies=[Depends(require_csrf)])
def reorder(body: OrderBody, resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    try:
        with session_scope() as session:
            ids = reorder_favourites(session, resident.resident_id, list(body.order))
    except FavouriteError as exc:
        raise _refused(exc) from None
    return render(ids, load_services())

"""A resident's favourite services (즐겨찾기), kept on the server so every device shows them.

Service ids come from the service catalogue (sotong.search.catalogue): an id it does
not know is refused, so the table never holds what the page cannot open. The list is
short and ordered; writes lock the resident's row so two taps at once cannot both
pass the bound or draw the same position.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sotong.complaints.models import Resident
from sotong.deadlines import now_utc, to_db
from sotong.residents.prefs_models import SERVICE_ID_LENGTH, ResidentFavourite
from sotong.search.catalogue import ServiceCatalogue

MAX_FAVOURITES = 12  # one screen of the quick menu


class FavouriteError(ValueError):
    """The request cannot be done; ``code`` is stable for the API."""

    code = "favourite_refused"


class UnknownService(FavouriteError):
    code = "unknown_service"

    def __init__(self, service_id: str):
        super().__init__(f"no such service: {service_id[:SERVICE_ID_LENGTH]!r}")


class FavouritesFull(FavouriteError):
    code = "favourites_full"

    def __init__(self) -> None:
        super().__init__(f"at most {MAX_FAVOURITES} favourites; remove one first")


class BadOrder(FavouriteError):
    code = "bad_order"

    def __init__(self) -> None:
        super().__init__("the new order must list each current favourite exactly once")


def _rows(session: Session, resident_id: int) -> list[ResidentFavourite]:
    stmt = (
        select(ResidentFavourite)
        .where(ResidentFavourite.resident_id == resident_id)
        .order_by(ResidentFavourite.position, ResidentFavourite.id)
    )
    return list(session.execute(stmt).scalars().all())


def _lock_resident(session: Session, resident_id: int) -> None:
    # PostgreSQL: serialise this resident's writes; SQLite's BEGIN IMMEDIATE already does.
    session.execute(select(Resident.id).where(Resident.id == resident_id).with_for_update())


def list_favourites(session: Session, resident_id: int) -> list[str]:
    return [str(r.service_id) for r in _rows(session, resident_id)]


def add_favourite(
    session: Session, resident_id: int, service_id: str, catalogue: ServiceCatalogue, now: datetime | None = None
) -> list[str]:
    """Pin a service at the end; pinning one already there changes nothing."""
    if catalogue.get(service_id) is None:
        raise UnknownService(service_id)
    _lock_resident(session, resident_id)
    rows = _rows(session, resident_id)
    if any(r.service_id == service_id for r in rows):
        return [str(r.service_id) for r in rows]
    if len(rows) >= MAX_FAVOURITES:
        raise FavouritesFull()
    last = session.execute(
        select(func.max(ResidentFavourite.position)).where(ResidentFavourite.resident_id == resident_id)
    ).scalar()
    session.add(
        ResidentFavourite(
            resident_id=resident_id,
            service_id=service_id,
            position=(last if last is not None else -1) + 1,
            created_at=to_db(now or now_utc()),
        )
    )
    session.flush()
    return list_favourites(session, resident_id)


def remove_favourite(session: Session, resident_id: int, service_id: str) -> list[str]:
    """Unpin; unpinning one that is not there changes nothing (a double tap is harmless)."""
    session.execute(
        delete(ResidentFavourite).where(
            ResidentFavourite.resident_id == resident_id, ResidentFavourite.service_id == service_id
        )
    )
    session.flush()
    return list_favourites(session, resident_id)


def reorder_favourites(session: Session, resident_id: int, order: Sequence[str]) -> list[str]:
    """Put the favourites in ``order``, which must name each current one exactly once."""
    _lock_resident(session, resident_id)
    rows = {str(r.service_id): r for r in _rows(session, resident_id)}
    if len(order) != len(rows) or set(order) != set(rows):
        raise BadOrder()
    for position, service_id in enumerate(order):
        rows[service_id].position = position
    session.flush()
    return list_favourites(session, resident_id)

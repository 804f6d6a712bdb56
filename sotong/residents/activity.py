"""What the resident did on the page, kept for recommendations, and whether they want them.

Page taps are few and bounded: one row per service (a repeat only moves the time) and
only the newest ``MAX_TAPS`` per resident, so a script hammering the endpoint cannot
grow the table. Nothing here leaves the district's server.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.residents.prefs_models import ResidentActivity, ResidentPrefs

MAX_TAPS = 30


def record_tap(session: Session, resident_id: int, service_id: str, now: datetime | None = None) -> None:
    """The resident opened ``service_id`` (a catalogue id the caller has checked)."""
    at = to_db(now or now_utc())
    row = session.execute(
        select(ResidentActivity).where(
            ResidentActivity.resident_id == resident_id, ResidentActivity.service_id == service_id
        )
    ).scalar_one_or_none()
    if row is not None:
        row.at = at
    else:
        try:
            with session.begin_nested():
                session.add(ResidentActivity(resident_id=resident_id, service_id=service_id, at=at))
        except IntegrityError:  # the same tap twice at once: the other one recorded it
            pass
    session.flush()
    keep = select(ResidentActivity.id).where(ResidentActivity.resident_id == resident_id)
    keep = keep.order_by(ResidentActivity.at.desc(), ResidentActivity.id.desc()).limit(MAX_TAPS)
    kept = [r for (r,) in session.execute(keep).all()]
    session.execute(
        delete(ResidentActivity).where(ResidentActivity.resident_id == resident_id, ResidentActivity.id.not_in(kept))
    )


def recent_taps(session: Session, resident_id: int, since: datetime) -> list[tuple[str, datetime]]:
    """(service id, naive UTC time) of taps since ``since``, newest first."""
    rows = session.execute(
        select(ResidentActivity.service_id, ResidentActivity.at)
        .where(ResidentActivity.resident_id == resident_id, ResidentActivity.at >= to_db(since))
        .order_by(ResidentActivity.at.desc())
    ).all()
    return [(str(s), at) for s, at in rows]


def recommendations_on(session: Session, resident_id: int) -> bool:
    prefs = session.get(ResidentPrefs, resident_id)
    return True if prefs is None else bool(prefs.recommendations_on)


def set_recommendations(session: Session, resident_id: int, on: bool, now: datetime | None = None) -> bool:
    prefs = session.get(ResidentPrefs, resident_id)
    if prefs is None:
        prefs = ResidentPrefs(resident_id=resident_id)
        session.add(prefs)
    prefs.recommendations_on = on
    prefs.updated_at = to_db(now or now_utc())
    session.flush()
    return on

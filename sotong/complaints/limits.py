"""Every limit of the complaints core, in one place.

Field limits: how long each text a resident or officer gives may be (as in Open311,
and as wide as the database columns in models.py). Adapters never copy them: a value
over its limit raises ``TooLong`` carrying the field and the limit, and the answer is
worded from that.

Filing limits: how many complaints one resident may file — a bound on abuse (a script
filing hundreds of 무단투기 reports from one chat), not on honest residents. Counted in
the database, so the limit holds across action-server replicas and restarts (an
in-memory counter would reset with every deploy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sotong.complaints.errors import FilingLimitReached
from sotong.complaints.models import Complaint, Resident
from sotong.deadlines import to_db

# --- field limits (characters) ------------------------------------------------------
MAX_ADDRESS = 300  # complaint.address
MAX_DESCRIPTION = 4000  # complaint.description
MAX_PHOTO_URL = 1000  # complaint.photo_url
MAX_SEEN_AT = 100  # complaint.seen_at
MAX_IDEMPOTENCY_KEY = 100  # what a client sends; stored hashed (service.submission_key)
MAX_ACTOR = 200  # complaint_status_change.actor
MAX_CONSENT_PURPOSE = 200  # resident.phone_consent_purpose
# Free-text scanning (free_text.py) looks at the start of a message only: a complaint's
# text is at most MAX_DESCRIPTION characters, and the patterns, linear but with a large
# constant, must stay fast on whatever length a channel lets through.
MAX_SCAN = MAX_DESCRIPTION

# --- filing limits -----------------------------------------------------------------
PER_HOUR_ENV = "SOTONG_FILING_LIMIT_PER_HOUR"
PER_DAY_ENV = "SOTONG_FILING_LIMIT_PER_DAY"


@dataclass(frozen=True)
class FilingLimits:
    per_hour: int = 5  # 0 = no limit
    per_day: int = 20


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)  # a typo in the limit must not silently turn it off
    if value < 0:
        raise ValueError(f"{name} must be 0 (no limit) or more, not {raw!r}")
    return value


def load_filing_limits() -> FilingLimits:
    """The limits from the environment, read now (tests and operators can change them)."""
    defaults = FilingLimits()
    return FilingLimits(per_hour=_count(PER_HOUR_ENV, defaults.per_hour), per_day=_count(PER_DAY_ENV, defaults.per_day))


def check_filing_allowed(session: Session, resident: Resident, now: datetime, limits: FilingLimits) -> None:
    """Raise FilingLimitReached when another complaint would pass a limit.

    The resident's row is locked first (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers), so two submissions at once cannot both take the last place.
    Cancelled complaints count too: filing and withdrawing is still filing.
    """
    if not (limits.per_hour or limits.per_day):
        return
    if resident.id is not None:
        session.execute(select(Resident.id).where(Resident.id == resident.id).with_for_update())
    for window, limit, span in (
        ("hour", limits.per_hour, timedelta(hours=1)),
        ("day", limits.per_day, timedelta(days=1)),
    ):
        if not limit:
            continue
        since = to_db(now - span)
        filed = session.execute(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.resident_id == resident.id, Complaint.created_at > since)
        ).scalar_one()
        if filed >= limit:
            raise FilingLimitReached(window, limit)

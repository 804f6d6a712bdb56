"""The retention purge: personal data kept no longer than the profile promises.

After the retention period (``privacy.retention_days``, SOTONG_RETENTION_DAYS):

* a closed complaint (completed, cancelled, rejected) untouched that long loses its
  address, coordinates, description, photo and the resident's words in its history and
  messages; the row, its category, department, dates and status history stay, so the
  statistics (how many, how fast, which stage) are unchanged;
* a resident with nothing open whose last complaint closed (or whose consent was given,
  if they never filed) that long ago loses the phone number and its consent;
* Rasa's tracker store: conversations idle that long are deleted; older events of
  conversations still in use keep only their kind and time;
* expired phone-verification codes and web link codes are deleted at once;
* a web device signed out more than 30 days ago is deleted (its cookie then reads as
  unknown instead of signed out; the resident and their complaints stay).

Safe to run again and again (what is gone is skipped) and from two processes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.engine import Engine

from sotong.complaints.lifecycle import CLOSED
from sotong.complaints.models import Complaint, ComplaintStatusChange, Resident
from sotong.complaints.outbox import Notification
from sotong.db import session_scope
from sotong.deadlines import now_utc, to_db
from sotong.privacy.models import PhoneVerification
from sotong.privacy.policy import privacy_policy
from sotong.privacy.tracker_store import EventsPurge, purge_events
from sotong.residents.models import LinkCode, WebDevice

RESIDENT_ACTOR = "resident"  # what is left of "resident:<channel>:<id>" in a purged history
# A signed-out device is kept a month so its cookie still says "signed out" (not "unknown")
# and staff can see recent sign-outs; after that it is only a hash and a browser label.
REVOKED_DEVICE_DAYS = 30


@dataclass
class PurgeReport:
    cutoff: datetime
    complaints_anonymised: int = 0
    phones_deleted: int = 0
    verifications_deleted: int = 0
    link_codes_deleted: int = 0
    devices_deleted: int = 0
    events: EventsPurge = field(default_factory=EventsPurge)


def _closed_before(cutoff: datetime):
    return and_(Complaint.status.in_([s.value for s in CLOSED]), Complaint.updated_at < cutoff)


def _still_personal():
    return or_(
        Complaint.address != "",
        Complaint.description != "",
        Complaint.photo_url.isnot(None),
        Complaint.seen_at.isnot(None),
        Complaint.lat.isnot(None),
        Complaint.lng.isnot(None),
    )


def _anonymise_complaints(s, cutoff: datetime, dry_run: bool) -> int:
    ids = s.execute(select(Complaint.id).where(_closed_before(cutoff), _still_personal())).scalars().all()
    if dry_run or not ids:
        return len(ids)
    s.execute(
        update(Complaint)
        .where(Complaint.id.in_(ids))
        .values(address="", description="", photo_url=None, seen_at=None, lat=None, lng=None)
        .execution_options(synchronize_session=False)
    )
    # Corrections and a resident's own notes repeat what they wrote (old address, ...).
    s.execute(
        update(ComplaintStatusChange)
        .where(
            ComplaintStatusChange.complaint_id.in_(ids),
            or_(ComplaintStatusChange.kind == "correction", ComplaintStatusChange.actor.like("resident:%")),
        )
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    s.execute(
        update(ComplaintStatusChange)
        .where(ComplaintStatusChange.complaint_id.in_(ids), ComplaintStatusChange.actor.like("resident:%"))
        .values(actor=RESIDENT_ACTOR)
        .execution_options(synchronize_session=False)
    )
    s.execute(
        update(Notification)
        .where(Notification.complaint_id.in_(ids))
        .values(text="", params={})
        .execution_options(synchronize_session=False)
    )
    return len(ids)


def _expired_phones(s, cutoff: datetime, dry_run: bool) -> int:
    closed = [st.value for st in CLOSED]
    has_open = exists().where(Complaint.resident_id == Resident.id, Complaint.status.notin_(closed))
    last_closed = select(func.max(Complaint.updated_at)).where(Complaint.resident_id == Resident.id).scalar_subquery()
    expired = and_(
        Resident.phone.isnot(None),
        ~has_open,
        or_(last_closed < cutoff, and_(last_closed.is_(None), Resident.phone_consent_at < cutoff)),
    )
    ids = s.execute(select(Resident.id).where(expired)).scalars().all()
    if dry_run or not ids:
        return len(ids)
    s.execute(
        update(Resident)
        .where(Resident.id.in_(ids))
        .values(phone=None, phone_consent_at=None, phone_consent_purpose=None)
        .execution_options(synchronize_session=False)
    )
    return len(ids)


def _delete(s, model, condition, dry_run: bool) -> int:
    """Delete ``model`` rows matching ``condition`` (or count them on a dry run)."""
    if dry_run:
        return s.execute(select(func.count()).select_from(model).where(condition)).scalar() or 0
    return s.execute(delete(model).where(condition)).rowcount or 0


def purge_personal_data(
    engine: Engine | None = None,
    now: datetime | None = None,
    *,
    days: int | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    at = to_db(now or now_utc())
    cutoff = at - timedelta(days=days if days is not None else privacy_policy().retention_days)
    report = PurgeReport(cutoff=cutoff)
    with session_scope(engine) as s:
        report.complaints_anonymised = _anonymise_complaints(s, cutoff, dry_run)
        report.phones_deleted = _expired_phones(s, cutoff, dry_run)
        report.verifications_deleted = _delete(s, PhoneVerification, PhoneVerification.expires_at < at, dry_run)
        report.link_codes_deleted = _delete(s, LinkCode, LinkCode.expires_at < at, dry_run)
        signed_out_before = at - timedelta(days=REVOKED_DEVICE_DAYS)
        report.devices_deleted = _delete(s, WebDevice, WebDevice.revoked_at < signed_out_before, dry_run)
    # Rasa's events in their own transaction: a big tracker store must not hold the core's lock long.
    with session_scope(engine) as s:
        report.events = purge_events(s.connection(), calendar.timegm(cutoff.timetuple()), dry_run=dry_run)
    return report

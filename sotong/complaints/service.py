"""The complaints core's public API: one call per event, for every adapter.

This is the one import for callers — Rasa actions, the web app, the CLIs:

    from sotong.complaints import service
    with session_scope() as s:
        filed = service.file_complaint(s, ResidentKey("kakao", user_id), category="illegal_dumping", ...,
                                       shown_in_chat=True)

Each event is one call that does all of it — the change, its history line, its
stage message in the outbox and, for a chat that has just told the resident,
the message marked as shown: ``file_complaint``, ``correct``, ``cancel`` (the
resident's), ``assign_department``, ``assign_officer``, ``advance``, ``reject``,
``transfer`` (staff). Reads return views (sotong.complaints.views). Bad input
raises the errors in sotong.complaints.errors, with the field and the limit.

Adapters import this module, ``errors`` and ``views`` only (tests/tools/test_layering.py);
whatever else they need from the core is re-exported here.

Functions take an open session and leave committing to the caller (``session_scope``).
Residents are identified by ``ResidentKey`` only: a receipt number that is someone
else's behaves exactly like an unknown one. Staff and the system act as an ``Actor``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sotong.complaints import history, queries
from sotong.complaints.actors import Actor
from sotong.complaints.categories import (  # noqa: F401  (re-exported: categories are district data)
    CategoryInfo,
    category_info,
    category_infos,
    fallback_category,
    infer_category,
    question_labels,
    rank_categories,
)
from sotong.complaints.district import default_appeal_info, status_labels  # noqa: F401  (re-exported)
from sotong.complaints.errors import ComplaintNotFound, CorrectionNotAllowed, InvalidComplaintInput
from sotong.complaints.free_text import clean_answer, find_address, find_seen_at  # noqa: F401  (re-exported)
from sotong.complaints.lifecycle import STAGES, ComplaintStatus, staff_next_statuses  # noqa: F401  (re-exported)
from sotong.complaints.limits import MAX_IDEMPOTENCY_KEY, FilingLimits, check_filing_allowed, load_filing_limits
from sotong.complaints.models import Complaint
from sotong.complaints.outbox import (  # noqa: F401  (re-exported for callers)
    OUTBOX_STATUSES,
    ChatMessage,
    NotificationView,
    list_notifications,
    mark_change_shown_in_chat,
    mark_delivered_in_chat,
    pending_in_chat,
)
from sotong.complaints.receipt import find_receipt_no, new_receipt_no, normalize_receipt_no  # noqa: F401
from sotong.complaints.residents import (  # noqa: F401  (re-exported for callers)
    ResidentKey,
    find_resident,
    get_or_create_resident,
    normalize_mobile,
    record_phone_consent,
    withdraw_phone_consent,
)
from sotong.complaints.staff import (  # noqa: F401  (re-exported for callers)
    advance,
    assign_department,
    assign_officer,
    get_complaint,
    list_complaints,
    reject,
    transfer,
)
from sotong.complaints.validation import check_length, check_photo_url, clean_fields  # noqa: F401
from sotong.complaints.views import CategoryView, ComplaintView, build_view, category_view, is_correctable
from sotong.deadlines import due_at, now_utc, to_db

# Every status by name, in lifecycle order (for choices in a CLI or a form).
STATUS_NAMES = tuple(s.value for s in ComplaintStatus)

_RECEIPT_ATTEMPTS = 5


@dataclass(frozen=True)
class FilingResult:
    complaint: ComplaintView
    created: bool  # False when the idempotency key had already filed this complaint


def file_complaint(
    session: Session,
    who: ResidentKey,
    *,
    category: str,
    address: str,
    description: str,
    idempotency_key: str,
    photo_url: str | None = None,
    seen_at: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    now: datetime | None = None,
    limits: FilingLimits | None = None,
    shown_in_chat: bool = False,
) -> FilingResult:
    """File a complaint exactly once per (resident, idempotency_key, content).

    A retry or double tap with the same key and the same report returns the
    complaint filed the first time, also when both arrive at once: the database's
    unique constraint decides. The key is bound to the report's content, so a
    different report that reuses a key files its own complaint instead of being
    answered with the earlier one. Raises FilingLimitReached past the per-resident
    limits (``limits``, default from the environment: sotong.complaints.limits).

    ``shown_in_chat``: the resident files from a chat that answers with the receipt
    number at once, so the "received" stage message is not shown there again (it still
    goes out by 알림톡) — also when this call is a retry of an earlier filing.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise InvalidComplaintInput(
            "idempotency_key", f"required, at most {MAX_IDEMPOTENCY_KEY} characters", limit=MAX_IDEMPOTENCY_KEY
        )
    fields = clean_fields(
        address=address, description=description, photo_url=photo_url, seen_at=seen_at, lat=lat, lng=lng
    )
    now = now or now_utc()
    resident = get_or_create_resident(session, who, now)
    key = submission_key(key, category, fields["address"], fields["description"])
    existing = queries.complaint_by_key(session, resident, key)
    if existing is not None:  # a retry: answered even past the limit, it files nothing new
        return _already_filed(session, existing, now, shown_in_chat)
    check_filing_allowed(session, resident, now, limits or load_filing_limits())
    cat = queries.category(session, category)

    for _ in range(_RECEIPT_ATTEMPTS):
        complaint = Complaint(
            receipt_no=new_receipt_no(),
            resident=resident,
            category=cat,
            status=ComplaintStatus.RECEIVED.value,
            idempotency_key=key,
            due_at=to_db(due_at(now, cat.processing_days)),
            created_at=to_db(now),
            updated_at=to_db(now),
            **fields,
        )
        try:
            with session.begin_nested():
                session.add(complaint)
        except IntegrityError:
            existing = queries.complaint_by_key(session, resident, key)
            if existing is not None:  # the other submission won the race
                return _already_filed(session, existing, now, shown_in_chat)
            continue  # receipt number collision: draw again
        history.record(
            session,
            complaint,
            to_status=ComplaintStatus.RECEIVED,
            actor=Actor.resident(who),
            initial=True,
            now=now,
            shown_in_chat=shown_in_chat,
        )
        return FilingResult(build_view(complaint, now), created=True)
    raise RuntimeError("could not allocate a unique receipt number")


def _already_filed(session: Session, complaint: Complaint, now: datetime, shown_in_chat: bool) -> FilingResult:
    if shown_in_chat and complaint.history:
        mark_change_shown_in_chat(session, complaint.history[0].id, now)
    return FilingResult(build_view(complaint, now), created=False)


def seed_district(session: Session, district_dir=None):
    """Load the district's departments, officers and categories (``sotong setup``)."""
    from sotong.complaints.seed import seed_district as seed  # reads the district profile: only when asked

    return seed(session, district_dir)


def category_summary(session: Session, code: str) -> CategoryView:
    """An active category by code (name, department it routes to, processing days);
    UnknownReference otherwise."""
    return category_view(queries.category(session, code))


def submission_key(key: str, category: str, address: str, description: str) -> str:
    """What is stored as the complaint's idempotency key: the client's key bound to the
    report's content (a SHA-256, 64 hex characters, so no schema change was needed)."""
    content = "\x1f".join((key, category, address, description))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def list_for_resident(session: Session, who: ResidentKey, now: datetime | None = None) -> list[ComplaintView]:
    """The resident's complaints, newest first."""
    resident = find_resident(session, who)
    if resident is None:
        return []
    rows = (
        session.execute(select(Complaint).where(Complaint.resident_id == resident.id).order_by(Complaint.id.desc()))
        .unique()
        .scalars()
        .all()
    )
    return [build_view(c, now) for c in rows]


def get_for_resident(
    session: Session, receipt_no: str, who: ResidentKey, now: datetime | None = None
) -> ComplaintView | None:
    """One of the resident's complaints with its timeline (``view.timeline``); None when
    the receipt number is unknown, malformed or someone else's."""
    complaint = queries.complaint_for_resident(session, receipt_no, who)
    return build_view(complaint, now) if complaint else None


def correct(
    session: Session,
    receipt_no: str,
    who: ResidentKey,
    *,
    address: str | None = None,
    description: str | None = None,
    lat: float | None = None,
    lng: float | None = None,
    now: datetime | None = None,
) -> ComplaintView:
    """Fix the address and/or description while nobody has gone on site yet.

    Raises ComplaintNotFound (unknown or not theirs), CorrectionNotAllowed, or
    InvalidComplaintInput (nothing to change, bad value). Logged in the history.
    """
    complaint = queries.complaint_for_resident(session, receipt_no, who, lock=True)
    if complaint is None:
        raise ComplaintNotFound(receipt_no)
    if not is_correctable(complaint):
        raise CorrectionNotAllowed(complaint.status)
    wanted = {}
    if address is not None:
        wanted["address"] = address
    if description is not None:
        wanted["description"] = description
    cleaned = clean_fields(**wanted, lat=lat, lng=lng, partial=True)
    changes = []
    for field in ("address", "description"):
        if field in cleaned and cleaned[field] != getattr(complaint, field):
            changes.append(f'{field}: "{getattr(complaint, field)}" -> "{cleaned[field]}"')
            setattr(complaint, field, cleaned[field])
            if field == "address":
                # A new address makes the old map pin wrong: keep only a pin sent with it.
                complaint.lat, complaint.lng = cleaned.get("lat"), cleaned.get("lng")
    if not changes:
        raise InvalidComplaintInput("correction", "nothing to change")
    history.record(
        session,
        complaint,
        to_status=ComplaintStatus(complaint.status),
        actor=Actor.resident(who),
        note="\n".join(changes),
        kind=history.CORRECTION,
        now=now,
    )
    return build_view(complaint, now)


def cancel(
    session: Session,
    receipt_no: str,
    who: ResidentKey,
    *,
    note: str | None = None,
    now: datetime | None = None,
    shown_in_chat: bool = False,
) -> ComplaintView:
    """취하: the resident withdraws a complaint that is not yet closed.

    Raises ComplaintNotFound (unknown or not theirs) or TransitionRefused (already closed).
    ``shown_in_chat``: the chat has just said "취하했어요"; its stage message is not repeated there.
    """
    complaint = queries.complaint_for_resident(session, receipt_no, who, lock=True)
    if complaint is None:
        raise ComplaintNotFound(receipt_no)
    history.record(
        session,
        complaint,
        to_status=ComplaintStatus.CANCELLED,
        actor=Actor.resident(who),
        note=note,
        now=now,
        shown_in_chat=shown_in_chat,
    )
    return build_view(complaint, now)

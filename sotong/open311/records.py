"""Complaints as public Open311 service requests, and the ``GET requests`` query.

What is published is the report, never the reporter: no resident identity, phone,
"when I saw it" words or officer names; the description and notes with contact data
masked (``public.public_text``). ``media_url`` only for requests a client filed through
Open311 itself (the client published that link); a photo a resident sent in the chat
stays with the officers.

``service_request_id`` is the receipt number (접수번호): random, so publishing one tells
nothing about another, and a resident's own channels still ask who is asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.complaints import service
from sotong.complaints.lifecycle import CLOSED
from sotong.complaints.models import Complaint, ComplaintCategory, Resident
from sotong.complaints.views import build_view
from sotong.deadlines import now_utc, to_db
from sotong.open311.errors import Open311Error
from sotong.open311.public import public_text

CHANNEL = "open311"  # ResidentKey.channel of complaints filed through Open311
MAX_SPAN = timedelta(days=90)
MAX_ROWS = 1000
MAX_IDS = 100
CLOSED_VALUES = frozenset(s.value for s in CLOSED)


@dataclass(frozen=True)
class RequestQuery:
    """GET requests, checked: ``ids`` (receipt numbers) override every other filter."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None  # aware
    end: datetime | None = None
    statuses: frozenset[str] = frozenset()  # open / closed; empty = both


def date_range(start: datetime | None, end: datetime | None, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The spec's range: the last 90 days by default, never more than 90 days (else 400)."""
    if start is None:
        end = end or now or now_utc()
        start = end - MAX_SPAN
    elif end is None:
        end = start + MAX_SPAN
    if end < start:
        raise Open311Error(400, "end_date is before start_date")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date to end_date may span at most 90 days")
    return start, end


def _status_notes(complaint: Complaint, labels: dict[str, str]) -> str | None:
    label = labels.get(complaint.status, complaint.status)
    changes = [c for c in complaint.history if c.kind == "status" and c.to_status == complaint.status]
    # Staff write notes for the public record; a resident's own words (a withdrawal's reason) stay private.
    note = changes[-1].note if changes and not changes[-1].actor.startswith("resident:") else None
    return public_text(f"{label}: {note}" if note else label)


def to_record(complaint: Complaint, labels: dict[str, str]) -> dict[str, Any]:
    """One service request in the spec's field order, aware ISO 8601 datetimes (KST)."""
    view = build_view(complaint)
    from_client = complaint.resident.channel == CHANNEL
    return {
        "service_request_id": view.receipt_no,
        "status": "closed" if view.status in CLOSED_VALUES else "open",
        "status_notes": _status_notes(complaint, labels),
        "service_name": view.category_name,
        "service_code": view.category_code,
        "description": public_text(view.description),
        "agency_responsible": view.routed_department_name,
        "service_notice": None,
        "requested_datetime": view.created_at.isoformat(),
        "updated_datetime": view.updated_at.isoformat(),
        "expected_datetime": view.due_at.isoformat(),  # the legal processing deadline (처리기한)
        "address": public_text(view.address),
        "address_id": None,
        "zipcode": None,
        "lat": view.lat,
        "long": view.lng,
        "media_url": view.photo_url if from_client else None,
    }


def find_requests(session: Session, query: RequestQuery, now: datetime | None = None) -> list[dict[str, Any]]:
    """GET requests: newest first, at most 1000."""
    stmt = (
        select(Complaint)
        .join(ComplaintCategory, Complaint.category_id == ComplaintCategory.id)
        .join(Resident, Complaint.resident_id == Resident.id)
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())
        .limit(MAX_ROWS)
    )
    if query.ids:
        stmt = stmt.where(Complaint.receipt_no.in_(query.ids))
    else:
        start, end = date_range(query.start, query.end, now)
        stmt = stmt.where(Complaint.created_at >= to_db(start), Complaint.created_at <= to_db(end))
        if query.service_codes:
            stmt = stmt.where(ComplaintCategory.code.in_(query.service_codes))
        if query.statuses == {"open"}:
            stmt = stmt.where(Complaint.status.notin_(CLOSED_VALUES))
        elif query.statuses == {"closed"}:
            stmt = stmt.where(Complaint.status.in_(CLOSED_VALUES))
    labels = service.status_labels()
    return [to_record(c, labels) for c in session.execute(stmt).unique().scalars()]


def get_request(session: Session, request_id: str) -> dict[str, Any]:
    """GET requests/{id}; Open311Error 404 for an unknown (or malformed) id."""
    receipt_no = service.normalize_receipt_no(request_id)
    if receipt_no is not None:
        found = find_requests(session, RequestQuery(ids=(receipt_no,)))
        if found:
            return found[0]
    raise Open311Error(404, "service_request_id not found")


def _values(params: dict[str, list[str]], name: str) -> list[str]:
    """A filter the spec lets clients repeat or comma-delimit: every non-empty value."""
    return [v.strip() for raw in params.get(name, []) for v in raw.split(",") if v.strip()]


def parse_datetime(name: str, raw: str) -> datetime:
    """A w3 datetime with its timezone (``2010-01-01T00:00:00Z`` or ``+09:00``); else 400."""
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise Open311Error(400, f"{name} is not a w3 datetime such as 2010-01-01T00:00:00Z") from None
    if value.tzinfo is None:
        raise Open311Error(400, f"{name} needs a timezone (Z or an offset such as +09:00)")
    return value


def parse_query(params: dict[str, list[str]]) -> RequestQuery:
    """GET requests' query string (each name with all its values) -> RequestQuery, or 400."""
    ids = _values(params, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"at most {MAX_IDS} service_request_id values at once")
    statuses = frozenset(_values(params, "status"))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status is open, closed or both (comma delimited)")
    dates = {}
    for name in ("start_date", "end_date"):
        given = _values(params, name)
        if len(given) > 1:
            raise Open311Error(400, f"{name} given more than once")
        dates[name] = parse_datetime(name, given[0]) if given else None
    query = RequestQuery(
        ids=tuple(n for n in (service.normalize_receipt_no(i) for i in ids) if n),
        service_codes=tuple(_values(params, "service_code")),
        start=dates["start_date"],
        end=dates["end_date"],
        statuses=statuses,
    )
    if ids and not query.ids:  # only ids that cannot exist: nothing matches (not "every request")
        return RequestQuery(ids=("-",))
    date_range(query.start, query.end)  # checked even when ids override it: a wrong range is a wrong request
    return query

"""``POST requests``: a form from an Open311 client, checked and filed through the core.

The client files as its own resident (channel ``open311``, user ``client:<name>``), so
the per-resident filing limits bound each client, and the complaint gets the receipt
number, deadline, routing and lifecycle of any other. Checked in this order: a form
that cannot be read (400: control characters, a field given twice), the api_key (403,
before any field's content is looked at), jurisdiction and service (404), then the
fields (400, first problem named). Contact fields (email, names, phone, device and
account ids) are accepted as the spec allows and then dropped: nothing here may keep a
person's data without their consent, and public answers never carry it.

Resubmitting the same report (same client, service, location and text) returns the
request filed the first time — a client's retry after a timeout files nothing twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from sotong.complaints import service
from sotong.complaints.errors import FilingLimitReached, InvalidComplaintInput, UnknownReference
from sotong.open311 import catalog, keys
from sotong.open311.errors import Open311Error
from sotong.open311.jurisdiction import check_jurisdiction
from sotong.open311.public import has_control_characters
from sotong.open311.records import CHANNEL

SINGLE = (
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "media_url",
    "email",
    "device_id",
    "account_id",
    "first_name",
    "last_name",
    "phone",
)
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")
# The client's requests are told apart by content (service.submission_key), not by this key.
_IDEMPOTENCY = "open311"
_FIELD_NAMES = {"photo_url": "media_url", "lng": "long", "location": "lat/long"}


def _collect(items: Iterable[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    fields: dict[str, str] = {}
    attributes: dict[str, list[str]] = {}
    for name, value in items:
        if has_control_characters(name) or has_control_characters(value):
            raise Open311Error(400, "control characters are not allowed in a form field")
        match = _ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).append(value)
        elif name in SINGLE:
            if name in fields:
                raise Open311Error(400, f"{name} given more than once")
            fields[name] = value.strip()
        elif name.startswith("attribute"):
            raise Open311Error(400, "attributes are sent as attribute[code]=value")
        # anything else: a jurisdiction-specific extra the spec lets clients send; ignored
    return fields, attributes


def _number(fields: dict[str, str], name: str) -> float | None:
    raw = fields.get(name, "")
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} is not a number") from None


def _location(fields: dict[str, str]) -> tuple[str, float | None, float | None]:
    lat, lng = _number(fields, "lat"), _number(fields, "long")
    if (lat is None) != (lng is None):
        raise Open311Error(400, "lat and long are sent together")
    address = fields.get("address_string", "")
    if not address and lat is None:
        if fields.get("address_id"):
            raise Open311Error(400, "address_id is not supported here; send lat and long or address_string")
        raise Open311Error(400, "a location is required: lat and long, or address_string")
    # Without an address the point itself is the address officers read.
    return address or f"{lat:.6f}, {lng:.6f}", lat, lng


def _details(svc: catalog.Service, attributes: dict[str, list[str]]) -> tuple[list[str], str | None]:
    """Labelled answers for the description, and the 'since when' answer for seen_at."""
    known = {a.code: a for a in svc.attributes}
    lines, seen_at = [], None
    for code, values in attributes.items():
        if code not in known:
            raise Open311Error(400, f"attribute {code[:60]} is not defined for service {svc.code}")
        if len(values) != 1:
            raise Open311Error(400, f"attribute {code} takes one value")
        value = values[0].strip()
        if len(value) > catalog.MAX_ATTRIBUTE_VALUE:
            raise Open311Error(400, f"attribute {code}: at most {catalog.MAX_ATTRIBUTE_VALUE} characters")
        if not value:
            continue
        if code == catalog.SEEN_AT_QUESTION:
            seen_at = value
        else:
            lines.append(f"{known[code].label}: {value}")
    return lines, seen_at


def file_request(session: Session, items: Iterable[tuple[str, str]], now: datetime | None = None) -> dict[str, Any]:
    """File one request from the form's (name, value) pairs; the spec's POST answer (one entry)."""
    fields, attributes = _collect(items)
    client = keys.authenticate(session, fields.get("api_key"), now)
    check_jurisdiction(fields.get("jurisdiction_id"))
    code = fields.get("service_code", "")
    if not code:
        raise Open311Error(400, "service_code is required")
    svc = catalog.get_service(session, code)
    address, lat, lng = _location(fields)
    description = fields.get("description", "")
    lines, seen_at = _details(svc, attributes)
    if not description and not lines:
        raise Open311Error(400, "description is required")
    if len(description) > 4000:  # the spec's limit, before the answers are added
        raise Open311Error(400, "description: at most 4000 characters")
    full = "\n\n".join(p for p in (description, "\n".join(lines)) if p)
    try:
        filed = service.file_complaint(
            session,
            service.ResidentKey(CHANNEL, f"client:{client.client}"),
            category=svc.code,
            address=address,
            description=full,
            idempotency_key=_IDEMPOTENCY,
            photo_url=fields.get("media_url") or None,
            seen_at=seen_at,
            lat=lat,
            lng=lng,
            now=now,
        )
    except FilingLimitReached as exc:
        raise Open311Error(429, f"this client may file at most {exc.limit} requests per {exc.window}") from None
    except UnknownReference:
        raise Open311Error(404, f"service_code not found: {code[:60]}") from None
    except InvalidComplaintInput as exc:
        field = _FIELD_NAMES.get(exc.field, exc.field)
        raise Open311Error(400, f"{field}: {exc.problem}") from None
    return {"service_request_id": filed.complaint.receipt_no, "service_notice": None, "account_id": None}

"""Linking the web page and a chat channel (KakaoTalk) into one resident with a one-time code.

A resident asks for a 6-digit code on one side (web, or 카카오톡 "웹 연결") and types it
on the other within 10 minutes. Codes cross sides only: a code made on the web is
redeemed in a chat channel and the other way round. Codes are kept as HMAC-SHA256
keyed by SOTONG_SESSION_SECRET (a 6-digit code's plain hash is guessed offline at once).

Guessing: a wrong code cannot tell which open code it aimed at, so every wrong try
counts against every open code of the other side; a code that has seen 5 wrong tries
is void. Whatever the guesser does, any code gets at most 5 guesses in its 10 minutes
(a 5-in-a-million chance); the cost is that a flood of wrong tries voids pending codes
and their residents ask for a new one. Wrong, expired, used and void codes look the
same from outside, so no answer tells a guesser that a code exists.

Redeeming merges the two residents in the same transaction (``merge_residents``): the
older row stays, the other's complaints, devices, aliases and consent move to it, and
the other channel user becomes an alias so ``find_resident`` finds the survivor.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sotong.complaints.models import Complaint, Resident
from sotong.complaints.residents import ResidentKey, get_or_create_resident
from sotong.db import Base, import_models
from sotong.deadlines import from_db, now_utc, to_db
from sotong.residents.devices import WEB
from sotong.residents.models import LinkCode, ResidentAlias, WebDevice

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_WRONG_TRIES = 5
_DOMAIN = b"sotong-link-code-v1"


class LinkError(ValueError):
    """Why linking could not even be tried: "disabled" (no secret) or "malformed" (not 6 digits)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LinkResult:
    """``linked`` False: the code was wrong, expired, used or void (returned, not raised, so the
    caller's transaction commits the counted wrong try instead of rolling it back)."""

    linked: bool
    resident_id: int | None = None  # the resident both sides are now
    already_linked: bool = False


def normalize_code(raw: object) -> str:
    """ "123 456", "123-456", "１２３４５６" → "123456"; anything else is LinkError("malformed")."""
    if not isinstance(raw, str) or len(raw) > 40:
        raise LinkError("malformed")
    digits = "".join(str(int(ch)) for ch in raw if ch.isdigit())
    rest = "".join(ch for ch in raw if not ch.isdigit() and ch not in " -\t")
    if rest or len(digits) != CODE_DIGITS:
        raise LinkError("malformed")
    return digits


def _hash(secret: str | None, code: str) -> str:
    if not secret:
        raise LinkError("disabled")
    return hmac.new(secret.encode("utf-8"), _DOMAIN + b"|" + code.encode("ascii"), hashlib.sha256).hexdigest()


def _is_web(channel: str) -> bool:
    return channel == WEB


def _open(moment: datetime):
    return (LinkCode.used_at.is_(None), LinkCode.expires_at > moment, LinkCode.attempts < MAX_WRONG_TRIES)


def _other_side(redeemer_channel: str):
    return LinkCode.channel != WEB if _is_web(redeemer_channel) else LinkCode.channel == WEB


def issue_code(
    session: Session, resident_id: int, channel: str, secret: str | None, now: datetime | None = None
) -> str:
    """A fresh code for ``resident_id`` made on ``channel``; their earlier open codes stop working."""
    moment = to_db(now or now_utc())
    session.execute(
        update(LinkCode)
        .where(LinkCode.resident_id == resident_id, *_open(moment))
        .values(expires_at=moment)
        .execution_options(synchronize_session=False)
    )
    for _ in range(20):  # two open codes with the same digits would make redeeming ambiguous
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        digest = _hash(secret, code)
        clash = session.execute(select(LinkCode.id).where(LinkCode.code_hash == digest, *_open(moment))).first()
        if clash is None:
            break
    else:  # pragma: no cover - needs ~10^5 open codes
        raise LinkError("disabled")
    session.add(
        LinkCode(
            code_hash=digest,
            resident_id=resident_id,
            channel=channel,
            attempts=0,
            created_at=moment,
            expires_at=moment + CODE_TTL,
        )
    )
    session.flush()
    return code


def redeem_code(
    session: Session, code: object, resident_id: int, channel: str, secret: str | None, now: datetime | None = None
) -> LinkResult:
    """Link ``resident_id`` (typing on ``channel``) with the code's issuer.

    LinkError for a malformed code or no secret (nothing counted); a wrong code is a
    ``LinkResult(linked=False)`` — commit the transaction so the try counts.
    """
    digits = normalize_code(code)
    digest = _hash(secret, digits)
    moment = to_db(now or now_utc())
    found = session.execute(
        select(LinkCode)
        .where(LinkCode.code_hash == digest, _other_side(channel), *_open(moment))
        .with_for_update()  # two racing redemptions: the second waits, then sees used_at
    ).scalar_one_or_none()
    if found is None:
        session.execute(
            update(LinkCode)
            .where(_other_side(channel), *_open(moment))
            .values(attempts=LinkCode.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        session.flush()
        return LinkResult(linked=False)
    found.used_at = moment
    session.flush()
    issuer = int(found.resident_id)
    if issuer == resident_id:
        return LinkResult(True, resident_id, already_linked=True)
    keep, drop = min(issuer, resident_id), max(issuer, resident_id)
    merge_residents(session, keep, drop, moment)
    return LinkResult(True, keep)


def issue_code_for(session: Session, who: ResidentKey, secret: str | None, now: datetime | None = None) -> str:
    """``issue_code`` for a chat user (the resident row is made on first use)."""
    return issue_code(session, get_or_create_resident(session, who, now).id, who.channel, secret, now)


def redeem_code_for(
    session: Session, code: object, who: ResidentKey, secret: str | None, now: datetime | None = None
) -> LinkResult:
    """``redeem_code`` for a chat user typing a code made on the web."""
    digits = normalize_code(code)  # malformed: refused before a resident row is made
    return redeem_code(session, digits, get_or_create_resident(session, who, now).id, who.channel, secret, now)


def _tables_pointing_at_residents() -> list[tuple[Table, str]]:
    import_models()  # every table must be known here, or a row left pointing at the dropped resident blocks the merge
    found = []
    for table in Base.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == Resident.__tablename__ and table.name != Resident.__tablename__:
                found.append((table, fk.parent.name))
    return found


def _repoint(session: Session, table: Table, column: str, keep: int, drop: int) -> None:
    """Move ``drop``'s rows to ``keep``; a row the survivor already has (a unique clash) is a duplicate."""
    col = table.c[column]
    try:
        with session.begin_nested():
            session.execute(update(table).where(col == drop).values({column: keep}))
        return
    except IntegrityError:
        pass
    pk = list(table.primary_key.columns)
    for row in session.execute(select(*pk).where(col == drop)).all():
        match = [c == v for c, v in zip(pk, row)]
        try:
            with session.begin_nested():
                session.execute(update(table).where(*match).values({column: keep}))
        except IntegrityError:
            session.execute(delete(table).where(*match))


def merge_residents(session: Session, keep_id: int, drop_id: int, now: datetime | None = None) -> None:
    """Make ``drop_id`` the same resident as ``keep_id``, in the caller's transaction.

    Every complaint stays (an idempotency key both happen to use is renamed, never
    dropped); the newer phone consent wins; every table that points at a resident is
    moved (found from the schema, so tables added later are moved too); the dropped
    row's channel user becomes an alias of the survivor.
    """
    moment = to_db(now or now_utc())
    keep = session.get(Resident, keep_id)
    drop = session.get(Resident, drop_id)
    if keep is None or drop is None or keep_id == drop_id:
        raise ValueError("merge needs two existing, different residents")
    session.flush()
    if drop.phone and (not keep.phone or from_db(drop.phone_consent_at) > from_db(keep.phone_consent_at)):
        keep.phone = drop.phone
        keep.phone_consent_at = drop.phone_consent_at
        keep.phone_consent_purpose = drop.phone_consent_purpose
    kept_keys = set(
        session.execute(select(Complaint.idempotency_key).where(Complaint.resident_id == keep_id)).scalars()
    )
    for complaint in session.execute(select(Complaint).where(Complaint.resident_id == drop_id)).scalars():
        if complaint.idempotency_key in kept_keys:
            complaint.idempotency_key = f"merged{drop_id}:{complaint.idempotency_key}"[:100]
    session.flush()
    for table, column in _tables_pointing_at_residents():
        _repoint(session, table, column, keep_id, drop_id)
    channel, user_id = str(drop.channel), str(drop.channel_user_id)
    session.expunge(drop)  # its ORM copy is stale after the bulk updates
    session.execute(delete(Resident.__table__).where(Resident.__table__.c.id == drop_id))
    session.add(ResidentAlias(channel=channel, channel_user_id=user_id, resident_id=keep_id, created_at=moment))
    session.flush()
    session.expire_all()


@dataclass(frozen=True)
class LinkedChannel:
    channel: str
    since: datetime


def linked_channels(session: Session, resident_id: int) -> list[LinkedChannel]:
    """The channels this resident is known on (own row first, then aliases), without their user ids."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        return []
    found = [LinkedChannel(str(resident.channel), from_db(resident.created_at))]
    aliases = session.execute(
        select(ResidentAlias).where(ResidentAlias.resident_id == resident_id).order_by(ResidentAlias.id)
    ).scalars()
    found += [LinkedChannel(str(a.channel), from_db(a.created_at)) for a in aliases]
    return found


def device_count(session: Session, resident_id: int) -> int:
    rows = session.execute(
        select(WebDevice.id).where(WebDevice.resident_id == resident_id, WebDevice.revoked_at.is_(None))
    )
    return len(rows.all())

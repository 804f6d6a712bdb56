"""Residents: identity by channel user, and the phone number kept only with consent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sotong.complaints.actors import Actor
from sotong.complaints.errors import InvalidComplaintInput
from sotong.complaints.models import Resident
from sotong.deadlines import now_utc, to_db
from sotong.residents.models import ResidentAlias

_MOBILE = re.compile(r"^01[016789]\d{7,8}$")


@dataclass(frozen=True)
class ResidentKey:
    """Who is talking: the channel (kakao, rest, web, ...) and its stable user id
    (Kakao botUserKey, Rasa sender_id). No re-authentication: this *is* the resident."""

    channel: str
    user_id: str

    def __post_init__(self):
        if not (self.channel or "").strip() or not (self.user_id or "").strip():
            raise InvalidComplaintInput("resident", "channel and user id are required")

    @property
    def actor(self) -> str:
        """As recorded in the history (``str(Actor.resident(key))``)."""
        return str(Actor.resident(self))


ResidentLike = ResidentKey | Resident


def find_resident(session: Session, who: ResidentLike) -> Resident | None:
    """The resident row of a channel user, following a link (web page ↔ KakaoTalk) when there is one.

    A linked channel user's own row was merged into another (sotong.residents.links);
    the alias then names the resident they are now.
    """
    if isinstance(who, Resident):
        return who
    key = cast(ResidentKey, who)  # mypy does not narrow through SQLAlchemy's declarative metaclass
    own = session.execute(
        select(Resident).where(Resident.channel == key.channel, Resident.channel_user_id == key.user_id)
    ).scalar_one_or_none()
    if own is not None:
        return own
    return session.execute(
        select(Resident)
        .join(ResidentAlias, ResidentAlias.resident_id == Resident.id)
        .where(ResidentAlias.channel == key.channel, ResidentAlias.channel_user_id == key.user_id)
    ).scalar_one_or_none()


def get_or_create_resident(session: Session, who: ResidentLike, now: datetime | None = None) -> Resident:
    """The resident row, created on first use; safe when two requests race to create it."""
    found = find_resident(session, who)
    if found is not None:
        return found
    key = cast(ResidentKey, who)  # a Resident row was returned above
    try:
        with session.begin_nested():
            resident = Resident(channel=key.channel, channel_user_id=key.user_id, created_at=to_db(now or now_utc()))
            session.add(resident)
        return resident
    except IntegrityError:
        # The other request won; its row is committed (that is why ours collided).
        winner = find_resident(session, key)
        if winner is None:
            raise
        return winner


def normalize_mobile(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("82"):
        digits = "0" + digits[2:]
    if not _MOBILE.match(digits):
        raise InvalidComplaintInput("phone", "not a Korean mobile number")
    return digits


def record_phone_consent(
    session: Session, who: ResidentLike, phone: str, purpose: str, now: datetime | None = None
) -> Resident:
    """Store the phone number together with when and for what the resident agreed.

    Only once the number is verified: the dialogue reaches this through
    ``sotong.privacy.verification.confirm_phone_code``, never directly."""
    if not (purpose or "").strip():
        raise InvalidComplaintInput("purpose", "consent must say what the number is used for")
    resident = get_or_create_resident(session, who, now)
    resident.phone = normalize_mobile(phone)
    resident.phone_consent_at = to_db(now or now_utc())
    resident.phone_consent_purpose = purpose.strip()[:200]
    session.flush()
    return resident


def withdraw_phone_consent(session: Session, who: ResidentLike, conversation_id: str | None = None) -> None:
    """ "알림톡 그만": forget the number everywhere it was written, in this transaction.

    The resident row, a pending verification code, the 알림톡 target of messages still
    queued (they go to the chat only) and — given the conversation id — every mobile
    number in that conversation's events in Rasa's tracker store (masked in place).
    """
    from sotong.complaints.outbox import chat_only
    from sotong.privacy.tracker_store import scrub_phone_numbers
    from sotong.privacy.verification import forget_verifications

    resident = find_resident(session, who)
    if resident is not None:
        resident.phone = None
        resident.phone_consent_at = None
        resident.phone_consent_purpose = None
        forget_verifications(session, resident.id)
        chat_only(session, resident.id)
        session.flush()
    if conversation_id:
        scrub_phone_numbers(session.connection(), conversation_id)

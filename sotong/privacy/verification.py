"""Verifying a phone number with a one-time code before any 알림톡 goes to it.

The resident types a number → ``start_phone_verification`` stores it with a salted
hash of a random 6-digit code (the number is not yet the resident's: no message but
the code goes to it) → the notification worker sends the code (``send_pending_codes``;
the clear code is wiped when a worker takes it) → the resident types the code →
``confirm_phone_code`` compares it in constant time; only a match records the consent
(``residents.record_phone_consent``). Codes expire, are single-use and allow a limited
number of wrong tries; starting again replaces the pending code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from sotong.complaints.models import Resident
from sotong.complaints.residents import ResidentLike, find_resident, get_or_create_resident, normalize_mobile
from sotong.deadlines import now_utc, to_db
from sotong.notifications.masking import mask_phone, mask_phones
from sotong.privacy.models import PhoneVerification
from sotong.privacy.policy import privacy_policy

log = logging.getLogger(__name__)

_ITERATIONS = 60_000  # a 6-digit code has few values: make each guess at a stolen hash cost


class CodeCheck(str, Enum):
    VERIFIED = "verified"  # consent recorded, the number is the resident's
    WRONG = "wrong"  # try again (attempts_left > 0)
    EXPIRED = "expired"  # too late: ask for a new code
    LOCKED = "locked"  # too many wrong codes: ask for a new code
    NONE = "none"  # nothing pending


@dataclass(frozen=True)
class CodeCheckResult:
    outcome: CodeCheck
    attempts_left: int = 0
    phone: str | None = None  # the verified number (digits), only when VERIFIED


def _hash(code: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.encode(), bytes.fromhex(salt), _ITERATIONS).hex()


def start_phone_verification(
    session: Session, who: ResidentLike, phone: str, purpose: str, now: datetime | None = None
) -> PhoneVerification:
    """Queue a new code for ``phone`` (replacing any pending one); the worker sends it."""
    digits = normalize_mobile(phone)
    at = to_db(now or now_utc())
    policy = privacy_policy()
    resident = get_or_create_resident(session, who, now)
    session.execute(delete(PhoneVerification).where(PhoneVerification.resident_id == resident.id))
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    row = PhoneVerification(
        resident_id=resident.id,
        phone=digits,
        purpose=(purpose or "").strip()[:200] or "-",
        code_hash=_hash(code, salt),
        salt=salt,
        attempts=0,
        code_to_send=code,
        expires_at=at + timedelta(minutes=policy.code_minutes),
        created_at=at,
    )
    session.add(row)
    session.flush()
    log.info("verification %s started for %s", row.id, mask_phone(digits))
    return row


def pending_verification(session: Session, who: ResidentLike) -> PhoneVerification | None:
    resident = find_resident(session, who)
    if resident is None:
        return None
    return session.execute(
        select(PhoneVerification).where(PhoneVerification.resident_id == resident.id)
    ).scalar_one_or_none()


def confirm_phone_code(session: Session, who: ResidentLike, typed: str, now: datetime | None = None) -> CodeCheckResult:
    """Check the code the resident typed; a match records the consent (and the number)."""
    from sotong.complaints.residents import record_phone_consent  # the one place a number is stored

    at = to_db(now or now_utc())
    policy = privacy_policy()
    row = pending_verification(session, who)
    if row is None:
        return CodeCheckResult(CodeCheck.NONE)
    if row.expires_at <= at:
        session.delete(row)
        return CodeCheckResult(CodeCheck.EXPIRED)
    if row.attempts >= policy.max_attempts:
        session.delete(row)
        return CodeCheckResult(CodeCheck.LOCKED)
    digits = re.sub(r"\D", "", typed or "")[:12]
    # Always hash, even for a malformed answer, so timing says nothing about the code.
    matches = hmac.compare_digest(_hash(digits, row.salt), row.code_hash) and len(digits) == 6
    if not matches:
        row.attempts += 1
        left = policy.max_attempts - row.attempts
        if left <= 0:
            session.delete(row)
            session.flush()
            return CodeCheckResult(CodeCheck.LOCKED)
        session.flush()
        return CodeCheckResult(CodeCheck.WRONG, attempts_left=left)
    phone, purpose, resident_id = row.phone, row.purpose, row.resident_id
    session.delete(row)  # single use
    session.flush()
    resident = session.get(Resident, resident_id)
    record_phone_consent(session, resident, phone, purpose, now)
    return CodeCheckResult(CodeCheck.VERIFIED, phone=phone)


def forget_verifications(session: Session, resident_id: int) -> int:
    result = session.execute(delete(PhoneVerification).where(PhoneVerification.resident_id == resident_id))
    return result.rowcount or 0


def _claim_codes(engine: Engine | None, at: datetime, limit: int) -> list[tuple[int, str, str]]:
    from sotong.db import session_scope

    with session_scope(engine) as s:
        rows = s.execute(
            select(PhoneVerification.id, PhoneVerification.phone, PhoneVerification.code_to_send)
            .where(
                PhoneVerification.code_to_send.isnot(None),
                PhoneVerification.send_claimed_at.is_(None),
                PhoneVerification.expires_at > at,
            )
            .order_by(PhoneVerification.id)
            .limit(limit)
        ).all()
        claimed = []
        for vid, phone, code in rows:
            # Conditional: of two workers, one takes it; the clear code leaves the database now.
            taken = s.execute(
                update(PhoneVerification)
                .where(
                    PhoneVerification.id == vid,
                    PhoneVerification.send_claimed_at.is_(None),
                    PhoneVerification.code_to_send.isnot(None),
                )
                .values(send_claimed_at=at, code_to_send=None)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken:
                claimed.append((vid, phone, code))
        return claimed


def send_pending_codes(sender, now: datetime | None = None, *, engine: Engine | None = None, limit: int = 50) -> int:
    """Hand every unsent code to the sender, no transaction open during the call."""
    from sotong.db import session_scope
    from sotong.notifications.senders import TransientSendError, VerificationCode

    at = to_db(now or now_utc())
    policy = privacy_policy()
    handed = 0
    for vid, phone, code in _claim_codes(engine, at, limit):
        message = VerificationCode(
            verification_id=vid,
            phone=phone,
            code=code,
            template_code=policy.template_code,
            text=policy.template_text.replace("#{code}", code),
        )
        values: dict[str, Any] = {"sent_at": at}
        try:
            sender.send_code(message)
            handed += 1
        except TransientSendError as exc:
            # Certainly not delivered: put the code back for the next round.
            values = {"send_claimed_at": None, "code_to_send": code}
            log.warning("verification %s: code not sent (%s); retried", vid, mask_phones(str(exc))[:200])
        except Exception as exc:  # refused, or unknown: never sent twice; the resident can ask again
            log.error(
                "verification %s: code may not have arrived (%s: %s)",
                vid,
                type(exc).__name__,
                mask_phones(str(exc))[:200],
            )
        with session_scope(engine) as s:
            s.execute(
                update(PhoneVerification)
                .where(PhoneVerification.id == vid)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    return handed

"""A phone number waiting for its one-time code (finding 6: verify before any 알림톡)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String

from sotong.db import Base


class PhoneVerification(Base):
    """One pending verification per resident; deleted when verified, withdrawn or expired.

    The code itself is stored only as a salted hash. ``code_to_send`` holds it in clear
    just until the worker has handed it to the provider (the worker must send it), then
    it is wiped.
    """

    __tablename__ = "phone_verification"

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, unique=True)
    phone = Column(String(20), nullable=False)  # digits only, the number being verified
    purpose = Column(String(200), nullable=False)  # what the resident is agreeing to
    code_hash = Column(String(128), nullable=False)  # pbkdf2-sha256, hex
    salt = Column(String(32), nullable=False)  # hex
    attempts = Column(Integer, nullable=False, default=0)  # wrong codes typed so far
    code_to_send = Column(String(6), nullable=True)  # wiped once sent
    send_claimed_at = Column(DateTime, nullable=True)  # a worker took it (sent at most once)
    sent_at = Column(DateTime, nullable=True)
    expires_at = Column(DateTime, nullable=False)
    created_at = Column(DateTime, nullable=False)

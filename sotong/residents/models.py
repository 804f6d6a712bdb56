"""Tables for the resident's web devices, channel aliases and link codes.

They share ``sotong.db.Base`` so ``create_schema``/Alembic see them (migration 0003).
Times are naive UTC (see sotong.deadlines).
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, UniqueConstraint

from sotong.db import Base


class WebDevice(Base):
    """One browser holding a ``sotong_device`` cookie; the cookie's random part is kept only hashed."""

    __tablename__ = "web_devices"

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, index=True)
    # Random, not secret: names the device in the cookie and in Rasa's conversation id "web:<key>".
    public_key = Column(String(32), nullable=False, unique=True)
    token_hash = Column(String(64), nullable=False)  # sha256 hex of the cookie's random part
    user_agent = Column(String(80), nullable=True)  # a label for "이 기기", never used for trust
    created_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime, nullable=True)


class ResidentAlias(Base):
    """A channel user who became the same resident as another by linking (their row was merged)."""

    __tablename__ = "resident_aliases"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id", name="uq_resident_aliases_channel_user"),)

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)
    channel_user_id = Column(String(128), nullable=False)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)


class LinkCode(Base):
    """A 6-digit one-time code shown in one channel and typed in the other; kept only as a keyed hash."""

    __tablename__ = "link_codes"

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False, index=True)  # HMAC-SHA256 hex, keyed by the session secret
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, index=True)
    channel = Column(String(32), nullable=False)  # where it was issued: web, kakao, rest
    attempts = Column(Integer, nullable=False, default=0)  # wrong codes typed while this one was open
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime, nullable=True)

"""Open311 API keys: one per client application, only the hash is kept."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String

from sotong.db import Base


class Open311ApiKey(Base):
    """A client allowed to ``POST requests``. The key itself is shown once, at creation."""

    __tablename__ = "open311_api_key"

    id = Column(Integer, primary_key=True)
    client = Column(String(60), nullable=False, index=True)  # who it was given to, e.g. fixmystreet-seogu
    key_hash = Column(String(64), nullable=False, unique=True)  # SHA-256 hex of the key
    key_prefix = Column(String(12), nullable=False)  # first characters, to tell keys apart in a list
    created_at = Column(DateTime, nullable=False)
    revoked_at = Column(DateTime, nullable=True)
    last_used_at = Column(DateTime, nullable=True)

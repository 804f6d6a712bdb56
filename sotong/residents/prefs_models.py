"""Tables for what a resident keeps on the page: favourites, preferences, recent page taps.

They share ``sotong.db.Base`` so ``create_schema``/Alembic see them (migration 0004).
Times are naive UTC (see sotong.deadlines).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, UniqueConstraint

from sotong.db import Base

SERVICE_ID_LENGTH = 80  # ask_passport, report:<code>, faq:<topic id>


class ResidentFavourite(Base):
    """A service the resident pinned to the quick menu; ``position`` orders them (0 first)."""

    __tablename__ = "resident_favourites"
    __table_args__ = (UniqueConstraint("resident_id", "service_id", name="uq_resident_favourites_resident_service"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, index=True)
    service_id = Column(String(SERVICE_ID_LENGTH), nullable=False)
    position = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False)


class ResidentPrefs(Base):
    """Switches the resident sets on the page; no row = the defaults."""

    __tablename__ = "resident_prefs"

    resident_id = Column(Integer, ForeignKey("resident.id"), primary_key=True)
    recommendations_on = Column(Boolean, nullable=False, default=True)
    updated_at = Column(DateTime, nullable=False)


class ResidentActivity(Base):
    """A service the resident opened on the page, for recommendations: one row per service
    (a repeat only moves ``at``), the oldest dropped past a small bound."""

    __tablename__ = "resident_activity"
    __table_args__ = (UniqueConstraint("resident_id", "service_id", name="uq_resident_activity_resident_service"),)

    id = Column(Integer, primary_key=True)
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, index=True)
    service_id = Column(String(SERVICE_ID_LENGTH), nullable=False)
    at = Column(DateTime, nullable=False)

"""Tables for residents, departments, officers, complaint categories, complaints and
their status history. Times are naive UTC (see sotong.deadlines)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from sotong.db import Base


class Resident(Base):
    """A resident as the channel knows them: no re-authentication, the channel user is the identity."""

    __tablename__ = "resident"
    __table_args__ = (
        UniqueConstraint("channel", "channel_user_id", name="uq_resident_channel_user"),
        # A phone number is personal data: kept only together with the consent that allows it.
        CheckConstraint(
            "phone IS NULL OR (phone_consent_at IS NOT NULL AND phone_consent_purpose IS NOT NULL)",
            name="phone_needs_consent",
        ),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(32), nullable=False)  # kakao, rest, web, ...
    channel_user_id = Column(String(128), nullable=False)  # e.g. Kakao botUserKey
    phone = Column(String(20), nullable=True)  # digits only, e.g. 01012345678
    phone_consent_at = Column(DateTime, nullable=True)
    phone_consent_purpose = Column(String(200), nullable=True)  # what the resident agreed to
    created_at = Column(DateTime, nullable=False)


class Department(Base):
    """A 과 (department) of the district office."""

    __tablename__ = "department"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)  # cleaning, traffic, ...
    name = Column(String(100), nullable=False)  # 자원순환과
    phone = Column(String(40), nullable=True)
    sample = Column(Boolean, nullable=False, default=False)


class Officer(Base):
    """담당자: the officer in charge of a complaint; the phone is a work number given to residents."""

    __tablename__ = "officer"

    id = Column(Integer, primary_key=True)
    code = Column(String(60), nullable=False, unique=True)  # stable id used by staff tools
    name = Column(String(60), nullable=False)
    phone = Column(String(40), nullable=True)
    department_id = Column(Integer, ForeignKey("department.id"), nullable=False, index=True)
    active = Column(Boolean, nullable=False, default=True)
    sample = Column(Boolean, nullable=False, default=False)

    department = relationship(Department, lazy="joined")


class ComplaintCategory(Base):
    """What a complaint is about, where it is routed and its legal processing period."""

    __tablename__ = "complaint_category"

    id = Column(Integer, primary_key=True)
    code = Column(String(40), nullable=False, unique=True)  # illegal_dumping, illegal_parking
    name = Column(String(100), nullable=False)  # 무단투기
    department_id = Column(Integer, ForeignKey("department.id"), nullable=False)
    processing_days = Column(Integer, nullable=False)  # 고충민원: 7
    active = Column(Boolean, nullable=False, default=True)
    sample = Column(Boolean, nullable=False, default=False)

    department = relationship(Department, lazy="joined")


class Complaint(Base):
    """One 민원 filed by a resident."""

    __tablename__ = "complaint"
    __table_args__ = (
        # Exactly-once filing: a retried or double-tapped submission carries the same key.
        UniqueConstraint("resident_id", "idempotency_key", name="uq_complaint_resident_idempotency"),
    )

    id = Column(Integer, primary_key=True)
    receipt_no = Column(String(9), nullable=False, unique=True)  # XXXX-XXXX, random
    resident_id = Column(Integer, ForeignKey("resident.id"), nullable=False, index=True)
    category_id = Column(Integer, ForeignKey("complaint_category.id"), nullable=False)
    status = Column(String(24), nullable=False, index=True)  # ComplaintStatus value
    department_id = Column(Integer, ForeignKey("department.id"), nullable=True)
    officer_id = Column(Integer, ForeignKey("officer.id"), nullable=True)
    address = Column(String(300), nullable=False)
    lat = Column(Float, nullable=True)
    lng = Column(Float, nullable=True)
    description = Column(Text, nullable=False)
    photo_url = Column(String(1000), nullable=True)
    seen_at = Column(String(100), nullable=True)  # the resident's words: "어제 밤 10시쯤"
    rejection_reason = Column(Text, nullable=True)
    appeal_info = Column(Text, nullable=True)  # how to appeal a rejection
    idempotency_key = Column(String(100), nullable=False)
    due_at = Column(DateTime, nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    resident = relationship(Resident, lazy="joined")
    category = relationship(ComplaintCategory, lazy="joined")
    department = relationship(Department, lazy="joined")
    officer = relationship(Officer, lazy="joined")
    history = relationship(
        "ComplaintStatusChange",
        order_by="ComplaintStatusChange.id",
        back_populates="complaint",
        lazy="selectin",
    )


class ComplaintStatusChange(Base):
    """One line of a complaint's history: a status change or a correction, with who and when."""

    __tablename__ = "complaint_status_change"

    id = Column(Integer, primary_key=True)
    complaint_id = Column(Integer, ForeignKey("complaint.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False, default="status")  # status | correction
    from_status = Column(String(24), nullable=True)  # None when the complaint is filed
    to_status = Column(String(24), nullable=False)
    actor = Column(String(200), nullable=False)  # str(Actor): resident:kakao:abc, staff:kim, system
    note = Column(Text, nullable=True)
    # Who had the complaint at that moment, so the timeline stays true after a transfer.
    department_id = Column(Integer, ForeignKey("department.id"), nullable=True)
    officer_id = Column(Integer, ForeignKey("officer.id"), nullable=True)
    at = Column(DateTime, nullable=False)

    complaint = relationship(Complaint, back_populates="history")
    department = relationship(Department, lazy="joined")
    officer = relationship(Officer, lazy="joined")

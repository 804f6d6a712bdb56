"""Tables for staff accounts (직원 계정), their browser sessions, their API tokens and the
audit log. Times are naive UTC, as everywhere in the core (sotong.deadlines)."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from sotong.complaints.models import Department, Officer
from sotong.db import Base


class StaffAccount(Base):
    """Someone who signs in to the console: an admin, an officer (담당자) or a trainer.

    ``department_id`` scopes an officer or trainer to one 과; an admin has none and sees
    every department. ``officer_id`` links the account to the officer a resident is told
    about (name and work phone), so "assign to me" names the right person.
    ``session_nonce`` is copied into every session and token check: changing it (log out
    everywhere, disable, new password) ends every session at once.
    """

    __tablename__ = "staff_account"
    __table_args__ = (CheckConstraint("role IN ('admin', 'officer', 'trainer')", name="role_known"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(40), nullable=False, unique=True)  # lower-case login name
    display_name = Column(String(60), nullable=False)
    role = Column(String(16), nullable=False)
    department_id = Column(Integer, ForeignKey("department.id"), nullable=True, index=True)
    officer_id = Column(Integer, ForeignKey("officer.id"), nullable=True)
    password_hash = Column(String(255), nullable=False)  # "$argon2id$..." or "pbkdf2_sha256$..."
    session_nonce = Column(String(64), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    failed_logins = Column(Integer, nullable=False, default=0)  # since the last good login
    locked_until = Column(DateTime, nullable=True)
    last_login_at = Column(DateTime, nullable=True)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    department = relationship(Department, lazy="joined")
    officer = relationship(Officer, lazy="joined")


class StaffSession(Base):
    """A signed-in browser. The cookie holds a random id; only its SHA-256 is stored, so a
    copy of the database lets nobody sign in. The CSRF token is per session."""

    __tablename__ = "staff_session"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    account_id = Column(Integer, ForeignKey("staff_account.id"), nullable=False, index=True)
    nonce = Column(String(64), nullable=False)  # the account's session_nonce when it was made
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_seen_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)  # absolute end; idle end is last_seen_at + idle limit
    revoked_at = Column(DateTime, nullable=True)
    # where it signed in from, so the officer can tell their own browsers apart (내 계정)
    ip = Column(String(64), nullable=True)
    user_agent = Column(String(200), nullable=True)

    account = relationship(StaffAccount, lazy="joined")


class StaffApiToken(Base):
    """A per-officer token for the staff JSON API; stored hashed (SHA-256 of 32 random bytes)."""

    __tablename__ = "staff_api_token"

    id = Column(Integer, primary_key=True)
    account_id = Column(Integer, ForeignKey("staff_account.id"), nullable=False, index=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    prefix = Column(String(12), nullable=False)  # the first characters, to tell tokens apart in a list
    label = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False)
    last_used_at = Column(DateTime, nullable=True)
    revoked_at = Column(DateTime, nullable=True)

    account = relationship(StaffAccount, lazy="joined")


class StaffAuditEntry(Base):
    """Who did what, when: every staff action and every view of a resident's personal data.

    ``account_id`` is empty for a failed login with an unknown name (``username`` then
    holds what was typed, cut to its column). ``target`` is a receipt number or a username.
    """

    __tablename__ = "staff_audit"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    account_id = Column(Integer, ForeignKey("staff_account.id"), nullable=True, index=True)
    username = Column(String(40), nullable=False)
    action = Column(String(40), nullable=False)  # login, login_failed, view_complaint, advance, ...
    target = Column(String(100), nullable=True)
    detail = Column(Text, nullable=True)
    ip = Column(String(64), nullable=True)

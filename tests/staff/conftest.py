"""Fixtures for the staff core: accounts on the seeded database (SQLite and PostgreSQL).

Passwords are hashed with PBKDF2 at a low cost here: argon2 is exercised by its own
test, and hundreds of full-cost hashes would only slow the suite down.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

import sotong.staff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.complaints import service
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from sotong.staff import accounts
from sotong.staff.principal import StaffPrincipal
from tests.web.console.conftest import console_url, new_client  # noqa: F401  (the console over HTTP, for test_console_*)

PASSWORD = "correct horse battery"
NOW = datetime(2026, 9, 21, 1, 0, tzinfo=timezone.utc)  # Monday 10:00 KST


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    monkeypatch.setenv("SOTONG_PASSWORD_HASHER", "pbkdf2")
    monkeypatch.setattr("sotong.staff.passwords.PBKDF2_ITERATIONS", 1000)
    monkeypatch.setattr("sotong.staff.passwords.Pbkdf2Hasher.__init__.__defaults__", (1000,))


def make_account(engine, username: str, role: str = "officer", department: str | None = "cleaning", officer=None):
    with session_scope(engine) as s:
        accounts.create_account(
            s, username, PASSWORD, role=role, department=department, officer=officer, display_name=username
        )
        return accounts.principal_of(accounts.find_account(s, username))


@pytest.fixture
def admin(core_db) -> StaffPrincipal:
    return make_account(core_db, "admin", role="admin", department=None)


@pytest.fixture
def officer(core_db) -> StaffPrincipal:
    return make_account(core_db, "kim", officer="cleaning-kim")


def file(engine, category: str = "illegal_dumping", who: ResidentKey | None = None) -> str:
    who = who or ResidentKey("kakao", "resident-" + uuid.uuid4().hex[:8])
    with session_scope(engine) as s:
        result = service.file_complaint(
            s,
            who,
            category=category,
            address="인천 서구 청라동 1-1",
            description="집 앞에 쓰레기가 버려져 있어요",
            idempotency_key=uuid.uuid4().hex,
            now=NOW,
        )
    return result.complaint.receipt_no

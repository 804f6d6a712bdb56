"""Fixtures for the civic core tests (the databases come from tests/conftest.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from sotong.complaints.residents import ResidentKey

# A Monday in the 추석 week: 2026-09-21 10:00 KST.
MONDAY_BEFORE_CHUSEOK = datetime(2026, 9, 21, 1, 0, tzinfo=timezone.utc)


@pytest.fixture
def now() -> datetime:
    return MONDAY_BEFORE_CHUSEOK


@pytest.fixture
def resident() -> ResidentKey:
    return ResidentKey("kakao", "resident-" + uuid.uuid4().hex[:8])


@pytest.fixture
def stranger() -> ResidentKey:
    return ResidentKey("kakao", "stranger-" + uuid.uuid4().hex[:8])

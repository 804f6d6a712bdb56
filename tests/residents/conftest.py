"""Fixtures for the resident identity tests (databases from tests/conftest.py: SQLite and PostgreSQL)."""

from __future__ import annotations

import secrets

import pytest

from tests.core.conftest import MONDAY_BEFORE_CHUSEOK, resident, stranger  # noqa: F401


@pytest.fixture
def now():
    return MONDAY_BEFORE_CHUSEOK


@pytest.fixture
def secret() -> str:
    return secrets.token_urlsafe(32)

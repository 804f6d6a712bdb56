"""Fixtures for the Kakao connector tests (helpers: kakao_testkit.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.kakao.texts import ConnectorTexts, load_texts
from sotong.db import create_schema, dispose_engine, get_engine
from tests.kakao.kakao_testkit import CallbackServer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def connector_database_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A migrated SQLite database of its own: every KakaoTalk turn looks up an officer's
    waiting lines (live handoff), and these tests must never touch the project's var/ database."""
    url = f"sqlite:///{tmp_path_factory.mktemp('kakao-db') / 'sotong.db'}"
    create_schema(get_engine(url))
    yield url
    dispose_engine(url)


@pytest.fixture(autouse=True)
def _connector_database(connector_database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", connector_database_url)


@pytest.fixture(scope="session")
def texts() -> ConnectorTexts:
    return load_texts()


@pytest.fixture
def fixture_body() -> Callable[[str], dict[str, Any]]:
    """A documented request shape from tests/kakao/fixtures/<name>.json (a fresh copy)."""

    def load(name: str) -> dict[str, Any]:
        return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))

    return load


@pytest.fixture
def callback_server() -> Any:
    servers: list[CallbackServer] = []

    def make(statuses: list[int] | None = None, kakao_statuses: list[str] | None = None) -> CallbackServer:
        servers.append(CallbackServer(statuses, kakao_statuses))
        return servers[-1]

    yield make
    for server in servers:
        server.close()

"""Fixtures for the Kakao connector tests (helpers: kakao_testkit.py)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

from connectors.kakao.texts import ConnectorTexts, load_texts
from tests.kakao.kakao_testkit import CallbackServer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def texts() -> ConnectorTexts:
    return load_texts()


@pytest.fixture
def fixture_body() -> Callable[[str], Dict[str, Any]]:
    """A documented request shape from tests/kakao/fixtures/<name>.json (a fresh copy)."""

    def load(name: str) -> Dict[str, Any]:
        return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))

    return load


@pytest.fixture
def callback_server() -> Any:
    servers: List[CallbackServer] = []

    def make(statuses: Optional[List[int]] = None, kakao_statuses: Optional[List[str]] = None) -> CallbackServer:
        servers.append(CallbackServer(statuses, kakao_statuses))
        return servers[-1]

    yield make
    for server in servers:
        server.close()

"""Fixtures for end-to-end tests: the real servers, started once per test session."""
from __future__ import annotations

import pytest

from tests.e2e.stack import RasaStack


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory):
    """Rasa (REST, socket.io, Kakao channels; HTTP API behind a token) + action server on free ports."""
    stack = RasaStack(tmp_path_factory.mktemp("stack")).start()
    yield stack
    stack.stop()


def texts(replies: list) -> str:
    """All bot texts of one turn, joined (what a resident reads)."""
    return "\n".join(r.get("text", "") for r in replies if r.get("text"))

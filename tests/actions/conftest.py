"""Offline action tests: a real SQLite directory with the shipped sample data, no servers."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from sotong.db import create_schema, get_engine, session_scope
from sotong.directory.importer import import_fees, import_vendors
from sotong.district import load_profile
from tests.e2e.stack import ROOT


@pytest.fixture
def directory_db(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    engine = get_engine(url)
    create_schema(engine)
    profile = load_profile()
    with session_scope(engine) as s:
        import_fees(s, profile.data_file("bulky_waste_fees.csv").read_bytes(), default_district="서구", sample=True)
        import_vendors(s, profile.data_file("waste_bag_vendors.csv").read_bytes(), default_district="서구", sample=True)
    return engine


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """domain.yml plus the responses in data/responses, as the action server receives them."""
    dom = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    dom["responses"] = {}
    for path in sorted((ROOT / "data" / "responses").glob("*.yml")):
        dom["responses"].update(yaml.safe_load(path.read_text(encoding="utf-8"))["responses"])
    return dom


def make_tracker(
    text: str = "",
    intent: str = "",
    entities: list[dict] | None = None,
    slots: dict[str, Any] | None = None,
    ranking: list[dict] | None = None,
    sender: str = "tester",
) -> Tracker:
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities or [],
        "intent_ranking": ranking or [],
    }
    return Tracker(sender, slots or {}, latest, [], False, None, {}, "action_listen")


def responses(dispatcher: CollectingDispatcher) -> list[str]:
    # utter_action: a response the action filled itself (actions/complaints/wording.utter_literal)
    return [m.get("response") or m.get("utter_action") for m in dispatcher.messages]

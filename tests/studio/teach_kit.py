"""Shared pieces of the teaching-side studio tests (inbox, masking, write-back, teach).

- ``project_copy``: the project's data/, domain.yml and district copied to a temp dir, with
  SOTONG_STUDIO_ROOT / SOTONG_DISTRICT_DIR / SOTONG_STUDIO_LOCK pointing there, so tests
  edit real files without touching the checkout.
- ``tracker``: Rasa's ``events`` table (as Rasa 3.6's SQLTrackerStore creates it) in the
  test database, dropped afterwards (it is not one of our tables), and a writer of events
  shaped like Rasa's.
- ``teacher``/``admin``/``officer``: real accounts and their principals.
"""

from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import sotong.staff.models
import sotong.studio.change_models  # noqa: F401
from sotong.db import session_scope
from sotong.settings import PROJECT_ROOT
from sotong.staff import accounts
from sotong.staff.principal import StaffPrincipal
from sotong.studio.project import Project

PASSWORD = "correct horse battery"
EVENTS_DDL = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)


def copy_project(target: Path) -> tuple[Path, Path]:
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_ROOT / "data", target / "data")
    shutil.copyfile(PROJECT_ROOT / "domain.yml", target / "domain.yml")
    district = target / "district" / "incheon-seogu"
    shutil.copytree(PROJECT_ROOT / "district" / "incheon-seogu", district)
    return target, district


@pytest.fixture
def project_copy(tmp_path, monkeypatch) -> Project:
    root, district = copy_project(tmp_path / "project")
    monkeypatch.setenv("SOTONG_STUDIO_ROOT", str(root))
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(district))
    monkeypatch.setenv("SOTONG_STUDIO_LOCK", str(tmp_path / "studio.lock"))
    return Project()


@dataclass
class Tracker:
    """Writes Rasa-shaped events for one test; ``t`` is the clock (epoch seconds) it stamps."""

    engine: Any
    t: float = field(default_factory=lambda: datetime.now(timezone.utc).timestamp() - 300)

    def _add(self, sender: str, type_name: str, data: dict[str, Any], intent=None, action=None) -> int:
        self.t += 1
        data = {"event": type_name, "timestamp": self.t, **data}
        with self.engine.begin() as conn:
            next_id = conn.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM events")).scalar()
            conn.execute(
                text("INSERT INTO events VALUES (:id, :s, :k, :t, :i, :a, :d)"),
                {"id": next_id, "s": sender, "k": type_name, "t": self.t, "i": intent, "a": action,
                 "d": json.dumps(data, ensure_ascii=False)},
            )  # fmt: skip
        return int(next_id)

    def user(self, sender: str, message: str, intent: str, confidence: float, ranking=None) -> int:
        top = {"name": intent, "confidence": confidence}
        parse = {"text": message, "intent": top, "entities": [], "intent_ranking": ranking or [top]}
        return self._add(sender, "user", {"text": message, "parse_data": parse}, intent=intent)

    def fallback(self, sender: str, message: str, meant: str, confidence: float) -> int:
        """What the FallbackClassifier logs: nlu_fallback on top, the real guess second."""
        top = {"name": "nlu_fallback", "confidence": 0.45}
        ranking = [top, {"name": meant, "confidence": confidence}]
        parse = {"text": message, "intent": top, "entities": [], "intent_ranking": ranking}
        return self._add(sender, "user", {"text": message, "parse_data": parse}, intent="nlu_fallback")

    def action(self, sender: str, name: str) -> int:
        return self._add(sender, "action", {"name": name}, action=name)

    def bot(self, sender: str, message: str) -> int:
        return self._add(sender, "bot", {"text": message, "data": {}})

    def loop(self, sender: str, name: str | None) -> int:
        return self._add(sender, "active_loop", {"name": name})

    def slot(self, sender: str, name: str, value: Any) -> int:
        return self._add(sender, "slot", {"name": name, "value": value})


@pytest.fixture
def tracker(core_db):
    with core_db.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
        conn.execute(text(EVENTS_DDL))
    yield Tracker(core_db)
    with core_db.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))


def sender(channel: str = "web") -> str:
    return f"{channel}:{uuid.uuid4().hex[:12]}"


def make_principal(engine, username: str, role: str, department: str | None = None) -> StaffPrincipal:
    with session_scope(engine) as s:
        accounts.create_account(s, username, PASSWORD, role=role, department=department)
        return accounts.principal_of(accounts.find_account(s, username))


@pytest.fixture
def teacher(core_db) -> StaffPrincipal:
    return make_principal(core_db, "teacher", "trainer", "cleaning")


@pytest.fixture
def admin(core_db) -> StaffPrincipal:
    return make_principal(core_db, "boss", "admin")


@pytest.fixture
def officer(core_db) -> StaffPrincipal:
    return make_principal(core_db, "kim", "officer", "cleaning")


# -- the console over real HTTP ---------------------------------------------------------------------


def studio_app():
    """create_app() with the console and the studio's pages, as web/console.install will once wired."""
    from web.app import create_app
    from web.console import install
    from web.console.studio_answers import router as answers_router
    from web.console.studio_changes import router as changes_router
    from web.console.studio_inbox import router as inbox_router
    from web.console.studio_teach import router as teach_router

    app = create_app()
    if not any(getattr(r, "path", "").startswith("/console/complaints") for r in app.routes):
        install(app)
    for router in (inbox_router, teach_router, answers_router, changes_router):
        if not any(getattr(r, "path", "") == router.routes[0].path for r in app.routes):
            app.include_router(router)
    return app


@pytest.fixture
def studio_url(core_db, project_copy, monkeypatch):
    """The web app on a free port, on the test database and a copy of the project files, with
    an admin (boss), a trainer (teacher) and an officer (kim); passwords hashed cheaply."""
    from tests.web.conftest import serve

    monkeypatch.setenv("SOTONG_PASSWORD_HASHER", "pbkdf2")
    monkeypatch.setattr("sotong.staff.passwords.Pbkdf2Hasher.__init__.__defaults__", (1000,))
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    with session_scope(core_db) as s:
        accounts.create_account(s, "boss", PASSWORD, role="admin")
        accounts.create_account(s, "teacher", PASSWORD, role="trainer", department="cleaning")
        accounts.create_account(s, "kim", PASSWORD, role="officer", department="cleaning")
    with serve(studio_app()) as base:
        yield base

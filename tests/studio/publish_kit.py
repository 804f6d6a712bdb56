"""What the publish/release tests share: a fake Rasa HTTP API on a real loopback port, a
studio environment in a temp dir, and a finished training made through the core's calls."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sotong.db import session_scope
from sotong.staff import accounts
from sotong.staff.principal import StaffPrincipal
from sotong.studio import training
from sotong.studio.release_models import READY
from sotong.studio.release_settings import StudioSettings, load_studio_settings
from sotong.studio.releases import sha256_of

PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class People:
    admin: StaffPrincipal
    trainer: StaffPrincipal


@pytest.fixture
def people(core_db, monkeypatch) -> People:
    """An admin and a trainer account (cheap PBKDF2 hashes: argon2 is tested in tests/staff)."""
    monkeypatch.setenv("SOTONG_PASSWORD_HASHER", "pbkdf2")
    monkeypatch.setattr("sotong.staff.passwords.Pbkdf2Hasher.__init__.__defaults__", (1000,))
    made = []
    with session_scope(core_db) as s:
        for username, role, department in (("admin", "admin", None), ("teacher", "trainer", "cleaning")):
            accounts.create_account(s, username, PASSWORD, role=role, department=department)
            made.append(accounts.principal_of(accounts.find_account(s, username)))
    return People(*made)


@dataclass
class FakeRasa:
    """Rasa's ``PUT /model`` and ``GET /status`` behind a Bearer token. It "loads" a model by
    reading the file it is given (a missing file is Rasa's 500), as the real one would."""

    token: str = field(default_factory=lambda: secrets.token_hex(16))
    loads: list[str] = field(default_factory=list)
    served: str | None = None
    fail_with: int | None = None  # answer PUT /model with this status instead
    while_loading: Callable[[], None] | None = None  # runs during PUT /model, as Rasa's turns go on
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeRasa:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any = None) -> None:
                data = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                return self.headers.get("Authorization") == f"Bearer {fake.token}"

            def do_GET(self) -> None:
                if not self._authorised():
                    return self._reply(401, {"reason": "NotAuthenticated"})
                self._reply(200, {"model_file": fake.served})

            def do_PUT(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if not self._authorised():
                    return self._reply(401, {"reason": "NotAuthenticated"})
                if fake.fail_with:
                    return self._reply(fake.fail_with, {"reason": "LoadingError"})
                if fake.while_loading is not None:
                    fake.while_loading()
                path = Path(body.get("model_file", ""))
                if not path.is_file():
                    return self._reply(500, {"reason": "LoadingError"})
                fake.loads.append(path.read_text())
                fake.served = str(path)
                self._reply(204)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def fake_rasa(monkeypatch) -> Iterator[FakeRasa]:
    fake = FakeRasa().start()
    monkeypatch.setenv("SOTONG_RASA_URL", fake.url)
    monkeypatch.setenv("SOTONG_RASA_TOKEN", fake.token)
    yield fake
    fake.stop()


@pytest.fixture
def studio(tmp_path, monkeypatch) -> StudioSettings:
    """Models, lock and logs in a temp dir; the served model is a small text file."""
    models = tmp_path / "models"
    models.mkdir()
    (models / "sotong.tar.gz").write_text("baseline model")
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.setenv("SOTONG_STUDIO_ROOT", str(project))
    monkeypatch.setenv("SOTONG_STUDIO_MODELS_DIR", str(models))
    monkeypatch.setenv("SOTONG_TRAIN_LOCK", str(tmp_path / "train.lock"))
    monkeypatch.setenv("SOTONG_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("SOTONG_STUDIO_SERVING_MODEL", raising=False)
    monkeypatch.delenv("SOTONG_STUDIO_CONFIG", raising=False)
    monkeypatch.delenv("SOTONG_STUDIO_MAX_F1_DROP", raising=False)
    return load_studio_settings()


def report(old_f1: float | None, new_f1: float, baseline_sha: str | None, failed: list[str] | None = None) -> dict:
    def figures(f1: float) -> dict:
        return {
            "macro_f1": f1,
            "accuracy": f1,
            "per_intent": {"greet": {"precision": f1, "recall": f1, "f1": f1, "support": 3}},
        }

    return {
        "baseline": {"model_file": "sotong.tar.gz", "sha256": baseline_sha},
        "tests": {"nlu": 3, "faq": 0},
        "old": figures(old_f1) if old_f1 is not None else None,
        "new": figures(new_f1),
        "changed": [],
        "conversations": {"ran": True, "total": 2, "failed": failed or []},
        "validation": {"warnings": []},
    }


def finished_training(
    engine,
    settings: StudioSettings,
    who: StaffPrincipal,
    content: str,
    *,
    old_f1: float | None = 0.9,
    new_f1: float = 0.9,
    baseline_sha: str | None = "serving",
    status: str = READY,
    failed: list[str] | None = None,
) -> int:
    """A training as the worker leaves it; ``baseline_sha="serving"`` = the served file's."""
    if baseline_sha == "serving":
        baseline_sha = sha256_of(settings.serving_model)
    with session_scope(engine) as s:
        tid = training.start_training(s, who)
    with session_scope(engine) as s:
        training.set_stage(s, tid, "training", 0.5)
    model = settings.releases_dir / f"training-{tid}.tar.gz"
    model.parent.mkdir(parents=True, exist_ok=True)
    model.write_text(content)
    with session_scope(engine) as s:
        training.finish(
            s,
            tid,
            status,
            report=report(old_f1, new_f1, baseline_sha, failed),
            model_file=model.name,
            model_sha256=sha256_of(model),
        )
    return tid

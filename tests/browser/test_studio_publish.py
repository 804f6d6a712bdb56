"""The publish page in headless Chromium, under its real Content-Security-Policy: a trainer
starts a training and watches the progress bar move without reloading (the page's script
polls status.json) until the page turns to the outcome by itself; an admin publishes a
ready model and rolls it back with one click. Checked with axe-core.

No Rasa server: the web app runs in-process (tests/web/conftest.serve) on a seeded
database (SQLite and PostgreSQL), Rasa's HTTP API is the loopback fake of
tests/studio/publish_kit.py, and the training worker is the real one on a temp project
that has no validate script, so it stops at validation without training.
"""

# ruff: noqa: F811  (the fixtures imported from publish_kit are parameters here)
from __future__ import annotations

import fcntl
import time
from collections.abc import Iterator
from typing import Any

import pytest

from sotong.db import session_scope
from sotong.studio import training
from sotong.studio.release_models import RUNNING, StudioTraining
from tests.browser.desk import new_page, sign_in
from tests.studio.publish_kit import PASSWORD, fake_rasa, finished_training, people, studio  # noqa: F401
from tests.web.conftest import serve

PAGE = "/console/studio/publish"
expect = pytest.importorskip("playwright.sync_api").expect


@pytest.fixture
def console(core_db, studio, people, monkeypatch) -> Iterator[str]:
    from web.app import create_app
    from web.console import install
    from web.console.studio_publish import router

    app = create_app()
    if not any(getattr(r, "path", "").startswith("/console") for r in app.routes):
        install(app)
    if not any(getattr(r, "path", "") == PAGE for r in app.routes):  # until the lead registers it
        app.include_router(router)
    with serve(app) as base:
        yield base


def _wait_for_the_worker(engine: Any, training_id: int, timeout: float = 120) -> None:
    """Until the worker process (started by the page) has reported that it waits for the lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(engine) as s:
            row = s.get(StudioTraining, training_id)
            if row is not None and row.status == RUNNING:
                return
        time.sleep(0.2)
    raise AssertionError(f"training {training_id}: the worker never reported")


def test_a_trainer_watches_a_training_move_on_without_reloading(chromium, console, core_db, studio, axe_check, shot):
    page = new_page(chromium, console)
    sign_in(page, "teacher", at=PAGE)
    axe_check(page, "studio-publish-empty")
    with studio.train_lock.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another training holds the machine: the worker waits
        page.get_by_role("button", name="새로 학습하기").click()
        page.wait_for_url("**done=started")
        assert "학습을 시작했어요" in page.get_by_role("status").inner_text()
        assert page.get_by_role("button", name="새로 학습하기").is_disabled()
        tid = int(page.url.split("training=")[1].split("&")[0])
        # Playwright's string predicates need eval, which the page's CSP refuses: expect() instead.
        expect(page.locator("#training-stage")).to_contain_text("기다려요")
        _wait_for_the_worker(core_db, tid)  # its own "waiting" report must not come after ours below
        marks = []
        page.on("framenavigated", lambda frame: marks.append(frame.url))
        # The worker's next report: the bar and the words follow without a reload.
        with session_scope(core_db) as s:
            training.set_stage(s, tid, "training", 0.5)
        expect(page.locator("#training-progress")).to_have_attribute("value", "47")
        assert page.locator("#training-stage").inner_text() == "모델을 학습하고 있어요"
        assert marks == []  # no reload yet
        axe_check(page, "studio-publish-training")
        shot(page, "studio-publish-training")
    # The lock is free: the worker goes on, refuses at validation, and the page shows it by itself.
    expect(page.locator("#training-status")).to_have_text("배포할 수 없어요", timeout=120_000)
    assert "학습 데이터 검사에서 문제가 나왔어요" in page.locator("#training-problems").inner_text()
    assert page.get_by_role("button", name="새로 학습하기").is_enabled()
    assert page.errors == []


def test_an_admin_publishes_and_rolls_back_with_one_click(
    chromium, console, core_db, studio, people, fake_rasa, axe_check, shot
):
    tid = finished_training(core_db, studio, people.trainer, "model one", old_f1=0.91, new_f1=0.93)
    page = new_page(chromium, console)
    sign_in(page, "admin", at=PAGE)
    assert page.locator("#macro-f1").inner_text() == "0.910 → 0.930"
    assert page.locator("#verdict").inner_text() == "배포해도 돼요."
    axe_check(page, "studio-publish-ready")
    shot(page, "studio-publish-ready")
    page.get_by_role("button", name=f"학습 {tid}번 모델 배포하기").click()
    page.wait_for_url("**done=published")
    assert "새 모델을 배포했어요" in page.get_by_role("status").inner_text()
    assert f"training-{tid}.tar.gz" in page.locator("#live-model").inner_text()
    assert fake_rasa.loads == ["model one"]
    page.locator("#rollback").click()
    page.wait_for_url("**done=rolled_back")
    assert "이전 모델로 되돌렸어요" in page.get_by_role("status").inner_text()
    assert page.locator("#live-model").inner_text().startswith("baseline-")
    assert fake_rasa.loads == ["model one", "baseline model"]
    assert page.errors == []

"""The publish page over real HTTP (web app under uvicorn, SQLite and PostgreSQL): who may do
what, the training worker started for real (without Rasa: it stops at validation), publishing
and rolling back against a fake Rasa, and hostile requests (4xx, never 500)."""

# ruff: noqa: F811  (the fixtures imported from publish_kit are parameters here)
from __future__ import annotations

import fcntl
import time

import pytest

from sotong.db import session_scope
from sotong.staff import audit
from sotong.studio import releases
from tests.studio.publish_kit import fake_rasa, finished_training, people, studio  # noqa: F401
from tests.web.conftest import serve
from tests.web.console.conftest import ConsoleClient, build_app, make_account

PAGE = "/console/studio/publish"


def _app():
    app = build_app()
    if not any(getattr(r, "path", "") == PAGE for r in app.routes):  # until the lead registers it
        from web.console.studio_publish import router

        app.include_router(router)
    return app


@pytest.fixture
def console(core_db, studio, people, monkeypatch):
    monkeypatch.delenv("SOTONG_WEB_MAX_BODY", raising=False)
    make_account(core_db, "kim", officer="cleaning-kim")
    with serve(_app()) as base:
        yield lambda who: ConsoleClient(base).signed_in(who)


def _audit(engine):
    with session_scope(engine) as s:
        return [(e.username, e.action) for e in reversed(audit.recent(s)) if e.action.startswith("studio.")]


def test_officers_have_no_studio(console):
    kim = console("kim")
    assert kim.get(PAGE).status_code == 403
    assert kim.get(f"{PAGE}/status.json").status_code == 403
    kim.get("/console/complaints")
    token = kim.csrf
    for path, data in ((f"{PAGE}/train", {}), (f"{PAGE}/release", {"training_id": "1"}), (f"{PAGE}/rollback", {})):
        assert kim.post(path, {"csrf_token": token, **data}).status_code == 403


def test_a_trainer_starts_a_training_and_follows_it(console, core_db, studio, people):
    teacher = console("teacher")
    page = teacher.get(PAGE)
    assert page.status_code == 200 and 'id="start-training"' in page.text and 'id="publish"' not in page.text
    token = teacher.csrf
    assert teacher.post(f"{PAGE}/train", {}).status_code == 403  # no CSRF token
    assert (
        teacher.post(f"{PAGE}/train", {"csrf_token": token}, headers={"Origin": "https://evil.example"}).status_code
        == 403
    )
    # Another training holds the machine's lock: the worker waits ("waiting") and a second start is refused.
    with studio.train_lock.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        started = teacher.post(f"{PAGE}/train", {"csrf_token": token})
        assert started.status_code == 303 and "done=started" in started.headers["location"]
        tid = int(started.headers["location"].split("training=")[1].split("&")[0])
        deadline = time.monotonic() + 60
        while teacher.get(f"{PAGE}/status.json?training={tid}").json()["stage"] != "waiting":
            assert time.monotonic() < deadline, "the worker never reached the lock"
            time.sleep(0.3)
        page = teacher.get(PAGE)
        assert 'data-active="yes"' in page.text and "다른 학습이 끝나기를 기다려요" in page.text
        busy = teacher.post(f"{PAGE}/train", {"csrf_token": token})
        assert busy.status_code == 409 and "이미 학습이 진행 중" in busy.text
    # The temp project has no validate script: the worker refuses at validation and says so.
    deadline = time.monotonic() + 120
    while not (status := teacher.get(f"{PAGE}/status.json?training={tid}").json())["finished"]:
        assert time.monotonic() < deadline, status
        time.sleep(0.5)
    assert (status["status"], status["problem"], status["progress"]) == ("refused", "validation", 100)
    page = teacher.get(f"{PAGE}?training={tid}")
    assert "학습 데이터 검사에서 문제가 나왔어요" in page.text and 'id="publish"' not in page.text
    assert _audit(core_db) == [("teacher", "studio.train")]


def test_an_admin_publishes_and_rolls_back_a_trainer_may_not(console, core_db, studio, people, fake_rasa):
    tid = finished_training(core_db, studio, people.trainer, "model one", old_f1=0.90, new_f1=0.93)
    teacher = console("teacher")
    page = teacher.get(PAGE)
    assert "배포해도 돼요" in page.text and "배포는 관리자가 해요" in page.text and 'id="publish"' not in page.text
    assert teacher.post(f"{PAGE}/release", {"csrf_token": teacher.csrf, "training_id": str(tid)}).status_code == 403

    admin = console("admin")
    page = admin.get(PAGE)
    assert 'id="publish"' in page.text and "0.900 → 0.930" in page.text
    token = admin.csrf
    form = {"csrf_token": token, "training_id": str(tid), "live_id": admin.hidden("live_id")}
    assert admin.post(f"{PAGE}/release", dict(form, csrf_token="forged")).status_code == 403
    done = admin.post(f"{PAGE}/release", form)
    assert done.status_code == 303 and fake_rasa.loads == ["model one"]
    page = admin.get(done.headers["location"])
    assert "새 모델을 배포했어요" in page.text and f"training-{tid}.tar.gz" in page.text
    # The same form again: the live model changed since it was made.
    again = admin.post(f"{PAGE}/release", form)
    assert again.status_code == 409 and "다른 직원이 먼저" in again.text
    live_id = admin.hidden("live_id", admin.get(PAGE).text)
    back = admin.post(f"{PAGE}/rollback", {"csrf_token": token, "live_id": live_id})
    assert back.status_code == 303 and fake_rasa.loads == ["model one", "baseline model"]
    assert studio.serving_model.read_text() == "baseline model"
    assert _audit(core_db) == [("teacher", "studio.train"), ("admin", "studio.publish"), ("admin", "studio.rollback")]


def test_refused_stale_and_failing_publishes_say_why(console, core_db, studio, people, fake_rasa, monkeypatch):
    admin = console("admin")
    worse = finished_training(core_db, studio, people.trainer, "worse", old_f1=0.90, new_f1=0.80)
    page = admin.get(PAGE)
    assert (
        "배포할 수 없어요" in page.text and "허용 폭 넘게 떨어졌어요" in page.text and 'id="publish"' not in page.text
    )
    refused = admin.post(f"{PAGE}/release", {"csrf_token": admin.csrf, "training_id": str(worse), "live_id": ""})
    assert refused.status_code == 409 and "허용 폭 넘게" in refused.text
    good = finished_training(core_db, studio, people.trainer, "good")
    fake_rasa.fail_with = 500
    failed = admin.post(f"{PAGE}/release", {"csrf_token": admin.csrf, "training_id": str(good), "live_id": ""})
    assert failed.status_code == 502 and "지금 모델이 그대로 답하고 있어요" in failed.text
    monkeypatch.delenv("SOTONG_RASA_TOKEN")
    closed = admin.post(f"{PAGE}/release", {"csrf_token": admin.csrf, "training_id": str(good), "live_id": ""})
    assert closed.status_code == 503
    assert fake_rasa.loads == [] and studio.serving_model.read_text() == "baseline model"
    with session_scope(core_db) as s:
        assert releases.live_release(s) is None


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        ("/release", {"training_id": "abc"}, 404),
        ("/release", {"training_id": "-1"}, 404),
        ("/release", {"training_id": "99999999999"}, 404),
        ("/release", {"training_id": "1" * 5000}, 422),
        ("/release", {"training_id": "1", "live_id": "x' OR 1=1"}, 404),
        ("/rollback", {"live_id": "\x00"}, 409),
        ("/rollback", {}, 409),
    ],
)
def test_hostile_forms_get_4xx(console, fake_rasa, path, data, status):
    admin = console("admin")
    admin.get(PAGE)
    response = admin.post(PAGE + path, {"csrf_token": admin.csrf, **data})
    assert response.status_code == status


def test_hostile_queries_get_4xx_or_the_page(console):
    admin = console("admin")
    assert admin.get(f"{PAGE}?training=<script>alert(1)</script>").status_code == 200
    assert admin.get(f"{PAGE}?training=1e9999").status_code == 200
    assert admin.get(f"{PAGE}/status.json?training=424242").status_code == 404
    assert admin.get(f"{PAGE}/status.json?training=abc").json() is None  # nothing trained yet
    signed_out = ConsoleClient(admin.base)
    assert signed_out.get(PAGE).status_code == 303
    assert signed_out.post(f"{PAGE}/train", {}).status_code == 401

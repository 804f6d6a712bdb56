"""Teach → train → evaluate → publish on a real Rasa server, then a bad candidate refused and a
one-click rollback — the studio as staff use it, end to end.

Its own stack (a publish swaps the served model, so the shared ``rasa_stack`` must not be
used): the real Rasa and action servers serving models/sotong.tar.gz, the web app with the
console in-process, the real training worker (scripts/studio_train.py) on a copy of the
project (data/, domain, config, district, validate script, held-out tests), so the checkout
is never edited. Steps:

1. a resident's message the served model does not understand, found in the studio inbox
   (C1's sotong.studio.inbox, read from the stack's tracker store) and taught to the right
   intent (sotong.studio.teach, the write-back into the copy's data/);
2. an admin starts a training in the console (the real config: the one real training here),
   waits for it, sees the figures and publishes; Rasa now serves the new model (GET /status)
   and understands the message — the time from teach to live is printed;
3. a bad edit (a greeting example added by hand to goodbye) is refused at validation, before
   any training; publishing it gets 409 and Rasa keeps serving the published model. (The
   macro-F1 and conversation gates on real figures: tests/studio/test_releases.py and the
   verdict tests; a second real training here would double the test's time.)
4. one click on rollback and Rasa serves the model from before the teach again.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

import devkit.stack
from devkit import ROOT
from devkit.stack import MODEL, RasaStack
from sotong.db import get_engine, session_scope
from sotong.staff import accounts
from sotong.studio import edits, inbox, teach
from sotong.studio.project import Project
from tests.web.conftest import serve
from tests.web.console.conftest import ConsoleClient, build_app

# Opt-in: two real trainings and evaluations (~10 min on an idle 2-core machine, far more on a busy
# one) do not fit `make test`'s CI budget. Skipped with this reason otherwise; run it with
# SOTONG_STUDIO_E2E=1. The publish itself on a real Rasa is in every run: tests/e2e/test_model_swap.py.
pytestmark = pytest.mark.skipif(
    not os.environ.get("SOTONG_STUDIO_E2E"),
    reason="studio train-and-publish end to end is opt-in (SOTONG_STUDIO_E2E=1): one real training, ~10 min",
)

PAGE = "/console/studio/publish"
PASSWORD = "correct horse battery"
TRAINING_TIMEOUT = 45 * 60  # waits for other trainings on the machine's lock, then trains
# Misunderstood by the model `make train` makes (checked in step 1), a plain paraphrase of it.
MESSAGE = "해외 나갈 때 필요한 신분증 구청에서 만들어요?"
TARGET = "ask_passport"
WRONG = ("안녕하세요 반가워요", "goodbye")  # the bad edit: a greet example also made a goodbye one
COPIED = ["config.yml", "domain.yml", "endpoints.yml", "data", "actions", "scripts/validate.py", "district"]
COPIED += ["tests/nlu_test.yml", "tests/nlu/faq_test", "tests/conversations"]


def _copy_project(to: Path) -> Path:
    for rel in COPIED:
        src, dst = ROOT / rel, to / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copyfile(src, dst)
    return to


def _stop_workers(var_dir: Path) -> None:
    """Training workers this test started outlive it by design (own session): stop them and
    their ``rasa train`` (same process group), found by the test's own SOTONG_VAR_DIR."""
    mark = f"SOTONG_VAR_DIR={var_dir}".encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if b"scripts.studio_train" in (proc / "cmdline").read_bytes() and mark in (proc / "environ").read_bytes():
                os.killpg(int(proc.name), signal.SIGTERM)
        except (OSError, ValueError):
            pass


@pytest.fixture(scope="module")
def studio_stack(tmp_path_factory) -> Iterator[dict]:
    if not MODEL.exists():
        pytest.skip(f"{MODEL} is missing: run `make train`")
    work = tmp_path_factory.mktemp("studio-e2e")
    project = _copy_project(work / "project")
    models = work / "models"
    models.mkdir()
    shutil.copyfile(MODEL, models / "sotong.tar.gz")  # what "make run" serves, as the stack does
    env = {
        "SOTONG_STUDIO_ROOT": str(project),
        "SOTONG_DISTRICT_DIR": str(project / "district" / "incheon-seogu"),
        "SOTONG_STUDIO_MODELS_DIR": str(models),
        "SOTONG_STUDIO_LOCK": str(work / "studio.lock"),
        "SOTONG_VAR_DIR": str(work / "var"),
        "SOTONG_PASSWORD_HASHER": "pbkdf2",
    }
    stack = RasaStack(work / "stack", extra_env=env)
    with pytest.MonkeyPatch.context() as mp:
        # Other trainings may share the machine: give Rasa longer than the usual 240 s to load.
        wait_http = devkit.stack._wait_http
        mp.setattr(devkit.stack, "_wait_http", lambda url, proc, log, timeout, headers=None: wait_http(
            url, proc, log, max(timeout, 900), headers))  # fmt: skip
        stack.start()
        try:
            for name, value in {**stack.env, **env}.items():
                if name.startswith(("SOTONG_", "DATABASE_URL", "KAKAO_")):
                    mp.setenv(name, value)
            mp.delenv("SOTONG_STUDIO_CONFIG", raising=False)
            mp.delenv("SOTONG_STUDIO_MAX_F1_DROP", raising=False)
            engine = get_engine(stack.env["DATABASE_URL"])
            with session_scope(engine) as s:
                accounts.create_account(s, "admin", PASSWORD, role="admin")
                admin = accounts.principal_of(accounts.find_account(s, "admin"))
            with serve(_app()) as base:
                app = base
                yield {"stack": stack, "project": project, "work": work, "engine": engine, "admin": admin,
                       "web": app, "mp": mp}  # fmt: skip
        finally:
            _stop_workers(work / "var")
            stack.stop()


def _app():
    app = build_app()
    if not any(getattr(r, "path", "") == PAGE for r in app.routes):  # until the lead registers it
        from web.console.studio_publish import router

        app.include_router(router)
    return app


def _parse(stack: RasaStack, text: str) -> dict:
    resp = requests.post(f"{stack.rasa_url}/model/parse", json={"text": text}, headers=stack.auth_headers, timeout=30)
    resp.raise_for_status()
    return resp.json()


def _served(stack: RasaStack) -> str:
    return requests.get(f"{stack.rasa_url}/status", headers=stack.auth_headers, timeout=10).json()["model_file"]


def _slow_post(admin: ConsoleClient, path: str, data: dict) -> requests.Response:
    """A publish or rollback waits for Rasa to load the model: longer than the client's 10 s."""
    response = admin.http.post(
        admin.base + path, data=data, headers=admin._headers(None), timeout=600, allow_redirects=False
    )
    return admin._remember(response)


def _train(admin: ConsoleClient) -> dict:
    admin.get(PAGE)
    started = admin.post(f"{PAGE}/train", {"csrf_token": admin.csrf})
    assert started.status_code == 303, started.text
    tid = started.headers["location"].split("training=")[1].split("&")[0]
    deadline = time.monotonic() + TRAINING_TIMEOUT
    status: dict = {}
    while not status.get("finished"):
        assert time.monotonic() < deadline, status
        try:
            status = admin.get(f"{PAGE}/status.json?training={tid}").json()
        except requests.ConnectionError:
            pass  # the test server dropped an idle keep-alive connection as it was reused: ask again
        time.sleep(3)  # under uvicorn's 5 s keep-alive, so the connection is normally still open
    return status


def _teach(ctx: dict, text: str, intent: str, event_ids=()) -> None:
    with session_scope(ctx["engine"]) as s:
        teach.assign(s, Project(), ctx["admin"], f"intent:{intent}", text, event_ids=event_ids)


@pytest.mark.timeout(TRAINING_TIMEOUT + 30 * 60)
def test_taught_published_understood_then_a_bad_candidate_refused_and_a_rollback(studio_stack):
    ctx = studio_stack
    stack: RasaStack = ctx["stack"]
    baseline_file = _served(stack)

    # 1. A resident asks; the served model does not get it; the inbox shows it; staff teach it.
    sender = f"studio-e2e-{uuid.uuid4().hex[:8]}"
    stack.say(sender, MESSAGE)
    assert _parse(stack, MESSAGE)["intent"]["name"] != TARGET, "pick a message the served model misunderstands"
    with session_scope(ctx["engine"]) as s:
        found = inbox.messages(s, inbox.InboxSettings.from_env(), Project().required_slots())
    mine = [m for m in found if m.conversation_id.endswith(sender)]  # the channel prefixes it ("rest:…")
    assert mine and mine[0].text == MESSAGE
    taught_at = time.monotonic()
    _teach(ctx, MESSAGE, TARGET, [mine[0].event_id])
    assert MESSAGE in (ctx["project"] / "data" / "nlu" / "passport.yml").read_text(encoding="utf-8")
    assert MESSAGE not in (ROOT / "data" / "nlu" / "passport.yml").read_text(
        encoding="utf-8"
    )  # the checkout is untouched

    # 2. Train with the real config, evaluate, publish (PUT /model: the old model answers until the switch).
    admin = ConsoleClient(ctx["web"]).signed_in("admin")
    status = _train(admin)
    assert status["status"] == "ready", status
    page = admin.get(f"{PAGE}?training={status['id']}")
    assert "배포해도 돼요" in page.text and 'id="per-intent"' in page.text and MESSAGE in page.text
    # Residents keep getting answers while Rasa loads the new model and switches.
    answers: list[bool] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set():
            try:
                answers.append(_parse(stack, "여권 발급 필요서류").get("intent", {}).get("name") == "ask_passport")
            except requests.RequestException:
                answers.append(False)
            time.sleep(0.2)

    asker = threading.Thread(target=keep_asking, daemon=True)
    asker.start()
    published = _slow_post(
        admin,
        f"{PAGE}/release",
        {"csrf_token": admin.csrf, "training_id": str(status["id"]), "live_id": admin.hidden("live_id")},
    )
    stop.set()
    asker.join(timeout=60)
    assert published.status_code == 303, published.text
    # The model loads off Rasa's event loop (scripts/rasa_model_load.py): no parse fails meanwhile.
    print(f"\nduring the swap: {answers.count(False)} of {len(answers)} parses failed or timed out")
    assert answers and all(answers)
    live_file = _served(stack)
    assert live_file.endswith(f"training-{status['id']}.tar.gz")
    assert _parse(stack, MESSAGE)["intent"]["name"] == TARGET
    print(f"\nteach -> live: {time.monotonic() - taught_at:.0f} s")
    assert stack.say(sender, MESSAGE)  # the channel answers with the new model

    # 3. A bad edit (an example of one intent added to another by hand, as a developer might):
    #    the studio refuses it at validation, before training, and the published model keeps serving.
    nlu = ctx["project"] / "data" / "nlu" / "small_talk.yml"
    nlu.write_text(edits.add_nlu_example(nlu.read_text(encoding="utf-8"), WRONG[1], WRONG[0]), encoding="utf-8")
    bad = _train(admin)
    assert (bad["status"], bad["problem"]) == ("refused", "validation"), bad
    page = admin.get(f"{PAGE}?training={bad['id']}")
    assert "학습 데이터 검사에서 문제가 나왔어요" in page.text and 'id="publish"' not in page.text
    refused = admin.post(
        f"{PAGE}/release",
        {"csrf_token": admin.csrf, "training_id": str(bad["id"]), "live_id": admin.hidden("live_id")},
    )
    assert refused.status_code == 409 and "아직 배포할 수 있는 학습이 아니에요" in refused.text
    assert _served(stack) == live_file and _parse(stack, MESSAGE)["intent"]["name"] == TARGET

    # 4. One click back: the model from before the teach serves again.
    page = admin.get(PAGE)
    back = _slow_post(admin, f"{PAGE}/rollback", {"csrf_token": admin.csrf, "live_id": admin.hidden("live_id")})
    assert back.status_code == 303, back.text
    assert Path(_served(stack)).name.startswith("baseline-") and Path(baseline_file).name == "sotong.tar.gz"
    assert _parse(stack, MESSAGE)["intent"]["name"] != TARGET
    # Rasa's /status names the file only; the baseline release is a copy of the model `make train` made.
    assert (ctx["work"] / "models" / "releases" / Path(_served(stack)).name).stat().st_size == MODEL.stat().st_size

"""Browser tests: Debian's headless Chromium driven by Playwright, against the whole real stack.

- ``rasa_stack`` (tests/conftest.py): the real Rasa server and action server on free ports
  with their own SQLite database in a temp dir (devkit/stack.py).
- ``web_app``: the web app as `make run` serves it (``web.app:create_app``) under uvicorn on
  a free 127.0.0.1 port, in its own process, with the stack's environment (same database,
  Rasa URL, web-channel secret, token).
- ``page``: a fresh browser context (a new device, so a new resident) at 390×844, Korean
  locale, touch. JavaScript errors on the page fail the test.
- ``shot(page, name)``: a screenshot in results/browser/<name>.png (test artefacts).
- ``figures``: numbers the tests measure, written to results/browser/figures.json.

Chromium is /usr/bin/chromium (scripts/install_browser.sh installs it; `make test` runs that
first). Playwright never downloads a browser of its own. Without Chromium or Playwright the
tests skip with the reason printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from devkit import BIN, ROOT
from devkit.procs import free_port, stop, tail
from tests.browser.a11y import blocking, run_axe, save, summary

CHROMIUM = Path(os.environ.get("SOTONG_CHROMIUM", "/usr/bin/chromium"))
RESULTS = ROOT / "results" / "browser"
VIEWPORT = {"width": 390, "height": 844}


def browser_problem() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: run scripts/install_browser.sh as root (make test does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing: make venv (it is in requirements.lock)"
    return None


@pytest.fixture(scope="session")
def browser_ready() -> None:
    """Skips (reason printed) when Chromium or Playwright is missing. Wider-scoped fixtures
    that must not start a stack for nothing depend on this, not on ``chromium``."""
    problem = browser_problem()
    if problem:
        print(f"\nSKIP browser tests: {problem}")
        pytest.skip(problem)


# Function scope on purpose: Playwright's sync API keeps an event loop running while it is
# started, and pytest-asyncio cannot run the suite's async tests after it inside that loop.
# A browser per test costs about a second.
@pytest.fixture
def chromium(browser_ready) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@dataclass
class WebApp:
    url: str
    stack: Any
    log: Path

    def sotong(self, *args: str) -> str:
        """The `sotong` CLI on the stack's database (what an officer would run)."""
        done = subprocess.run(
            [str(BIN / "python"), "-m", "sotong.cli", *args],
            cwd=ROOT,
            env=self.stack.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout


@contextmanager
def serving_web_app(stack: Any) -> Iterator[WebApp]:
    """``web.app:create_app`` under uvicorn (as `make run` serves it) in front of ``stack``."""
    port = free_port()
    log = stack.workdir / "web.log"
    # Every test's browser is a new device from 127.0.0.1: lift the per-address budget of new
    # devices (tests/web/test_new_device_limit.py tests the limit itself).
    env = dict(stack.env, SOTONG_WEB_PORT=str(port), SOTONG_WEB_NEW_DEVICES="100000")
    proc = subprocess.Popen(
        [str(BIN / "python"), "-m", "uvicorn", "--factory", "web.app:create_app"]
        + ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--ws", "none"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            raise RuntimeError(f"the web app did not start:\n{tail(log, 40)}")
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    try:
        yield WebApp(url, stack, log)
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def web_app(rasa_stack) -> Iterator[WebApp]:
    with serving_web_app(rasa_stack) as app:
        yield app


# Live handoff (tests/browser/test_console_handoff.py, test_handoff_widget.py): one stack for both,
# with office hours fixed at a Tuesday morning so a request reaches the officers' queue.
TUESDAY_MORNING = "2026-12-01T10:00:00"
OFFICER = "kim-seojin"


@pytest.fixture(scope="session")
def handoff_stack(browser_ready, tmp_path_factory) -> Iterator[Any]:
    from tests.e2e.stack import RasaStack

    stack = RasaStack(tmp_path_factory.mktemp("handoff"), extra_env={"SOTONG_HANDOFF_NOW": TUESDAY_MORNING})
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="session")
def handoff_web_app(handoff_stack) -> Iterator[WebApp]:
    """As ``web_app``, in front of the handoff stack."""
    with serving_web_app(handoff_stack) as app:
        yield app


@pytest.fixture(scope="session")
def officer(handoff_stack) -> Iterator[str]:
    """An officer of the civil department (김서진) on the handoff stack; password PASSWORD."""
    from sotong.db import dispose_engine, get_engine, session_scope
    from sotong.staff import accounts
    from tests.web.console.conftest import PASSWORD

    url = handoff_stack.env["DATABASE_URL"]
    with session_scope(get_engine(url)) as s:
        accounts.create_account(s, OFFICER, PASSWORD, role="officer", department="civil", display_name="김서진")
    yield OFFICER
    dispose_engine(url)


@pytest.fixture
def context(chromium, web_app) -> Iterator[Any]:
    ctx = chromium.new_context(
        viewport=VIEWPORT, locale="ko-KR", base_url=web_app.url, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context) -> Iterator[Any]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def shot():
    def take(page: Any, name: str) -> Path:
        path = RESULTS / f"{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


_FIGURES: dict[str, Any] = {}


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, Any]]:
    yield _FIGURES
    if _FIGURES:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / "figures.json"
        try:  # a run of some of the tests updates its own figures and keeps the others'
            kept = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            kept = {}
        kept.update(_FIGURES)
        path.write_text(json.dumps(kept, ensure_ascii=False, indent=2), encoding="utf-8")


@pytest.fixture
def axe_check():
    """``axe_check(page, name)``: run axe-core; fail on serious or critical violations (all saved)."""

    def check(page: Any, name: str) -> list[dict[str, Any]]:
        results = run_axe(page)
        save(results, RESULTS / f"axe-{name}.json")
        bad = blocking(results)
        assert not bad, f"accessibility violations (axe-core):\n{summary(bad)}"
        return results.get("violations", [])

    return check

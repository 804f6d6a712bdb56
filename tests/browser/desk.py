"""The staff side in a browser: a desk-sized page that records script and CSP errors, and the
console's sign-in form, for every console and studio browser test."""

from __future__ import annotations

from typing import Any

from tests.web.console.conftest import PASSWORD

DESK = {"width": 1280, "height": 900}


def new_page(chromium: Any, base: str, viewport: dict[str, int] = DESK, timeout_ms: int = 20_000) -> Any:
    """A page in its own browser context (nothing shared with another page's cookies);
    ``page.errors`` collects JavaScript errors and Content-Security-Policy reports."""
    ctx = chromium.new_context(viewport=viewport, locale="ko-KR", base_url=base)
    ctx.set_default_timeout(timeout_ms)
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: page.errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return page


def sign_in(page: Any, username: str = "kim", password: str = PASSWORD, at: str = "/console/complaints") -> None:
    """Open ``at``, get sent to the sign-in form, sign in, and land back on ``at``."""
    page.goto(at)
    assert "/console/login" in page.url
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill(password)
    page.get_by_role("button", name="로그인").click()
    page.wait_for_url(f"**{at}")

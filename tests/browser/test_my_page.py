"""내 민원, the quick menu, search and favourites in a real headless Chromium at 390×844.

Against the whole stack of tests/browser/conftest.py (real Rasa, action server, SQLite,
the web app as `make run` serves it). An officer advances the complaint with the real
``sotong complaints`` CLI and the page's timeline must change by itself (SSE).
Screenshots: results/browser/my-page-*.png.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.browser.conftest import WebApp

pytestmark = pytest.mark.e2e

LIVE_TIMEOUT = 15_000  # ms: the stream polls every second


def open_page(page: Any) -> None:
    page.goto("/")
    page.wait_for_selector("#quick-menu-button")


def file_for_this_phone(page: Any, web_app: WebApp) -> str:
    """A complaint filed by the resident of this browser (its device cookie names the resident)."""
    from sotong.complaints import service
    from sotong.db import get_engine, session_scope

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "sotong_device")
    engine = get_engine(web_app.stack.env["DATABASE_URL"])
    with session_scope(engine) as s:
        filed = service.file_complaint(
            s,
            service.ResidentKey("web", token.split(".", 1)[0]),
            category="illegal_dumping",
            address="인천 서구 청라동 11-1",
            description="골목에 쓰레기봉투 여러 개가 버려져 있어요",
            idempotency_key=uuid.uuid4().hex,
        )
    return filed.complaint.receipt_no


def current_stage(page: Any) -> str:
    return page.inner_text("#complaint-path .stage-current .stage-label")


def test_timeline_changes_live_when_an_officer_advances_it(page, web_app, shot, axe_check):
    open_page(page)
    receipt = file_for_this_phone(page, web_app)
    page.click("#tab-complaints")
    page.wait_for_selector(f'.complaint-open[data-receipt="{receipt}"]')
    shot(page, "my-page-complaints-list")
    page.click(f'.complaint-open[data-receipt="{receipt}"]')
    page.wait_for_selector("#complaint-detail:not([hidden])")
    assert current_stage(page) == "접수"

    web_app.sotong("complaints", "assign", receipt, "--department", "cleaning", "--actor", "kim")
    page.wait_for_function(
        "() => document.querySelector('#complaint-path .stage-current .stage-label')?.textContent === '부서 배정'",
        timeout=LIVE_TIMEOUT,
    )
    web_app.sotong("complaints", "assign", receipt, "--officer", "cleaning-kim", "--actor", "kim")
    page.wait_for_function(
        "() => document.querySelector('#complaint-timeline .latest')?.textContent.includes('담당자 지정')",
        timeout=LIVE_TIMEOUT,
    )
    latest = page.inner_text("#complaint-timeline .latest")
    assert "032-" in latest  # the officer's work phone, to call
    assert "담당자 지정" in page.inner_text("#complaints-status")  # announced in the live region
    shot(page, "my-page-timeline-live")
    axe_check(page, "my-page-timeline")

    page.click("#complaint-cancel-box summary")
    page.click("#complaint-cancel button[type=submit]")
    page.wait_for_function("() => document.querySelector('#complaint-path .stage-current') === null")
    assert "취하" in page.inner_text("#complaint-timeline .latest")


def test_search_by_initials(page, web_app, shot, axe_check):
    open_page(page)
    page.click("#quick-menu-button")
    page.fill("#menu-search-input", "ㅇㄱ")
    page.wait_for_selector("#menu-search-results .service-title")
    assert page.locator("#menu-search-results .service-title").first.inner_text() == "여권 발급"
    shot(page, "my-page-search-initials")
    axe_check(page, "my-page-menu")


def test_pin_a_favourite_kept_on_the_server(page, web_app, shot):
    open_page(page)
    page.click("#quick-menu-button")
    pin = page.locator('#menu-main .pin[data-service-id="ask_passport"]')
    pin.wait_for()
    pin.click()
    page.wait_for_selector('#menu-favourites .service-title:text("여권 발급")')
    assert pin.get_attribute("aria-pressed") == "true"
    page.reload()
    open_page(page)
    page.click("#quick-menu-button")
    page.wait_for_selector('#menu-favourites .service-title:text("여권 발급")')
    shot(page, "my-page-favourite-pinned")
    # Opening it goes to the chat with the service's own payload.
    page.click('#menu-favourites .service-open:has-text("여권 발급")')
    page.wait_for_selector('#chat-log .msg-user:has-text("여권 발급")')
    assert page.locator("#quick-menu").is_hidden()

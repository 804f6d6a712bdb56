"""The training studio's inbox and teach pages in headless Chromium, under their real CSP:
a trainer opens the inbox, marks an entity by selecting words with the keyboard, teaches
the message to an intent and sees it gone from the inbox and written into the project's
file (a copy); then edits a FAQ answer with the live KakaoTalk/web preview. Pages are
checked with axe-core.

No Rasa here: the inbox reads a tracker store shaped like Rasa's in the test database
(the end-to-end path through a real Rasa server is C2's publish test), so the app runs
in-process (tests/studio/teach_kit.studio_url) on SQLite and PostgreSQL.
"""
# ruff: noqa: F811  (the fixtures imported from teach_kit are parameters here)

from __future__ import annotations

from typing import Any

from sotong.studio.project import Project
from tests.browser.desk import new_page, sign_in
from tests.studio.teach_kit import PASSWORD, project_copy, sender, studio_url, tracker  # noqa: F401


def sign_in_to_studio(page: Any, username: str = "teacher") -> None:
    sign_in(page, username, at="/console/studio/inbox")


def test_a_trainer_teaches_a_message_with_an_entity(chromium, studio_url, tracker, axe_check, shot):
    first = sender("kakao")
    tracker.fallback(first, "장롱 버리는 법 좀", "ask_bulky_waste", 0.42)
    tracker.action(first, "action_fallback_menu")
    tracker.fallback(sender(), "장롱 버리는 법 좀!!", "ask_bulky_waste", 0.4)
    tracker.user(sender(), "제 번호 010-2345-6789 서곶로 55", "inform", 0.2)
    page = new_page(chromium, studio_url)
    sign_in_to_studio(page)
    assert page.get_by_role("heading", name="챗봇이 못 알아들은 말").is_visible()
    inbox = page.locator("#inbox").inner_text()
    assert "010-****-6789" in inbox and "2345-6789" not in inbox and "서곶로 55" not in inbox
    axe_check(page, "studio-inbox")
    shot(page, "studio-inbox")

    page.get_by_role("link", name="가르치기").filter(has_text="장롱 버리는 법 좀!!").click()
    page.wait_for_url("**/console/studio/teach/*")
    axe_check(page, "studio-teach")
    example = page.get_by_label("챗봇이 배울 문장")
    assert example.input_value() == "장롱 버리는 법 좀!!"
    example.fill("장롱 버리는 법 좀")
    # select "장롱" with the keyboard, as a trainer would, and mark it
    example.press("Home")
    example.press("Shift+ArrowRight")
    example.press("Shift+ArrowRight")
    page.get_by_label("개체").select_option("waste_item")
    page.get_by_role("button", name="고른 말을 개체로 표시").click()
    assert example.input_value() == "[장롱](waste_item) 버리는 법 좀"
    assert "waste_item" in page.locator("#mark-status").inner_text()
    assert page.get_by_label("어디에 가르칠지").input_value() == "intent:ask_bulky_waste"
    shot(page, "studio-teach")
    page.get_by_role("button", name="가르치기", exact=True).click()
    page.wait_for_url("**/console/studio/inbox?done=taught*")
    assert "가르쳤어요" in page.get_by_role("status").inner_text()
    assert "장롱 버리는 법" not in page.locator("#inbox").inner_text()
    assert Project().intents["ask_bulky_waste"].examples[-1] == "[장롱](waste_item) 버리는 법 좀"

    page.get_by_role("link", name="바뀐 내용", exact=True).click()
    page.wait_for_url("**/console/studio/changes")
    assert "[장롱](waste_item) 버리는 법 좀" in page.locator("#changes").inner_text()
    axe_check(page, "studio-changes")
    assert page.errors == []


def test_a_faq_answer_is_edited_with_a_live_preview(chromium, studio_url, tracker, axe_check, shot):
    page = new_page(chromium, studio_url)
    sign_in_to_studio(page)
    page.get_by_role("link", name="답변 고치기").click()
    page.get_by_label("찾기").fill("재산세")
    page.get_by_role("button", name="찾기").click()
    page.get_by_role("link", name="재산세", exact=True).click()
    page.wait_for_url("**/console/studio/answers/faq/property_tax")
    axe_check(page, "studio-answer")
    box = page.get_by_label("답변 (400자까지)")
    box.fill("재산세는 7월과 9월에 내요. 위택스에서 바로 낼 수 있어요.")
    # the script updates the count and both previews as the trainer types
    assert page.locator("#answer-count").inner_text().startswith("34 / 400자")
    assert page.locator("#kakao-text").inner_text().startswith("재산세는 7월과 9월에 내요.")
    assert "문의: 세무1과" in page.locator("#web-text").inner_text()
    page.get_by_role("button", name="미리 보기").click()
    assert "아직 저장하지 않았어요" in page.locator("#preview-h").inner_text()
    shot(page, "studio-answer-preview")
    page.get_by_role("button", name="저장").click()
    page.wait_for_url("**/answers/faq/property_tax?done=saved")
    assert (
        Project().catalogue().topic("property_tax").answer == "재산세는 7월과 9월에 내요. 위택스에서 바로 낼 수 있어요."
    )
    assert page.errors == []

"""Is a message an answer to the report form's question, and which category is the report?

Wording and categories are data: the words that name a category are the district's
(complaints.yml `keywords:`), the buttons are the domain's responses. This module only
decides, so the form never stores "네", "안녕하세요" or a button's title as an address.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa_sdk import Tracker

from sotong.complaints import service

REPORT_INTENTS = {"report_illegal_dumping", "report_illegal_parking", "report_problem"}
# Said where an address or a description was asked, these are no answer: ask again.
ASK_AGAIN_INTENTS = {"affirm", "greet", "thank"}
MIN_ANSWER_CHARS = 2  # "앞" alone says nothing; "서구" is already a place


def intent_of(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


def typed_text(tracker: Tracker) -> str:
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text.strip()  # button payloads are not answers


def entity_of(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return value if isinstance(value, str) else None  # a shorthand may carry a dict (actions/inputs.py)


def _squash(text: str) -> str:
    return re.sub(r"[\s.!?~,]+", "", text or "").lower()


def button_titles(domain: dict[str, Any]) -> set[str]:
    """Every button title in the domain's responses, squashed: typed back, they are no answer."""
    titles = set()
    for variations in (domain.get("responses") or {}).values():
        for variation in variations or []:
            for button in variation.get("buttons") or []:
                if isinstance(button, dict) and button.get("title"):
                    titles.add(_squash(str(button["title"])))
    return titles


def is_no_answer(tracker: Tracker, domain: dict[str, Any]) -> bool:
    """An affirmation, a greeting, thanks, a button's title or next to nothing."""
    text = typed_text(tracker)
    if intent_of(tracker) in ASK_AGAIN_INTENTS:
        return True
    squashed = _squash(text)
    return len(squashed) < MIN_ANSWER_CHARS or squashed in button_titles(domain)


def chosen_category(tracker: Tracker) -> str | None:
    """A category the resident picked with a button, if it is one the district has."""
    code = entity_of(tracker, "complaint_category")
    return code if code and service.category_info(code) else None


def category_for_turn(tracker: Tracker) -> str | None:
    """The report's category as this turn decides it, or None to leave it as it is.

    A tapped category wins; the opening message is read for the district's keywords,
    then its intent; a description may still name the category when the opening
    message did not (the report was filed under the catch-all category).
    """
    chosen = chosen_category(tracker)
    if chosen:
        return chosen
    requested, intent, text = tracker.get_slot("requested_slot"), intent_of(tracker), typed_text(tracker)
    if requested is None and intent in REPORT_INTENTS:
        return service.infer_category(text, intent)
    if (
        requested == "report_description"
        and text
        and tracker.get_slot("complaint_category") == service.fallback_category()
    ):
        ranked = service.rank_categories(text)
        return ranked[0][0] if ranked else None
    return None


def current_category(tracker: Tracker) -> service.CategoryInfo:
    return service.category_info(tracker.get_slot("complaint_category")) or service.category_info(
        service.fallback_category()
    )


def category_payload(code: str) -> str:
    """The exact payload a category button sends."""
    return "/report_problem" + json.dumps({"complaint_category": code}, ensure_ascii=False)


def details_beyond(text: str, address: str) -> bool:
    """Does the answer say more than where (a car, what happened)? Then it also describes."""
    at = text.find(address)
    if at < 0:
        return False
    rest = _squash(text[:at] + text[at + len(address) :])
    return len(rest) >= 6

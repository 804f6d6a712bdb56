"""Never a dead end: when unsure, offer the services closest to what was asked.

A question about a 구청 matter the bot does not cover (the FAQ catalogue's topics come
closest, sotong/faq/guess.py) is answered honestly: "그건 아직 제가 안내하지 못해요", the
department most likely to know with its phone, the main number and 120, and up to three
close topics as buttons — never another service's answer. Anything else (small talk,
gibberish) gets the closest services from the menu, as before.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, latest_text
from actions.complaints.tracking import ActionComplaintStatus, receipt_asked
from actions.faq import guess_for, utter_unknown
from actions.updates import AnswerAction

MAX_SUGGESTIONS = 4


def menu_buttons(domain: dict[str, Any]) -> list[dict[str, str]]:
    """The main menu's buttons, as written in data/responses/menu.yml."""
    variations = (domain.get("responses") or {}).get("utter_main_menu") or [{}]
    return list(variations[0].get("buttons") or [])


def closest_services(ranking: list[dict[str, Any]], buttons: list[dict[str, str]]) -> list[dict[str, str]]:
    """Menu buttons ordered by the NLU's ranking of their intents; the rest of the menu fills up."""
    by_intent = {b["payload"].lstrip("/").split("{")[0]: b for b in buttons}
    chosen = [by_intent[r["name"]] for r in ranking if r.get("name") in by_intent]
    for b in buttons:
        if b not in chosen:
            chosen.append(b)
    return chosen[:MAX_SUGGESTIONS]


class ActionFallbackMenu(AnswerAction):
    def name(self) -> str:
        return "action_fallback_menu"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        latest = tracker.latest_message or {}
        if receipt_asked(tracker):
            # A receipt number has a fixed shape: whatever the NLU made of the words around
            # it ("ZZZZ-2222 조회해 주세요" → out_of_scope), the resident is asking about it.
            return ActionComplaintStatus().answer(dispatcher, tracker, domain)
        guess = guess_for(latest_text(tracker))
        if guess is not None and guess.civic:
            utter_unknown(dispatcher, guess)
            return []
        intent = (latest.get("intent") or {}).get("name")
        response = "utter_out_of_scope" if intent == "out_of_scope" else "utter_fallback"
        buttons = closest_services(latest.get("intent_ranking") or [], menu_buttons(domain))
        dispatcher.utter_message(response=response, buttons=buttons)
        dispatcher.utter_message(response="utter_fallback_human_hint", **district_vars())
        return []

"""Jobs, district news, parking enforcement: a short answer with a link card.

The link, title and department come from the profile's ``links`` section.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, profile
from actions.updates import AnswerAction

# intent -> (profile links key, response)
_LINKS = {
    "ask_jobs": ("jobs", "utter_jobs"),
    "ask_news": ("news", "utter_news"),
    "ask_parking_enforcement": ("parking", "utter_parking_enforcement"),
}


class ActionServiceLink(AnswerAction):
    def name(self) -> str:
        return "action_service_link"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        key, response = _LINKS.get(intent, _LINKS["ask_news"])
        p = profile()
        link = p.links.get(key)
        dispatcher.utter_message(
            response=response,
            link_title=link.title if link else "",
            link_url=link.url if link else "",
            **district_vars(p, link.department if link else None),
        )
        return []

"""상담원 연결: tell the resident who can help and when."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, profile
from actions.office_hours import is_open_now, next_open_text
from actions.updates import AnswerAction


class ActionRequestHuman(AnswerAction):
    def name(self) -> Text:
        return "action_request_human"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        p = profile()
        dvars = district_vars(p, "civil")
        if is_open_now():
            dispatcher.utter_message(response="utter_handoff_office_hours", **dvars)
        else:
            dispatcher.utter_message(response="utter_handoff_after_hours", next_open_day=next_open_text(), **dvars)
        return []

"""구청 운영시간: open now or not, taking weekends and public holidays into account."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import profile
from sotong.formatting import korean_date
from sotong.office_hours import KST, office_state
from actions.updates import AnswerAction

_STATE_RESPONSES = {
    "open": "utter_office_open_now",
    "after_hours": "utter_office_closed_after_hours",
    "weekend": "utter_office_closed_weekend",
    "holiday": "utter_office_closed_holiday",
}


def now_in_seoul() -> datetime:
    return datetime.now(KST)


class ActionOfficeHours(AnswerAction):
    def __init__(self, clock=now_in_seoul) -> None:
        self._clock = clock  # tests pass a fixed clock to check holidays and weekends

    def name(self) -> Text:
        return "action_office_hours"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        hours = profile().section("office_hours")
        weekday_hours = hours.get("weekdays", "09:00-18:00")
        state = office_state(self._clock(), weekday_hours)
        dispatcher.utter_message(
            response=_STATE_RESPONSES[state.kind],
            office_hours=weekday_hours.replace("-", "~"),
            lunch_hours=str(hours.get("lunch", "")).replace("-", "~"),
            next_open_day=korean_date(state.next_open_day),
            holiday_name=state.holiday or "",
        )
        dispatcher.utter_message(response="utter_office_chatbot_always")
        return []


def next_open_text(clock=now_in_seoul) -> str:
    """'11월 26일(목)': the next day a resident can reach an officer (used by the handoff)."""
    hours = profile().section("office_hours").get("weekdays", "09:00-18:00")
    return korean_date(office_state(clock(), hours).next_open_day)


def is_open_now(clock=now_in_seoul, weekday_hours: Optional[str] = None) -> bool:
    hours = weekday_hours or profile().section("office_hours").get("weekdays", "09:00-18:00")
    return office_state(clock(), hours).kind == "open"

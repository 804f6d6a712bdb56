"""상담원 연결: tell the resident who can help and when."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, profile
from actions.updates import AnswerAction
from sotong.formatting import korean_date
from sotong.office_hours import now_in_seoul, office_state


class ActionRequestHuman(AnswerAction):
    def __init__(self, clock: Callable = now_in_seoul) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_request_human"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        p = profile()
        dvars = district_vars(p, p.handoff.department)
        state = office_state(self._clock(), p.office_hours.hours())
        if state.kind == "open":
            dispatcher.utter_message(response="utter_handoff_office_hours", **dvars)
        else:
            dispatcher.utter_message(
                response="utter_handoff_after_hours", next_open_day=korean_date(state.next_open_day), **dvars
            )
        return []

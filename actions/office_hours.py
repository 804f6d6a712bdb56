"""구청 운영시간: open now or not, or on the day the resident named (weekends and holidays included).

The hours logic is the core's (sotong/office_hours.py); this adapter picks the response.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, profile
from actions.updates import AnswerAction
from sotong.formatting import korean_date
from sotong.office_hours import DAY_VALUES, hours_on, now_in_seoul, office_state, within

_STATE_RESPONSES = {
    "open": "utter_office_open_now",
    "after_hours": "utter_office_closed_after_hours",
    "weekend": "utter_office_closed_weekend",
    "holiday": "utter_office_closed_holiday",
}
# What profile.yml's office_hours.lunch_window says: asked about lunch, and said after open hours.
_LUNCH_ASKED = {"open": "utter_office_lunch", "closed": "utter_office_lunch_closed", "": "utter_office_lunch_unknown"}
_LUNCH_NOTE = {"open": "utter_office_lunch_note_open", "closed": "utter_office_lunch_note_closed"}


def day_asked(tracker: Tracker) -> dict[str, str] | None:
    """The day the resident asked about: its code (`day` entity value) and the words they used."""
    text = (tracker.latest_message or {}).get("text") or ""
    for e in (tracker.latest_message or {}).get("entities") or []:
        if e.get("entity") != "day" or e.get("value") not in DAY_VALUES:
            continue
        start, end = e.get("start"), e.get("end")
        said = text[start:end] if isinstance(start, int) and isinstance(end, int) else ""
        if said:  # echoed back in the answer ("토요일에는 …"): only as the resident typed it
            return {"code": str(e["value"]), "said": said}
    return None


def lunch_asked(tracker: Tracker) -> bool:
    """The question is about the lunch hour ("점심시간에도 해요?": the `office_facet` entity)."""
    entities = (tracker.latest_message or {}).get("entities") or []
    return any(e.get("entity") == "office_facet" and e.get("value") == "lunch" for e in entities)


def time_range(spec: str) -> str:
    """'09:00-18:00' -> '09:00~18:00' as residents read it."""
    return spec.replace("-", "~")


class ActionOfficeHours(AnswerAction):
    def __init__(self, clock: Callable = now_in_seoul) -> None:
        self._clock = clock  # tests pass a fixed clock to check holidays and weekends

    def name(self) -> str:
        return "action_office_hours"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        hours = profile().office_hours
        facts = {"office_hours": time_range(hours.weekdays), "lunch_hours": time_range(hours.lunch)}
        lunch_note = _LUNCH_NOTE.get(hours.lunch_window) if hours.lunch else None
        day = day_asked(tracker)
        if day:  # "토요일에도 해요?" is about Saturday, not about right now
            on_day = hours_on(hours.hours(), day["code"])
            dispatcher.utter_message(
                response="utter_office_day_open" if on_day.open else "utter_office_day_closed",
                day=day["said"],
                day_hours=on_day.text(),
                **facts,
            )
            if on_day.open and lunch_note:
                dispatcher.utter_message(response=lunch_note, **facts)
        elif hours.lunch and lunch_asked(tracker):  # the facet asked about comes first
            dispatcher.utter_message(response=_LUNCH_ASKED[hours.lunch_window], **facts, **district_vars())
        else:
            now = self._clock()
            state = office_state(now, hours.hours())
            if state.kind == "open" and hours.lunch_window == "closed" and hours.lunch and within(now, hours.lunch):
                # "지금 업무시간이에요" would send them to a shut window
                dispatcher.utter_message(response="utter_office_lunch_now_closed", **facts)
                dispatcher.utter_message(response="utter_office_chatbot_always")
                return []
            dispatcher.utter_message(
                response=_STATE_RESPONSES[state.kind],
                next_open_day=korean_date(state.next_open_day),
                holiday_name=state.holiday or "",
                **facts,
            )
            if state.kind == "open" and lunch_note:
                dispatcher.utter_message(response=lunch_note, **facts)
        dispatcher.utter_message(response="utter_office_chatbot_always")
        return []

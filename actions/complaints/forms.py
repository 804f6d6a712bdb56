"""A form validation base that keeps the side slots its extractors set.

rasa-sdk's FormValidationAction only returns slots listed in the form's required
slots, silently dropping anything else an ``extract_<slot>`` method found (a photo
sent mid-form, the submission key, "stop"). Subclasses name those side slots in
``carried_slots`` and they reach the tracker too.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text, run_off_loop
from actions.faq import answer_if_urgent
from actions.inputs import refuse_bad_input

# Set when a form stopped because the resident wrote urgent words: the form's closing action
# says the form stopped (stopped_for_urgent), not "알겠어요" as if the resident had cancelled.
URGENT_STOP = "urgent_stop"


class CarryingFormValidation(FormValidationAction, ABC):
    carried_slots: tuple[str, ...] = ("form_abort",)

    @abstractmethod
    def name(self) -> str:  # abstract, so the SDK does not register this base as an action
        ...

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        # Our extract_/validate_ methods call the database synchronously; the SDK would
        # run them on the server's loop, stalling every resident (see BlockingAction).
        refused = refuse_bad_input(dispatcher, tracker, domain)
        if refused is not None:
            return refused
        # An emergency or a crisis in the middle of a form (departments.yml `urgent`, the same
        # words the NLU's UrgentWords override): 119/112 or the crisis lines first, nothing filed.
        if await asyncio.to_thread(answer_if_urgent, dispatcher, latest_text(tracker)):
            # requested_slot None: without it Rasa would ask the domain's next slot
            return [SlotSet("form_abort", True), SlotSet(URGENT_STOP, True), SlotSet("requested_slot", None)]
        return await run_off_loop(super().run, dispatcher, tracker, domain)

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        # "stop" (form_abort) ends the form without asking the remaining slots.
        return [] if tracker.get_slot("form_abort") else domain_slots

    async def get_validation_events(self, dispatcher, tracker, domain) -> list[EventType]:
        events = await super().get_validation_events(dispatcher, tracker, domain)
        validated = {e["name"] for e in events}
        recent = tracker.slots_to_validate()  # includes what the extractors just set
        return events + [
            SlotSet(name, recent[name]) for name in self.carried_slots if name in recent and name not in validated
        ]


def stopped_for_urgent(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """For a form's closing action: the events that end a form stopped by urgent words (after
    saying it stopped), or None when the form ended otherwise."""
    if not tracker.get_slot(URGENT_STOP):
        return None
    dispatcher.utter_message(response="utter_form_stopped_for_urgent")
    return [SlotSet(URGENT_STOP, None), SlotSet("form_abort", None)]

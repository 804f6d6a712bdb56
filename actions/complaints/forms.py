"""A form validation base that keeps the side slots its extractors set.

rasa-sdk's FormValidationAction only returns slots listed in the form's required
slots, silently dropping anything else an ``extract_<slot>`` method found (a photo
sent mid-form, the submission key, "stop"). Subclasses name those side slots in
``carried_slots`` and they reach the tracker too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from rasa_sdk import FormValidationAction
from rasa_sdk.events import EventType, SlotSet

from actions.common import run_off_loop
from actions.inputs import refuse_bad_input
from actions.urgent import stop_form_if_urgent


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
        stopped = await stop_form_if_urgent(dispatcher, tracker)  # 119/112 or the crisis lines first
        if stopped is not None:
            return stopped
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

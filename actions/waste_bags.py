"""종량제봉투 판매소: shops selling volume-rate waste bags near the resident's 동."""

from __future__ import annotations

from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import district_vars, profile, utter_sample_notice
from actions.updates import AnswerAction
from actions.urgent import stop_form_if_urgent, stopped_for_urgent
from sotong.db import session_scope
from sotong.directory.lookup import dong_stem, match_dong, vendors_in_dong
from sotong.formatting import bullet_lines


def _resolve_dong(text: str | None) -> str | None:
    """The 동 as the resident said it if the district has it ('청라동' covers 청라1·2·3동)."""
    if not text:
        return None
    return text.strip() if match_dong(profile().dongs, text) else None


class ValidateWasteBagForm(FormValidationAction):
    def name(self) -> str:
        return "validate_waste_bag_form"

    async def run(self, dispatcher, tracker, domain) -> list[EventType]:
        stopped = await stop_form_if_urgent(dispatcher, tracker)  # 119/112 or the crisis lines first
        return stopped if stopped is not None else await super().run(dispatcher, tracker, domain)

    def validate_dong(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        dong = _resolve_dong(slot_value if isinstance(slot_value, str) else None)
        if dong:
            return {"dong": dong}
        dispatcher.utter_message(response="utter_dong_unknown", dong=slot_value, **district_vars())
        return {"dong": None}


class ActionWasteBagVendors(AnswerAction):
    def name(self) -> str:
        return "action_waste_bag_vendors"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        stopped = stopped_for_urgent(dispatcher, tracker, response=None)  # nothing was asked for: no closing line
        if stopped is not None:
            return stopped
        p = profile()
        dong = _resolve_dong(tracker.get_slot("dong"))
        if not dong:
            dispatcher.utter_message(response="utter_ask_dong")
            return [SlotSet("dong", None)]
        with session_scope() as session:
            shops = vendors_in_dong(session, p.district, dong)
            lines = [" · ".join(x for x in (s.name, s.address, s.phone) if x) for s in shops]
            is_sample = any(s.sample for s in shops)
        shown = dong if dong_stem(dong) != dong else dong + "동"
        if not shops:
            dispatcher.utter_message(response="utter_waste_bag_vendors_none", dong=shown)
            return []
        dispatcher.utter_message(response="utter_waste_bag_vendors", dong=shown, vendor_lines=bullet_lines(lines))
        utter_sample_notice(dispatcher, is_sample, p)
        return []

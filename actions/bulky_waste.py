"""대형폐기물: how to throw out a bulky item, and its fee from the district's fee table."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, profile, utter_sample_notice
from sotong.db import session_scope
from sotong.directory.lookup import fees_for_item
from sotong.formatting import bullet_lines, won
from actions.updates import AnswerAction


class ActionBulkyWaste(AnswerAction):
    def name(self) -> Text:
        return "action_bulky_waste"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]) -> List[Dict]:
        p = profile()
        section = p.section("bulky_waste")
        dvars = district_vars(p, section.get("department"))
        free = section.get("appliance_free_pickup") or {}
        item = tracker.get_slot("waste_item")
        # Only the item named in *this* message counts; an old slot value would
        # answer a question the resident did not ask.
        named_now = any(e.get("entity") == "waste_item" for e in tracker.latest_message.get("entities", []))
        if not item or not named_now:
            dispatcher.utter_message(response="utter_bulky_waste_howto", apply_url=section.get("apply_online", ""),
                                     **dvars)
            dispatcher.utter_message(response="utter_bulky_waste_ask_item")
            return []

        with session_scope() as session:
            rows = fees_for_item(session, p.raw.get("short_name", p.name), item)
            lines = [f"{r.item} {r.size}: {won(r.fee_won)}".replace("  ", " ") for r in rows]
            is_sample = any(r.sample for r in rows)
            is_appliance = any((r.category or "").startswith("가전") for r in rows)

        if rows:
            dispatcher.utter_message(response="utter_bulky_waste_fee", waste_item=item, fee_lines=bullet_lines(lines))
            if is_appliance and free:
                dispatcher.utter_message(response="utter_bulky_waste_appliance_free", waste_item=item,
                                         free_pickup_name=free.get("name", ""), free_pickup_phone=free.get("phone", ""),
                                         free_pickup_url=free.get("url", ""))
        else:
            dispatcher.utter_message(response="utter_bulky_waste_fee_unknown", waste_item=item, **dvars)
        dispatcher.utter_message(response="utter_bulky_waste_howto", apply_url=section.get("apply_online", ""), **dvars)
        utter_sample_notice(dispatcher, is_sample, p)
        return [SlotSet("waste_item", item)]

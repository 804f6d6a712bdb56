"""대형폐기물: how to throw out a bulky item, and its fee from the district's fee table.

An item the table does not list is said to be not listed, with the nearest listed
items as buttons and the department to ask — never another item's fee.
"""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, latest_text, profile, utter_sample_notice
from actions.updates import AnswerAction
from sotong.db import session_scope
from sotong.directory.lookup import fee_item_names, fees_for_item, nearest_items
from sotong.formatting import bullet_lines, won


def item_button(name: str) -> dict[str, str]:
    """A button that asks for one item's fee by exact payload (no Korean text to re-parse)."""
    entities = json.dumps({"waste_item": name}, ensure_ascii=False, separators=(",", ":"))
    return {"title": name, "payload": f"/ask_bulky_waste{entities}"}


def named_item(tracker: Tracker) -> str | None:
    """The item named in *this* message (an old slot value would answer a question not asked).

    The NLU sometimes tags one word as two items (안마|의자): spans that touch are
    one item, read back from the message as typed, so 안마의자 is never taken for 의자.
    """
    text = latest_text(tracker)
    spans = sorted(
        (e for e in tracker.latest_message.get("entities", []) if e.get("entity") == "waste_item"),
        key=lambda e: e.get("start") if isinstance(e.get("start"), int) else -1,
    )
    if not spans:
        return None
    first, last = spans[0], spans[0]
    for e in spans[1:]:
        if isinstance(e.get("start"), int) and e["start"] == last.get("end"):
            last = e
        else:
            break
    if last is first or not isinstance(first.get("start"), int):
        value = first.get("value")
        return str(value) if value else None
    return text[first["start"] : last["end"]] or None


class ActionBulkyWaste(AnswerAction):
    def name(self) -> str:
        return "action_bulky_waste"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict]:
        p = profile()
        section = p.bulky_waste
        dvars = district_vars(p, section.department)
        howto = {"apply_url": section.apply_online, **dvars}
        item = named_item(tracker)
        if not item:
            dispatcher.utter_message(response="utter_bulky_waste_howto", **howto)
            dispatcher.utter_message(response="utter_bulky_waste_ask_item")
            return []

        with session_scope() as session:
            rows = fees_for_item(session, p.district, item)
            lines = [f"{r.item} {r.size}: {won(r.fee_won)}".replace("  ", " ") for r in rows]
            is_sample = any(r.sample for r in rows)
            is_appliance = any(r.category in section.appliance_categories for r in rows)
            listed = rows[0].item if rows else None
            near = [] if rows else nearest_items(fee_item_names(session, p.district), item, section.max_suggestions)

        free = section.appliance_free_pickup
        if listed:
            dispatcher.utter_message(response="utter_bulky_waste_fee", waste_item=listed, fee_lines=bullet_lines(lines))
            if is_appliance and free:
                dispatcher.utter_message(
                    response="utter_bulky_waste_appliance_free",
                    waste_item=listed,
                    free_pickup_name=free.name,
                    free_pickup_phone=free.phone,
                    free_pickup_url=free.url,
                )
        else:
            dispatcher.utter_message(response="utter_bulky_waste_fee_unknown", waste_item=item, **dvars)
            if near:
                dispatcher.utter_message(
                    response="utter_bulky_waste_fee_nearest", waste_item=item, buttons=[item_button(n) for n in near]
                )
        dispatcher.utter_message(response="utter_bulky_waste_howto", **howto)
        utter_sample_notice(dispatcher, is_sample, p)
        return [SlotSet("waste_item", listed or item)]

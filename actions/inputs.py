"""Values a client put where a resident's word belongs: refused before any action uses them.

Any channel can send an intent shorthand such as
``/report_illegal_dumping{"address": {"a": 1}}``: Rasa copies its entities into
slots unchecked, so a dict, a list or a number can arrive where the actions (and
the civic core) expect text. Left alone this crashes an action (a 500 whose
error reply carried the whole tracker) or files it. Checked in one place, before
every action of ours runs (BlockingAction, CarryingFormValidation), the resident
gets a clear answer and the bad value is cleared.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

# Entities are short things (an address, a receipt number, a photo link, a 동):
# the longest legitimate one is a photo URL (sotong.complaints.validation.MAX_PHOTO_URL).
MAX_ENTITY_CHARS = 1000

# Slot types whose values must have one Python type; other types are not checked.
_EXPECTED = {"text": str, "bool": bool}


def _bad_entities(tracker: Tracker) -> tuple:
    malformed, too_long = set(), set()
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if not isinstance(entity, dict):
            continue
        value, name = entity.get("value"), str(entity.get("entity") or "")
        if not isinstance(value, str):
            malformed.add(name)
        elif len(value) > MAX_ENTITY_CHARS:
            too_long.add(name)
    return malformed, too_long


def _bad_slots(tracker: Tracker, domain: dict[str, Any]) -> list[str]:
    bad = []
    for name, spec in (domain.get("slots") or {}).items():
        expected = _EXPECTED.get((spec or {}).get("type", ""))
        value = tracker.slots.get(name)
        if expected is None or value is None:
            continue
        # bool is an int subclass, so the check is exact: a number is not a yes/no
        if type(value) is not expected or (expected is str and len(value) > MAX_ENTITY_CHARS * 5):
            bad.append(name)
    return bad


def refuse_bad_input(
    dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
) -> list[EventType] | None:
    """None when the message and slots are well-formed; else the answer already uttered
    and the events clearing what was bad (the caller returns them instead of acting)."""
    malformed, too_long = _bad_entities(tracker)
    slots = _bad_slots(tracker, domain)
    if not (malformed or too_long or slots):
        return None
    if too_long and not malformed and not slots:
        dispatcher.utter_message(response="utter_input_too_long", max_chars=MAX_ENTITY_CHARS)
    else:
        dispatcher.utter_message(response="utter_input_malformed")
    # A slot mapped from a bad entity holds the bad value too: clear both kinds.
    domain_slots = domain.get("slots") or {}
    cleared = set(slots) | {
        s
        for s, spec in domain_slots.items()
        for m in (spec or {}).get("mappings") or []
        if m.get("type") == "from_entity" and m.get("entity") in (malformed | too_long)
    }
    return [SlotSet(name, None) for name in sorted(cleared)]

"""Fragments of wording kept in the response files, read from the domain the action gets."""

from __future__ import annotations

import random
import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from sotong.complaints.service import status_labels


def response_text(domain: dict[str, Any], name: str) -> str:
    """The first text variation of a response (for short labels slotted into others)."""
    variations = (domain.get("responses") or {}).get(name) or [{}]
    return variations[0].get("text", "")


def status_label(status: str) -> str:
    return status_labels().get(status, status)


# Rasa's placeholder syntax, read the way its interpolator reads it.
_PLACEHOLDER = re.compile(r"\{([^\n{}]+?)\}")


def _fill(template: str, values: dict[str, Any]) -> str:
    # One pass over the template only: a value is inserted, never read as a template.
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def utter_literal(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: dict[str, Any],
    name: str,
    buttons: list[dict[str, Any]] | None = None,
    **values: Any,
) -> None:
    """Utter response ``name`` filled here, so what a resident typed is shown exactly as typed.

    Passing ``response=name`` lets Rasa fill it, and Rasa's interpolator gives up and
    shows the raw template ("{report_address}") whenever the filled text contains "0["
    (its own internal marker) — e.g. a description "박스 0[3]개". Responses that carry a
    resident's words are therefore filled here and sent as text; ``utter_action`` keeps
    the name in the bot event's metadata, as Rasa would.
    """
    variations = [
        v for v in (domain.get("responses") or {}).get(name) or [] if not v.get("condition") and not v.get("channel")
    ]
    if not variations:  # not in the domain we were sent: let Rasa say it (it logs what is missing)
        dispatcher.utter_message(response=name, buttons=buttons or [], **values)
        return
    variation = random.choice(variations)
    filled = {**tracker.current_slot_values(), **values}
    all_buttons = [
        {k: _fill(v, filled) if isinstance(v, str) else v for k, v in b.items()} for b in variation.get("buttons") or []
    ] + list(buttons or [])
    dispatcher.utter_message(text=_fill(variation.get("text", ""), filled), buttons=all_buttons, utter_action=name)

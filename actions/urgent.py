"""Urgent words in the middle of a form (departments.yml `urgent: true`: 119/112, the crisis
lines): the answer first, then the form stops with nothing filed, changed or recorded.

Outside forms the NLU already makes such a message `faq` (sotong/nlu/urgent.py), answered by
action_answer_faq. Inside a form the form's validation runs first, so each form checks the same
words here; its closing action then says the form stopped (``stopped_for_urgent``), never "알겠어요"
as if the resident had asked to stop. While the bot is paused for an officer, the channel runs
``action_answer_urgent`` (below) itself.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from actions.faq import answer_if_urgent
from actions.handoff import flag_urgent

URGENT_STOP = "urgent_stop"


async def stop_form_if_urgent(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType] | None:
    """For a form's validation: answer urgent words and return the events that end the form, or
    None (saying nothing) when the message has none."""
    if not await asyncio.to_thread(answer_if_urgent, dispatcher, latest_text(tracker)):
        return None
    # requested_slot None ends the form; without it Rasa would ask the domain's next slot
    return [SlotSet("form_abort", True), SlotSet(URGENT_STOP, True), SlotSet("requested_slot", None)]


def stopped_for_urgent(
    dispatcher: CollectingDispatcher, tracker: Tracker, response: str | None = "utter_form_stopped_for_urgent"
) -> list[EventType] | None:
    """For a form's closing action: the events that end a form stopped by urgent words (after
    saying ``response``, if any), or None when the form ended otherwise."""
    if not tracker.get_slot(URGENT_STOP):
        return None
    if response:
        dispatcher.utter_message(response=response)
    return [SlotSet(URGENT_STOP, None), SlotSet("form_abort", None)]


class ActionAnswerUrgent(Action):
    """Urgent words while the bot is paused for an officer (actions/handoff.py): Rasa runs no
    action then, so the channel runs this one itself (connectors/paused_urgent.py). It answers
    the urgent department's topic, flags the waiting request so the console lists it first,
    and leaves the conversation paused: the officer still takes it."""

    def name(self) -> str:
        return "action_answer_urgent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # Not only the latest message: the channel waits for the conversation's lock, and a
        # resident who writes "죽고 싶어요" then "진짜요" at once may have the second logged first.
        for text in unanswered_texts(tracker):
            if await asyncio.to_thread(answer_if_urgent, dispatcher, text):
                break
        else:
            return []  # the words were edited out of departments.yml since the channel looked
        if await asyncio.to_thread(flag_urgent, tracker.sender_id):  # said once, when first flagged
            dispatcher.utter_message(response="utter_handoff_urgent_flagged")
        return []


def unanswered_texts(tracker: Tracker) -> list[str]:
    """The resident's messages since the last action other than listening, newest first: while
    the bot is paused none runs, and this action's own run marks what it has answered."""
    texts = []
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") not in (None, "action_listen"):
            break
        if event.get("event") == "user" and event.get("text"):
            texts.append(event["text"])
    return texts or [latest_text(tracker)]

"""Urgent words still get an answer while the bot is paused for an officer.

A live handoff pauses the conversation (actions/handoff.py, ``ConversationPaused``): Rasa
logs what the resident writes for the officer but runs no action, so the NLU's urgent-words
override (sotong/nlu/urgent.py) changed nothing there. A resident who writes "죽고 싶어요" while
waiting in the queue would hear nothing until an officer looked. Each channel therefore wraps
its turn with ``urgent_while_paused``: after Rasa has logged the message, a message with an
urgent keyword (departments.yml ``urgent: true``) in a paused conversation gets
``action_answer_urgent`` (actions/urgent.py), which answers and flags the waiting request.

The keyword check comes first and costs no database read, so ordinary turns pay nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from sotong.faq.departments import current_directory
from sotong.settings import load_settings

log = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
ACTION = "action_answer_urgent"


def has_urgent_words(text: str) -> bool:
    """True when ``text`` names an urgent department's keyword (the directory as staff saved it)."""
    directory = current_directory(load_settings().district_dir)  # the last good one if an edit broke it
    return directory is not None and directory.urgent_topic(text or "") is not None


async def answer_if_paused(app: Sanic, message: UserMessage) -> bool:
    """Run ``action_answer_urgent`` when ``message`` has urgent words and its conversation is
    paused; True when it ran. The caller's output channel receives the answer."""
    if not has_urgent_words(message.text or ""):
        return False
    agent = getattr(app.ctx, "agent", None)
    if agent is None or not agent.is_ready():
        return False
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.processor.get_tracker(message.sender_id)
        if not tracker.is_paused() or ran_an_action(tracker):
            # the turn itself answered: action_answer_faq or a form's check, or the message that
            # asked for a person in the same breath and was paused just now (actions/faq.py)
            return False
        log.warning("handoff.urgent_while_paused conversation=%s", message.sender_id)
        await agent.execute_action(message.sender_id, ACTION, message.output_channel, "urgent_while_paused", 1.0)
    return True


def ran_an_action(tracker: DialogueStateTracker) -> bool:
    """True when an action other than listening ran after the latest user message (a paused
    conversation only logs the message)."""
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, ActionExecuted) and event.action_name != ACTION_LISTEN_NAME:
            return True
    return False


def urgent_while_paused(app: Sanic, on_new_message: OnNewMessage) -> OnNewMessage:
    """``on_new_message`` followed by ``answer_if_paused`` for the same message."""

    async def turn(message: UserMessage) -> None:
        await on_new_message(message)
        try:
            await answer_if_paused(app, message)
        except Exception:  # what Rasa answered already stands; never a traceback to the resident
            log.exception("handoff.urgent_while_paused.failed conversation=%s", message.sender_id)

    return turn

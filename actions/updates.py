"""Complaint updates shown in the chat: the stage messages (접수 → … → 처리 완료) a
resident has not seen yet are shown before the answer to whatever they asked.

Channels cannot push (KakaoTalk's skill API only answers), so the next time the
resident talks is when the chat can tell them; 알림톡 covers the time in between
for residents who consented with a phone number.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import BlockingAction, district_vars
from actions.complaints.identity import resident_of
from actions.complaints.wording import utter_literal
from sotong.complaints import service
from sotong.db import session_scope

log = logging.getLogger(__name__)


def deliver_updates(dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> int:
    """Utter the resident's unseen stage messages, oldest first, and mark them seen."""
    try:
        who = resident_of(tracker)
        with session_scope() as session:
            pending = service.pending_in_chat(session, who)
            for message in pending:
                # the update may quote the resident's address: shown as typed (utter_literal)
                utter_literal(dispatcher, tracker, domain, "utter_complaint_update", update_text=message.text)
            service.mark_delivered_in_chat(session, who, [m.id for m in pending])
        return len(pending)
    except Exception:  # an update must never stop the answer the resident asked for
        log.exception("could not deliver complaint updates in chat")
        return 0


class AnswerAction(BlockingAction, ABC):
    """Base for actions that answer a resident: pending updates first, then ``answer``
    (in a worker thread: see BlockingAction)."""

    @abstractmethod
    def name(self) -> str:  # abstract: the SDK registers only the concrete actions
        ...

    def run_blocking(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        deliver_updates(dispatcher, tracker, domain)
        return self.answer(dispatcher, tracker, domain)

    @abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]: ...


class ActionShowUpdates(AnswerAction):
    """Run from rules where the bot would otherwise only utter (greeting, menu)."""

    def name(self) -> str:
        return "action_show_updates"

    def answer(self, dispatcher, tracker, domain) -> list[EventType]:
        return []


class ActionGreet(AnswerAction):
    """Hello with the district's name, after any updates that came meanwhile."""

    def name(self) -> str:
        return "action_greet"

    def answer(self, dispatcher, tracker, domain) -> list[EventType]:
        dispatcher.utter_message(response="utter_greet", **district_vars())
        return []


class ActionSessionStart(BlockingAction):
    """A new session (after an hour away) starts with the updates that came meanwhile."""

    def name(self) -> str:
        return "action_session_start"

    # A session must start whatever the slots hold; the next action checks them.
    checks_input = False

    def run_blocking(self, dispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        events: list[EventType] = [SessionStarted()]
        # carry_over_slots_to_new_session: the resident's 동 and last receipt stay known
        events += [
            SlotSet(k, v) for k, v in tracker.current_slot_values().items() if v is not None and k != "requested_slot"
        ]
        deliver_updates(dispatcher, tracker, domain)
        events.append(ActionExecuted("action_listen"))
        return events

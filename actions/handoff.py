"""상담원 연결: queue the conversation for an officer, or leave a callback ticket.

In office hours (weekdays, not public holidays; sotong.office_hours with the district
profile's hours) a waiting request enters the handoff queue (sotong.handoff) with what
the bot collected, and the action returns ``ConversationPaused``: Rasa keeps logging the
resident's messages but runs no action until an officer hands the conversation back from
the console (a ``resume`` event). Outside office hours the request is a callback ticket
that waits for the morning; the bot is not paused, so the resident can keep using it.
If the queue cannot be reached the resident still gets the department's phone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ConversationPaused, EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import district_vars, profile
from actions.complaints.identity import resident_of
from actions.updates import AnswerAction
from sotong.db import session_scope
from sotong.formatting import korean_date
from sotong.handoff import queue
from sotong.handoff.hours import handoff_now
from sotong.office_hours import office_state

log = logging.getLogger(__name__)

# bookkeeping slots that say nothing about the resident's matter
_NOT_COLLECTED = {"requested_slot", "session_started_metadata"}
RECENT_TEXTS = 5


def collected(tracker: Tracker) -> str:
    """What the bot knows so far, for the officer: filled slots and the resident's last words."""
    lines = [
        f"{name}: {value}"
        for name, value in sorted((tracker.slots or {}).items())
        if value not in (None, "", [], False) and name not in _NOT_COLLECTED
    ]
    said = [e.get("text") for e in tracker.events if e.get("event") == "user" and e.get("text")]
    lines += [f"> {text}" for text in said[-RECENT_TEXTS:]]
    return "\n".join(lines)


def _enqueue(tracker: Tracker, department: str, callback: bool) -> bool:
    who = resident_of(tracker)
    try:
        with session_scope() as session:
            queue.open_request(
                session,
                conversation_id=tracker.sender_id,
                channel=who.channel,
                resident_ref=who.user_id,
                department_code=department,
                summary=collected(tracker),
                callback=callback,
            )
        return True
    except Exception:  # the resident still gets the phone number
        log.exception("handoff.queue.failed")
        return False


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, now: datetime) -> list[EventType]:
    """Queue the conversation for an officer (paused in office hours) or leave a callback ticket.

    Shared by 상담원 연결 and the fallback after two failed answers in a row, so both
    paths queue, pause and word it the same way.
    """
    p = profile()
    department = p.handoff.department
    dvars = district_vars(p, department)
    hours = p.office_hours.hours()
    state = office_state(now, hours)
    opens = f"{hours.weekdays[0]:%H:%M}"
    if state.kind == "open":
        if _enqueue(tracker, department, callback=False):
            dispatcher.utter_message(response="utter_handoff_queued", **dvars)
            return [ConversationPaused()]
        dispatcher.utter_message(response="utter_handoff_office_hours", **dvars)
        return []
    next_open_day = korean_date(state.next_open_day)
    if _enqueue(tracker, department, callback=True):
        dispatcher.utter_message(
            response="utter_handoff_callback", next_open_day=next_open_day, opens_at=opens, **dvars
        )
        return []
    dispatcher.utter_message(response="utter_handoff_after_hours", next_open_day=next_open_day, **dvars)
    return []


def flag_urgent(conversation_id: str) -> bool:
    """Mark the conversation's open request urgent (its resident wrote urgent words, answered with
    119/112 or a crisis line): the console lists it first. True only when this call flagged it;
    False when it already was, none is open, or the queue is down (the answer already given is
    what matters then)."""
    try:
        with session_scope() as session:
            return queue.mark_urgent(session, conversation_id)
    except Exception:
        log.exception("handoff.urgent_flag.failed")
        return False


class ActionRequestHuman(AnswerAction):
    def __init__(self, clock: Callable[[], datetime] = handoff_now) -> None:
        self._clock = clock

    def name(self) -> str:
        return "action_request_human"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        return hand_off(dispatcher, tracker, self._clock())

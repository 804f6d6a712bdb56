"""What went wrong inside Rasa during this dialogue turn, though Rasa carried on.

Two faults Rasa 3.6 survives without telling the channel:

* an action failed (the action server died mid-call, a 502 from nginx): Rasa logs
  "Encountered an exception while running action …", drops the action's events and
  carries on; the resident would get nothing ("말씀 잘 받았어요") or half an answer and
  would not know to say it again. The channel adds its apology (`action_failed`);
* the tracker store (PostgreSQL) could not be read or written: Rasa's FailSafeTrackerStore
  logs "Error happened when trying to retrieve/save conversation tracker …" and runs the
  turn on a blank conversation kept in this process's memory, so the answer has nothing
  to do with what the resident was doing. The channel answers `internal_error` ("잠시 후
  다시 말씀해 주세요") instead; the conversation in PostgreSQL is untouched and goes on
  once the database is back.

Rasa offers no hook for either, so the channel watches Rasa's own log records for the
turn it is running: a context variable set by the dialogue task (asyncio copies it into
everything that task awaits) collects them. Turns of other channels, and Rasa's log
itself, are left as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

# Where Rasa 3.6 reports them: rasa/core/processor.py (MessageProcessor._run_action) and
# rasa/core/tracker_store.py (FailSafeTrackerStore.on_tracker_store_[retrieve_]error).
PROCESSOR_LOGGER = "rasa.core.processor"
FAILED_ACTION = "Encountered an exception while running action"
TRACKER_STORE_LOGGER = "rasa.core.tracker_store"
TRACKER_STORE_FAILED = "Error happened when trying to"


@dataclass
class TurnTrouble:
    failed_actions: list[str] = field(default_factory=list)
    tracker_store_down: bool = False


_trouble: ContextVar[TurnTrouble | None] = ContextVar("kakao_turn_trouble", default=None)


class _RasaTroubleWatch(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        trouble = _trouble.get()
        message = str(record.msg)
        if trouble is None:
            return True
        if record.name == PROCESSOR_LOGGER and message.startswith(FAILED_ACTION):
            trouble.failed_actions.append(message[len(FAILED_ACTION) :].strip(" '.").split("'")[0])
        elif record.name == TRACKER_STORE_LOGGER and message.startswith(TRACKER_STORE_FAILED):
            trouble.tracker_store_down = True
        return True  # only noted: Rasa's log line is still written


_WATCH = _RasaTroubleWatch()


def install_turn_watch() -> None:
    """Attach the watch to Rasa's loggers (once per process)."""
    for name in (PROCESSOR_LOGGER, TRACKER_STORE_LOGGER):
        logger = logging.getLogger(name)
        if _WATCH not in logger.filters:
            logger.addFilter(_WATCH)


@contextmanager
def watching_turn() -> Iterator[TurnTrouble]:
    """What went wrong inside Rasa while the block ran (in this task only)."""
    trouble = TurnTrouble()
    token = _trouble.set(trouble)
    try:
        yield trouble
    finally:
        _trouble.reset(token)

"""What every action needs: the district profile, the shared response variables, and
a base that keeps blocking work (database, files) off the action server's event loop."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.inputs import refuse_bad_input
from sotong.district import DistrictProfile, load_profile


def profile() -> DistrictProfile:
    return load_profile()


def district_vars(p: DistrictProfile | None = None, department: str | None = None) -> dict[str, Any]:
    """Variables every response may use: district name, main phone, a department's name/phone."""
    p = p or profile()
    dept = p.department(department)
    return {
        "district_name": p.name,
        "main_phone": p.main_phone,
        "department_name": dept.name,
        "department_phone": dept.phone,
    }


def latest_text(tracker: Tracker) -> str:
    return (tracker.latest_message or {}).get("text") or ""


def utter_sample_notice(dispatcher: CollectingDispatcher, is_sample: bool, p: DistrictProfile | None = None) -> None:
    """Sample data must never pass for official facts: say so whenever an answer used it."""
    if is_sample:
        dispatcher.utter_message(response="utter_sample_data_notice", **district_vars(p))


class BlockingAction(Action, ABC):
    """An action whose work blocks (SQLAlchemy, file reads): write it in ``run_blocking``.

    The action server is one asyncio loop serving every resident; a synchronous
    ``run`` would execute on that loop, so one slow database call (a held SQLite
    write lock, a slow PostgreSQL) would stall every other conversation and even
    /health. ``run`` hands ``run_blocking`` to a worker thread instead.
    """

    checks_input = True  # refuse malformed slot values first (actions/inputs.py)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "run" in cls.__dict__:  # overriding run would put the work back on the loop
            raise TypeError(f"{cls.__name__}: implement run_blocking, not run")

    @abstractmethod
    def name(self) -> str:  # abstract: the SDK registers only concrete actions
        ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if self.checks_input:
            refused = refuse_bad_input(dispatcher, tracker, domain)
            if refused is not None:
                return refused
        return await asyncio.to_thread(self.run_blocking, dispatcher, tracker, domain)

    @abstractmethod
    def run_blocking(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]: ...


async def run_off_loop(coroutine_function, *args: Any) -> Any:
    """Run an SDK coroutine (a form's ``run``, which calls our synchronous extract_/validate_
    methods inline) on a private loop in a worker thread, so its blocking calls never
    hold the server's loop."""
    return await asyncio.to_thread(lambda: asyncio.run(coroutine_function(*args)))

"""Runs sotong.handoff.sweep from the web app, and tells Rasa about its tickets.

Every ``SOTONG_HANDOFF_SWEEP_SECONDS`` (default 60 with SOTONG_MODE=production, off
otherwise unless set — a test's web app must not turn its requests into tickets because
the suite runs at night) the app releases claims officers left and, after closing, turns
waiting requests into callback tickets. For each ticket the bot is resumed in Rasa and
the notice appended to the tracker (so the web page's history and the console transcript
show it); the resident sees it live from ``handoff_message`` (web page stream, KakaoTalk
next answer). Every replica may sweep: each change is a conditional UPDATE, one wins.

The notice is the bot's own callback answer (``utter_handoff_callback`` in
data/responses/handoff.yml) with the same variables actions/handoff.py gives it, so the
resident reads one wording whichever way the ticket was made.

``python -m web.console.handoff_sweep`` sweeps once (for cron, or to try it by hand).
"""

from __future__ import annotations

import asyncio
import logging
import os
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import yaml
from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from sotong.db import session_scope
from sotong.district import load_profile
from sotong.formatting import korean_date
from sotong.handoff.hours import handoff_now
from sotong.handoff.sweep import SweepResult, sweep
from sotong.handoff.views import RequestView
from sotong.office_hours import office_state
from sotong.settings import production_mode
from web.console.handoff_rasa import append_events
from web.rasa_client import ChatNotConfigured, RasaUnavailable

log = logging.getLogger(__name__)

INTERVAL_ENV = "SOTONG_HANDOFF_SWEEP_SECONDS"
RESPONSES = Path(__file__).resolve().parents[2] / "data" / "responses" / "handoff.yml"
NOTICE = "utter_handoff_callback"
NOTICE_KIND = "handoff_notice"  # data.custom.kind of the notice in the tracker
RASA_TRIES = 3


@lru_cache(maxsize=1)
def _template(name: str = NOTICE) -> str:
    responses = yaml.safe_load(RESPONSES.read_text(encoding="utf-8"))["responses"]
    return str(responses[name][0]["text"])


def notice_text(request: RequestView, now: datetime) -> str:
    profile = load_profile()
    hours = profile.office_hours.hours()
    department = profile.department(request.department_code)
    return _template().format(
        next_open_day=korean_date(office_state(now, hours).next_open_day),
        opens_at=f"{hours.weekdays[0]:%H:%M}",
        department_name=department.name,
        department_phone=department.phone,
        district_name=profile.name,
        main_phone=profile.main_phone,
    )


def _sweep_database(now: datetime) -> SweepResult:
    hours = load_profile().office_hours.hours()
    with session_scope() as session:
        return sweep(session, now=now, hours=hours, notice=lambda r: notice_text(r, now))


async def _resume(conversation_id: str, notice: str) -> bool:
    events = [
        {"event": "resume"},
        {"event": "bot", "text": notice, "data": {"custom": {"kind": NOTICE_KIND}}},
        # as the console's hand-back: the next turn starts from a listen, not the paused message
        {"event": "action", "name": "action_listen"},
    ]
    for attempt in range(RASA_TRIES):
        try:
            await append_events(conversation_id, events)
            return True
        except ChatNotConfigured:
            break
        except RasaUnavailable:
            await asyncio.sleep(2**attempt)
    log.warning("handoff.sweep: could not resume %s in Rasa; the bot stays paused there", conversation_id)
    return False


async def run_once(now: datetime | None = None) -> SweepResult:
    """One sweep; the bot resumed for each new ticket."""
    now = now or handoff_now()
    result = await run_in_threadpool(_sweep_database, now)
    for ticket in result.ticketed:
        await _resume(ticket.request.conversation_id, ticket.notice)
    if result.released or result.ticketed:
        log.info("handoff.sweep: %d released, %d ticketed", len(result.released), len(result.ticketed))
    return result


def interval_from_env() -> float:
    raw = os.environ.get(INTERVAL_ENV, "").strip()
    try:
        return max(0.0, float(raw)) if raw else (60.0 if production_mode() else 0.0)
    except ValueError:
        return 0.0


async def _loop(interval: float) -> None:
    while True:
        try:
            await run_once()
        except Exception:  # a database hiccup must not end the loop; the next tick tries again
            log.exception("handoff.sweep.failed")
        await asyncio.sleep(interval)


_task: asyncio.Task | None = None


async def _start() -> None:
    global _task
    interval = interval_from_env()
    if interval > 0 and _task is None:
        _task = asyncio.create_task(_loop(interval))


async def _stop() -> None:
    global _task
    if _task is not None:
        _task.cancel()
        _task = None


# Only the start-up and shut-down hooks: the sweep has no routes.
router = APIRouter(on_startup=[_start], on_shutdown=[_stop])


if __name__ == "__main__":
    done = asyncio.run(run_once())
    print(f"handoff sweep: {len(done.released)} released, {len(done.ticketed)} ticketed")

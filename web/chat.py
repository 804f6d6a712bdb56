"""The resident page's chat: POST /api/chat/message and GET /api/chat/history.

The browser sends only its words and a message id it made up; who is speaking comes
from the HttpOnly device cookie (web/resident_auth.py), and the Rasa conversation is
"web:<device key>", relayed server to server through connectors/webapp.py.

Idempotent by ``message_id``: a phone that lost its connection resends the same turn
with the same id, and gets the first answer back — the dialogue never runs twice (a
complaint is never filed twice). While the first attempt is still running the retry
waits for it; once Rasa has been reached but did not answer, the retry reads the answer
from Rasa's tracker (the turn carries the id) instead of sending again. Only a turn
that never reached Rasa is sent again. The ledger is per process; with several web
replicas behind a balancer, sticky sessions (or a shared ledger) keep that promise.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable
from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from connectors.identity import parse_conversation_id
from web.chat_history import history, replies_to
from web.errors import ApiError
from web.rasa_client import ChatNotConfigured, RasaRefused, RasaUnavailable, fetch_events, send_turn
from web.resident_auth import WebResident, current_resident, require_csrf
from web.settings import chat_timeout

router = APIRouter(prefix="/api/chat", tags=["chat"])

LEDGER_SIZE = 10_000
LEDGER_TTL = 15 * 60  # seconds a message id is remembered; the page gives up retrying long before

Key = tuple[str, str]


class TurnBody(BaseModel):
    message: str = Field(..., min_length=1)  # the channel applies the length limit (413)
    message_id: str = Field(..., regex=r"^[A-Za-z0-9_-]{8,64}$")


class TurnLedger:
    """(conversation, message id) → the task relaying that turn; bounded and time-limited."""

    def __init__(self, size: int = LEDGER_SIZE, ttl: float = LEDGER_TTL):
        self.size, self.ttl = size, ttl
        self._turns: OrderedDict[Key, tuple[float, asyncio.Task]] = OrderedDict()

    def _expire(self) -> None:
        now = time.monotonic()
        for key, (started, task) in list(self._turns.items()):  # oldest first
            over = len(self._turns) > self.size
            # Over the size, only finished turns go: a running one's retry must still join it.
            if now - started >= self.ttl or (over and task.done()):
                self._turns.pop(key)
            elif not over:
                break  # the rest are younger and there is room

    def task(self, key: Key, start: Awaitable[list[dict[str, Any]]]) -> asyncio.Task:
        """The running or finished task for ``key``; ``start`` is used only when there is none."""
        self._expire()
        found = self._turns.get(key)
        if found is not None:
            if asyncio.iscoroutine(start):
                start.close()
            return found[1]
        task = asyncio.ensure_future(start)
        # A turn whose browser went away may fail unobserved; its error is answered to the retry.
        task.add_done_callback(lambda t: t.cancelled() or t.exception())
        self._turns[key] = (time.monotonic(), task)
        return task

    def age(self, key: Key) -> float:
        """Seconds since the turn was first sent (0 when unknown)."""
        found = self._turns.get(key)
        return time.monotonic() - found[0] if found else 0.0

    def forget(self, key: Key) -> None:
        self._turns.pop(key, None)


ledger = TurnLedger()


def _unavailable(detail: str) -> ApiError:
    return ApiError(503, "chat_unavailable", f"the chat is unavailable right now ({detail}); try again", retry=True)


async def _recovered(conversation: str, message_id: str) -> list[dict[str, Any]] | None:
    """The answer Rasa gave to ``message_id``, read back from its tracker, or None."""
    try:
        return replies_to(await fetch_events(conversation), message_id)
    except (RasaUnavailable, ChatNotConfigured):
        return None


@router.post("/message", dependencies=[Depends(require_csrf)])
async def chat_message(
    body: TurnBody, response: Response, resident: WebResident = Depends(current_resident)
) -> dict[str, Any]:
    response.headers["Cache-Control"] = "no-store"
    _, key = parse_conversation_id(resident.conversation_id)
    turn: Key = (resident.conversation_id, body.message_id)
    # Shielded: a browser that disconnects does not cancel the turn; its retry joins it.
    task = ledger.task(turn, send_turn(key, body.message, body.message_id))
    try:
        messages = await asyncio.shield(task)
    except ChatNotConfigured:
        ledger.forget(turn)
        raise ApiError(503, "chat_disabled", "the chat is not configured on this server") from None
    except RasaRefused as refused:
        ledger.forget(turn)  # refused at the door: nothing ran, the same id may be tried again
        headers = {"Retry-After": refused.retry_after} if refused.retry_after else None
        raise ApiError(refused.status, refused.code, refused.text or refused.code, headers=headers) from None
    except RasaUnavailable as exc:
        if not exc.reached:
            ledger.forget(turn)  # Rasa never saw it: resending is safe
            raise _unavailable(str(exc)) from None
        recovered = await _recovered(resident.conversation_id, body.message_id)
        if recovered is None:
            # Not in the tracker (yet). The entry stays, so a retry looks again, until Rasa
            # would long have finished: then it never got the turn and a retry sends it anew.
            if ledger.age(turn) > 2 * chat_timeout():
                ledger.forget(turn)
            raise _unavailable(str(exc)) from None
        messages = recovered
    return {"message_id": body.message_id, "messages": messages}


@router.get("/history")
async def chat_history(response: Response, resident: WebResident = Depends(current_resident)) -> dict[str, Any]:
    response.headers["Cache-Control"] = "no-store"
    try:
        events = await fetch_events(resident.conversation_id)
    except ChatNotConfigured:
        raise ApiError(503, "chat_disabled", "the chat history is not configured on this server") from None
    except RasaUnavailable as exc:
        raise _unavailable(str(exc)) from None
    return {"messages": history(events)}

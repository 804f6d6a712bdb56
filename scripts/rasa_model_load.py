"""Rasa's ``PUT /model`` without the stall: the new model loads in a worker thread.

Rasa 3.6 answers ``PUT /model`` (rasa.server → _load_agent → rasa.core.agent.load_agent →
Agent.load_model) by unpacking the archive and building the TensorFlow graphs *inside the
event loop*: a single Rasa process answers nothing for the whole load (~30 s on an idle 2-core
machine, minutes on a busy one), so residents' messages time out and KakaoTalk's 5 s deadline is
missed. That is the studio's publish (sotong/studio/publish.py) and deploy/roll.py's way in.

This launcher patch (scripts/rasa_server.py installs it) replaces ``rasa.server._load_agent`` for
the case the studio uses, a model file on this machine: the new Agent gets the same endpoints as
Rasa's own path (tracker store, lock store, event broker, action server, NLG), its model is
loaded by Agent.load_model in a thread, and only the finished agent is handed back to Rasa's
handler, which swaps it in (``app.ctx.agent = new_agent``). Turns under way finish on the old
agent; the event loop keeps answering while the thread works (the GIL is handed over every few
milliseconds, so answers get slower on a busy machine, never stuck). Model servers and remote
storage keep Rasa's own path, as do the error replies' shapes.
"""

from __future__ import annotations

import asyncio
import logging
import os
from http import HTTPStatus
from typing import Any

logger = logging.getLogger(__name__)


async def _agent_without_model(endpoints: Any) -> Any:
    """An Agent wired like rasa.core.agent.load_agent wires one, with no model loaded yet."""
    from rasa.core.agent import Agent
    from rasa.core.brokers.broker import EventBroker
    from rasa.core.http_interpreter import RasaNLUHttpInterpreter
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import TrackerStore

    if endpoints is None:
        return Agent()
    broker = await EventBroker.create(endpoints.event_broker)
    return Agent(
        generator=endpoints.nlg,
        tracker_store=TrackerStore.create(endpoints.tracker_store, event_broker=broker),
        lock_store=LockStore.create(endpoints.lock_store),
        action_endpoint=endpoints.action,
        http_interpreter=RasaNLUHttpInterpreter(endpoints.nlu) if endpoints.nlu else None,
    )


def install_off_loop_model_load() -> None:
    """Patch rasa.server._load_agent (call before Rasa builds its app)."""
    import rasa.server
    from rasa.server import ErrorResponse

    rasa_load_agent = rasa.server._load_agent

    async def load_agent_off_loop(
        model_path: str | None = None,
        model_server: Any = None,
        remote_storage: str | None = None,
        endpoints: Any = None,
    ) -> Any:
        if model_server is not None or remote_storage is not None or getattr(endpoints, "model", None):
            return await rasa_load_agent(model_path, model_server, remote_storage, endpoints)
        if not model_path or not os.path.isfile(model_path):
            raise ErrorResponse(
                HTTPStatus.BAD_REQUEST,
                "BadRequest",
                f"Agent with name '{model_path}' could not be loaded.",
                {"parameter": "model", "in": "query"},
            )
        try:
            agent = await _agent_without_model(endpoints)
            # The one slow, synchronous step, off the event loop.
            await asyncio.get_running_loop().run_in_executor(None, agent.load_model, model_path)
        except Exception as exc:  # Rasa's own reply for a model that fails to load
            logger.warning("model %s failed to load: %s", model_path, exc)
            raise ErrorResponse(
                HTTPStatus.INTERNAL_SERVER_ERROR, "LoadingError", f"An unexpected error occurred. Error: {exc}"
            ) from None
        if not agent.is_ready():
            raise ErrorResponse(
                HTTPStatus.BAD_REQUEST,
                "BadRequest",
                f"Agent with name '{model_path}' could not be loaded.",
                {"parameter": "model", "in": "query"},
            )
        logger.info("model %s loaded off the event loop", os.path.basename(model_path))
        return agent

    rasa.server._load_agent = load_agent_off_loop

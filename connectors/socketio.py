"""socket.io for the web chat, with session ids the web app issued and signed.

Rasa's stock channel takes any ``session_id`` a client names in ``session_request``,
joins the socket to a room of that name and sends every reply to the room: a client
naming someone's session id joined their conversation and received their replies.
Here (issue 7, finding 2):

- ``session_request`` must carry a token from the web app (POST /api/chat/session,
  sotong/session_token.py); an unsigned, forged or expired one gets a
  ``session_error`` event (Korean text from connectors/messages.yml) and is
  disconnected. The socket is bound to that session; messages from an unbound
  socket, or naming another session, are refused the same way.
- the conversation id is "web:<session id>" (connectors/identity.py);
- replies go to the socket that sent the message, never to a room shared by every
  socket presenting the session id: a second socket with a live id sees only answers
  to what it sent itself. A reconnect after a network drop is simply a new socket
  presenting the same token, so it keeps the conversation;
- messages have the REST channel's length cap and per-sender rate limit
  (connectors/edge.py), answered as a bot message; socket.io packets are capped at
  SOTONG_CHANNEL_MAX_BODY; metadata from the client is dropped;
- with replicas, a message Rasa sends outside a turn reaches the socket on whichever replica
  holds it (connectors/socketio_fleet.py, Redis).

Options in credentials.yml: user_message_evt, bot_message_evt, namespace,
socketio_path, session_error_evt. ``session_persistence`` is accepted and ignored:
sessions always persist (that is what the signed id is for).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from connectors.edge import EdgeLimits, EdgeTexts, load_limits, message_problem
from connectors.identity import WEB, conversation_id
from connectors.paused_urgent import urgent_while_paused
from connectors.socketio_fleet import LastSockets, client_manager
from sotong.session_token import (
    MIN_SECRET_CHARS,
    SECRET_ENV,
    SessionToken,
    SessionTokenError,
    session_max_age,
    session_secret,
    verify,
)
from sotong.settings import production_mode

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class SocketOutput(SocketIOOutput):
    """Sends to one socket (its own room, named by socket.io after the sid), not to the session."""

    def __init__(
        self, sio: AsyncServer, bot_message_evt: str, socket_id: str | None, namespace: str | None = None
    ) -> None:
        super().__init__(sio, bot_message_evt)
        self.socket_id = socket_id
        self.namespace = namespace

    async def _send_message(self, recipient_id: str, response: Any) -> None:
        if self.socket_id is not None:
            await self.sio.emit(self.bot_message_evt, response, room=self.socket_id, namespace=self.namespace)

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        # Rasa's version lets the message pick its own "room"; a reply never chooses its reader.
        await self._send_message(recipient_id, json_message)


class SignedSessionSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            session_error_evt=credentials.get("session_error_evt", "session_error"),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        socketio_path: str = "/socket.io",
        session_error_evt: str = "session_error",
        secret: str | None = None,
        limits: EdgeLimits | None = None,
    ) -> None:
        super().__init__(user_message_evt, bot_message_evt, namespace, True, socketio_path)
        self.session_error_evt = session_error_evt
        self.secret = secret if secret is not None else session_secret()
        self.max_age = session_max_age()
        self.limits = limits or load_limits()
        self.texts = EdgeTexts(self.limits)
        self.rate = self.limits.limiter()
        self._sessions: dict[str, SessionToken] = {}  # socket id -> the session it proved
        self._last_sockets = LastSockets.from_env()  # conversation id -> socket that spoke last
        if not self.secret or len(self.secret) < MIN_SECRET_CHARS:
            if production_mode():
                raise ValueError(
                    f"production mode: set {SECRET_ENV} (at least {MIN_SECRET_CHARS} characters) "
                    "or remove the socket.io channel from credentials.yml"
                )
            logger.warning(
                "socketio.no_session_secret: %s is unset or short; every web chat session is refused", SECRET_ENV
            )
            self.secret = None

    def get_output_channel(self) -> OutputChannel | None:
        """For messages Rasa sends outside a turn (HTTP API): to the socket that spoke last."""
        if self.sio is None:
            return super().get_output_channel()
        channel = self

        class _LastSocketOutput(SocketOutput):
            async def _send_message(self, recipient_id: str, response: Any) -> None:
                self.socket_id = await channel._last_sockets.lookup(recipient_id)
                await super()._send_message(recipient_id, response)

        return _LastSocketOutput(self.sio, self.bot_message_evt, None, self.namespace)

    async def _refuse_session(self, sio: AsyncServer, sid: str, key: str) -> None:
        logger.info("socketio.session.refused reason=%s", key)
        await sio.emit(
            self.session_error_evt, {"error": key, "text": self.texts[key]}, room=sid, namespace=self.namespace
        )
        await self._forget(sid)
        await sio.disconnect(sid, namespace=self.namespace)

    async def _forget(self, sid: str) -> None:
        session = self._sessions.pop(sid, None)
        if session is not None:
            await self._last_sockets.forget(conversation_id(WEB, session.session_id), sid)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=[],
            max_http_buffer_size=self.limits.max_body_bytes,
            client_manager=client_manager(),  # Redis across replicas (connectors/socketio_fleet.py)
        )
        socketio_webhook = SocketBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        self.sio = sio
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict, auth: dict | None = None) -> bool:
            return True  # who it is is decided by session_request

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str) -> None:
            await self._forget(sid)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            token = data.get("session_id") if isinstance(data, dict) else None
            try:
                session = verify(self.secret, token, self.max_age)
            except SessionTokenError as error:
                await self._refuse_session(sio, sid, f"session_{error.reason}")
                return
            self._sessions[sid] = session
            await sio.emit("session_confirm", session.token, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            session = self._sessions.get(sid)
            if session is None:
                await self._refuse_session(sio, sid, "session_missing")
                return
            data = data if isinstance(data, dict) else {}
            claimed = data.get("session_id")
            if claimed is not None and claimed != session.token:
                await self._refuse_session(sio, sid, "session_mismatch")
                return
            output = SocketOutput(sio, self.bot_message_evt, sid, namespace)
            text = data.get("message", "")
            problem = message_problem(text, self.limits)
            sender_id = conversation_id(WEB, session.session_id)
            if not problem and not self.rate.allow(sender_id):
                problem = "rate_limited"
            if problem:
                logger.info("socketio.message.refused reason=%s", problem)
                await output._send_message(sender_id, {"text": self.texts[problem], "error": problem})
                return
            await self._last_sockets.remember(sender_id, sid)
            turn = urgent_while_paused(next(iter(socketio_webhook.apps)), on_new_message)
            await turn(UserMessage(text, output, sender_id, input_channel=self.name(), metadata=None))

        return socketio_webhook

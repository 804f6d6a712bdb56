"""socket.io across Rasa replicas (`make run-prod`): a message emitted by one replica reaches a
socket held by another.

nginx keeps a browser's socket.io connection on one replica (sticky ``/socket.io/``), so a turn's
replies are emitted where the socket is. What crosses replicas is a message Rasa sends outside a
turn — a push through the HTTP API (``output_channel=latest``), e.g. an officer's note — which
may be handled by the replica that does not hold the socket. Two pieces, both off unless
SOTONG_SOCKETIO_REDIS_URL is set (run_prod.sh sets it to SOTONG_REDIS_URL):

* ``LocalFirstRedisManager``: python-socketio's Redis client manager, except that an emit to a
  room with a socket on this replica is delivered here directly. Only an emit for a socket held
  elsewhere goes through Redis pub/sub, so a turn's answer never waits on Redis and still arrives
  when Redis is down (a push to another replica's socket is then lost; the resident sees it in
  the history on the next reload).
* ``LastSockets``: which socket spoke last for a conversation (where out-of-turn messages go),
  in Redis with an expiry so every replica can look it up; in process memory otherwise, and as
  the fall-back when Redis does not answer.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import socketio

logger = logging.getLogger(__name__)

URL_ENV = "SOTONG_SOCKETIO_REDIS_URL"
CHANNEL_ENV = "SOTONG_SOCKETIO_REDIS_CHANNEL"
DEFAULT_CHANNEL = "sotong-socketio"
LAST_SOCKET_TTL_SECONDS = 24 * 3600  # a session token lives at most this long (session_max_age)
MEMORY_CAP = 10_000  # conversations remembered per process without Redis


def redis_url() -> str | None:
    return os.environ.get(URL_ENV, "").strip() or None


def channel_name() -> str:
    return os.environ.get(CHANNEL_ENV, "").strip() or DEFAULT_CHANNEL


class LocalFirstRedisManager(socketio.AsyncRedisManager):
    """Deliver to local sockets directly; publish through Redis only for sockets held elsewhere."""

    def _held_here(self, namespace: str, room: Any) -> bool:
        return room is not None and bool(self.rooms.get(namespace, {}).get(room))

    async def emit(self, event, data, namespace=None, room=None, skip_sid=None, callback=None, **kwargs):  # type: ignore[no-untyped-def]
        namespace = namespace or "/"
        if callback is None and self._held_here(namespace, room):
            return await socketio.AsyncManager.emit(
                self, event, data, namespace, room=room, skip_sid=skip_sid, callback=None, **kwargs
            )
        return await super().emit(
            event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
        )


def client_manager() -> socketio.AsyncManager | None:
    """The manager for AsyncServer(client_manager=…): None (socket.io's in-process one) without Redis."""
    url = redis_url()
    if url is None:
        return None
    return LocalFirstRedisManager(url, channel=channel_name())


class LastSockets:
    """conversation id -> the socket id that spoke last, shared by replicas through Redis."""

    def __init__(self, url: str | None = None, prefix: str | None = None) -> None:
        self._memory: dict[str, str] = {}
        self._prefix = (prefix or channel_name()) + ":last:"
        self._redis = None
        if url:
            from redis import asyncio as aioredis

            self._redis = aioredis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    @classmethod
    def from_env(cls) -> "LastSockets":
        return cls(redis_url())

    def _remember_here(self, conversation: str, sid: str) -> None:
        if conversation not in self._memory and len(self._memory) >= MEMORY_CAP:
            self._memory.pop(next(iter(self._memory)))  # the oldest entry
        self._memory[conversation] = sid

    async def remember(self, conversation: str, sid: str) -> None:
        self._remember_here(conversation, sid)
        if self._redis is not None:
            try:
                await self._redis.set(self._prefix + conversation, sid, ex=LAST_SOCKET_TTL_SECONDS)
            except Exception as exc:  # Redis down: this replica still knows its own sockets
                logger.warning("socketio.last_socket.redis_unavailable op=set error=%s", type(exc).__name__)

    async def lookup(self, conversation: str) -> str | None:
        if self._redis is not None:
            try:
                found = await self._redis.get(self._prefix + conversation)
                if found is not None:
                    return found.decode() if isinstance(found, bytes) else str(found)
            except Exception as exc:
                logger.warning("socketio.last_socket.redis_unavailable op=get error=%s", type(exc).__name__)
        return self._memory.get(conversation)

    async def forget(self, conversation: str, sid: str) -> None:
        """Forget ``sid`` for ``conversation`` — only if it is still the last socket there."""
        if self._memory.get(conversation) == sid:
            del self._memory[conversation]
        if self._redis is not None:
            try:
                key = self._prefix + conversation
                found = await self._redis.get(key)
                if found is not None and (found.decode() if isinstance(found, bytes) else found) == sid:
                    await self._redis.delete(key)
            except Exception as exc:
                logger.warning("socketio.last_socket.redis_unavailable op=forget error=%s", type(exc).__name__)

"""Which socket spoke last for a conversation, shared by replicas through the machine's Redis
(connectors/socketio_fleet.py), and what happens when Redis is not there."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import redis
import socketio

from connectors.socketio_fleet import LastSockets, LocalFirstRedisManager, client_manager

REDIS = "redis://127.0.0.1:6379/0"
# With Redis down, python-socketio's listener logs each reconnection attempt with a traceback.
logging.getLogger("socketio").setLevel(logging.CRITICAL)


def test_a_socket_remembered_by_one_replica_is_found_by_another(redis_prefix):
    async def scenario():
        one, two = LastSockets(REDIS, redis_prefix), LastSockets(REDIS, redis_prefix)
        await one.remember("web:abc", "sid-1")
        assert await two.lookup("web:abc") == "sid-1"
        await two.remember("web:abc", "sid-2")  # the resident reconnected through the other replica
        await one.forget("web:abc", "sid-1")  # the old socket's disconnect must not erase the new one
        assert await one.lookup("web:abc") == "sid-2"
        await two.forget("web:abc", "sid-2")
        assert await one.lookup("web:abc") is None

    asyncio.run(scenario())


def test_entries_expire_with_the_session(redis_prefix):
    async def scenario():
        await LastSockets(REDIS, redis_prefix).remember("web:ttl", "sid")

    asyncio.run(scenario())
    ttl = redis.Redis.from_url(REDIS).ttl(f"{redis_prefix}:last:web:ttl")
    assert 0 < ttl <= 24 * 3600


def test_without_redis_a_replica_still_knows_its_own_sockets(caplog):
    async def scenario():
        down = LastSockets("redis://127.0.0.1:1/0", "sotong-test-down")
        await down.remember("web:x", "sid-x")  # never raises
        assert await down.lookup("web:x") == "sid-x"
        await down.forget("web:x", "sid-x")
        assert await down.lookup("web:x") is None

    asyncio.run(scenario())
    assert "socketio.last_socket.redis_unavailable" in caplog.text


def test_memory_is_bounded(monkeypatch):
    monkeypatch.setattr("connectors.socketio_fleet.MEMORY_CAP", 3)

    async def scenario():
        here = LastSockets(None)
        for n in range(5):
            await here.remember(f"web:{n}", f"sid-{n}")
        return [await here.lookup(f"web:{n}") for n in range(5)]

    assert asyncio.run(scenario()) == [None, None, "sid-2", "sid-3", "sid-4"]


def test_the_redis_manager_is_used_only_when_configured(monkeypatch):
    monkeypatch.delenv("SOTONG_SOCKETIO_REDIS_URL", raising=False)
    assert client_manager() is None
    monkeypatch.setenv("SOTONG_SOCKETIO_REDIS_URL", REDIS)
    monkeypatch.setenv("SOTONG_SOCKETIO_REDIS_CHANNEL", "sotong-test-channel")
    manager = client_manager()
    assert isinstance(manager, LocalFirstRedisManager) and manager.channel == "sotong-test-channel"


class _Replica:
    """A socket.io server with the fleet's client manager, served by uvicorn on a free port in a
    thread with its own event loop (as a Rasa replica runs its own)."""

    def __init__(self, url: str, channel: str) -> None:
        import uvicorn

        from devkit.procs import free_port

        self.sio = socketio.AsyncServer(
            async_mode="asgi", client_manager=LocalFirstRedisManager(url, channel=channel), cors_allowed_origins=[]
        )
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        config = uvicorn.Config(
            socketio.ASGIApp(self.sio), host="127.0.0.1", port=self.port, log_level="error", ws="none"
        )
        self.server = uvicorn.Server(config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.serving = asyncio.run_coroutine_threadsafe(self.server.serve(), self.loop)
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)

    def emit(self, room: str, text: str) -> None:
        """Emit from this replica's own event loop, as Rasa would."""
        emitted = asyncio.run_coroutine_threadsafe(self.sio.emit("bot_uttered", {"text": text}, room=room), self.loop)
        emitted.result(10)

    def stop(self) -> None:
        self.server.should_exit = True
        try:
            self.serving.result(timeout=15)
        except Exception:  # stopping is best effort; the test has its outcome already
            pass

        async def cancel_the_rest() -> None:  # the manager's Redis listener outlives the server
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_the_rest(), self.loop).result(timeout=15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def _subscribers(channel: str) -> int:
    return dict(redis.Redis.from_url(REDIS).pubsub_numsub(channel)).get(channel.encode(), 0)


def test_a_message_emitted_by_one_replica_reaches_a_socket_held_by_another(redis_prefix):
    one, two = _Replica(REDIS, redis_prefix), _Replica(REDIS, redis_prefix)
    got: list[str] = []
    arrived = threading.Condition()
    client = socketio.Client(reconnection=False)

    @client.on("bot_uttered")
    def record(data):
        with arrived:
            got.append(data["text"])
            arrived.notify_all()

    try:
        client.connect(f"http://127.0.0.1:{one.port}", transports=["polling"], wait_timeout=20)
        sid = client.get_sid()
        deadline = time.monotonic() + 20  # replica one subscribes to the channel on its first connection
        while _subscribers(redis_prefix) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        one.emit(sid, "from the replica holding the socket")  # delivered here, not through Redis
        two.emit(sid, "from the other replica")  # published through Redis, delivered by replica one
        with arrived:
            arrived.wait_for(lambda: len(got) >= 2, timeout=20)
        assert got == ["from the replica holding the socket", "from the other replica"]
    finally:
        client.disconnect()
        one.stop()
        two.stop()


def test_without_redis_a_replica_still_answers_its_own_sockets():
    """Redis down: the answer to a resident's own turn is emitted where the socket is, so it
    arrives; only a push meant for another replica's socket would be lost."""
    one = _Replica("redis://127.0.0.1:1/0", "sotong-test-down")
    got: list[str] = []
    arrived = threading.Event()
    client = socketio.Client(reconnection=False)

    @client.on("bot_uttered")
    def record(data):
        got.append(data["text"])
        arrived.set()

    try:
        client.connect(f"http://127.0.0.1:{one.port}", transports=["polling"], wait_timeout=20)
        one.emit(client.get_sid(), "answer")
        assert arrived.wait(20) and got == ["answer"]
    finally:
        client.disconnect()
        one.stop()

"""Helpers for the Kakao connector tests (imported by the test modules).

Channel tests run the channel's real Sanic blueprint on a loopback port, talk
to it over HTTP with aiohttp, and receive callbacks on a loopback http.server.
The dialogue is a small real coroutine (echo / slow echo) standing in for
Rasa's agent.handle_message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from connectors.kakao import payloads

# --- dialogue stand-ins -------------------------------------------------------------


class Dialogue:
    """Records every UserMessage and answers "echo: <text>" after `delay` seconds."""

    def __init__(self, delay: float = 0.0, buttons: list[dict[str, str]] | None = None, fail: bool = False) -> None:
        self.delay = delay
        self.buttons = buttons
        self.fail = fail
        self.messages: list[Any] = []
        self.finished = 0

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("dialogue broke")
        out = message.output_channel
        if self.buttons:
            await out.send_text_with_buttons(message.sender_id, f"echo: {message.text}", self.buttons)
        else:
            await out.send_text_message(message.sender_id, f"echo: {message.text}")
        self.finished += 1

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages]


# --- the channel on a real HTTP server -------------------------------------------------


@contextlib.asynccontextmanager
async def serve_channel(channel: Any, on_new_message: Callable[[Any], Any]) -> AsyncIterator[str]:
    """Run `channel`'s blueprint in a Sanic app on 127.0.0.1; yields the webhook URL."""
    from sanic import Sanic

    # Test mode lets many apps live in one process (Sanic otherwise re-patches
    # its class on every start and refuses repeated app names).
    Sanic.test_mode = True
    app = Sanic(f"kakao_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/kakao")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}/webhooks/kakao/webhook"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


# --- a loopback callback endpoint ---------------------------------------------------------


class CallbackServer:
    """Stands in for Kakao's callback endpoint; answers with scripted statuses (then 200)."""

    def __init__(self, statuses: list[int] | None = None, kakao_statuses: list[str] | None = None) -> None:
        self.statuses = list(statuses or [])
        self.kakao_statuses = list(kakao_statuses or [])  # the "status" in Kakao's JSON reply
        self.received: list[dict[str, Any]] = []  # {"path", "body", "status", "at"}
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8"))
                with outer._lock:
                    status = outer.statuses.pop(0) if outer.statuses else 200
                    kakao_status = outer.kakao_statuses.pop(0) if outer.kakao_statuses else None
                    outer.received.append({"path": self.path, "body": body, "status": status, "at": time.monotonic()})
                kakao_status = kakao_status or ("SUCCESS" if status == 200 else "ERROR")
                reply = json.dumps({"taskId": "t", "status": kakao_status}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def url(self, name: str = "cb") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/callback/{name}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def environ(self) -> dict[str, str]:
        """What lets the channel call this loopback server (never the default: see callback_policy.py)."""
        return loopback_callback_env(self.port)

    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.received if r["status"] == 200]

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return self.received

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def loopback_callback_env(*ports: int) -> dict[str, str]:
    """Environment allowing callbacks to plain-http loopback test servers (development mode only)."""
    return {
        "KAKAO_CALLBACK_HOSTS": ",".join(f"127.0.0.1:{port}" for port in ports),
        "KAKAO_CALLBACK_ALLOW_HTTP": "1",
    }


all_texts = payloads.response_texts  # every text a resident would read (for assertions)

"""The REST channel's own rules, on its real Sanic blueprint over loopback HTTP.

The dialogue is a stand-in coroutine that answers "echo: <text>" (what Rasa's agent
would do), so token, mode and limit combinations that need no model run in
milliseconds; tests/security/test_channels.py probes the same rules on the real stack.
"""

from __future__ import annotations

import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from connectors.edge import EdgeLimits
from connectors.rest import SafeRestInput

TOKEN = "rest-token-0123456789"


class Echo:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)
        await message.output_channel.send_text_message(message.sender_id, f"echo: {message.text}")


@contextlib.asynccontextmanager
async def serve(channel: SafeRestInput, dialogue: Echo) -> AsyncIterator[str]:
    from sanic import Sanic

    Sanic.test_mode = True  # many apps in one process
    app = Sanic(f"rest_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(dialogue), url_prefix="/webhooks/rest")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/rest/webhook"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple:
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json=body, headers=headers or {}) as resp:
            return resp.status, await resp.json()


LIMITS = EdgeLimits(max_message_chars=100, max_body_bytes=4096, rate_count=3, rate_seconds=60)


async def test_development_without_a_token_is_open_for_the_readme_curl_examples():
    dialogue = Echo()
    async with serve(SafeRestInput(LIMITS, token="", production=False), dialogue) as url:
        status, body = await post(url, {"sender": "me", "message": "안녕"})
    assert status == 200 and body == [{"recipient_id": "me", "text": "echo: 안녕"}]
    assert dialogue.messages[0].sender_id == "rest:me" and dialogue.messages[0].metadata is None


async def test_production_without_a_token_is_off():
    dialogue = Echo()
    async with serve(SafeRestInput(LIMITS, token="", production=True), dialogue) as url:
        status, body = await post(url, {"sender": "me", "message": "안녕"})
    assert status == 403 and body[0]["error"] == "rest_disabled" and dialogue.messages == []


@pytest.mark.parametrize("production", [True, False])
async def test_a_configured_token_is_required_as_a_bearer(production):
    dialogue = Echo()
    async with serve(SafeRestInput(LIMITS, token=TOKEN, production=production), dialogue) as url:
        for headers in (
            {},
            {"Authorization": "Bearer wrong"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": "Bearer 한글"},
        ):
            status, body = await post(url, {"sender": "me", "message": "안녕"}, headers)
            assert status == 401 and body[0]["error"] == "unauthorized", headers
        status, body = await post(url, {"sender": "me", "message": "안녕"}, {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and body[0]["text"] == "echo: 안녕" and len(dialogue.messages) == 1


async def test_limits_come_from_the_configuration():
    dialogue = Echo()
    async with serve(SafeRestInput(LIMITS, token="", production=False), dialogue) as url:
        status, body = await post(url, {"sender": "me", "message": "x" * 101})
        assert status == 413 and body[0]["error"] == "message_too_long" and "100자" in body[0]["text"]
        status, body = await post(url, {"sender": "me", "message": "x", "pad": "y" * 5000})
        assert status == 413 and body[0]["error"] == "too_large"
        answers = [await post(url, {"sender": "me", "message": str(i)}) for i in range(4)]
        assert [s for s, _ in answers] == [200, 200, 200, 429]
        assert (await post(url, {"sender": "you", "message": "x"}))[0] == 200
    assert len(dialogue.messages) == 4

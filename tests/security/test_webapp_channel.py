"""The web page's Rasa channel (connectors/webapp.py) on its real Sanic blueprint over loopback HTTP.

Only the web app, holding SOTONG_WEB_CHANNEL_SECRET, may speak through it; the sender is
always "web:<device key>". The dialogue is a stand-in coroutine (what Rasa's agent would
do); the browser tests run the same channel inside the real Rasa.
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
from connectors.webapp import SECRET_HEADER, WebAppInput

SECRET = "web-channel-secret-0123456789"
KEY = "AbCdEf0123456789_-xy"
LIMITS = EdgeLimits(max_message_chars=100, max_body_bytes=4096, rate_count=3, rate_seconds=60)


class Echo:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def __call__(self, message: Any) -> None:
        self.messages.append(message)
        out = message.output_channel
        await out.send_text_with_buttons(
            message.sender_id, f"echo: {message.text}", [{"title": "네", "payload": "/affirm"}]
        )
        await out.send_custom_json(message.sender_id, {"card": {"title": "카드"}})


@contextlib.asynccontextmanager
async def serve(channel: WebAppInput, dialogue: Echo) -> AsyncIterator[str]:
    from sanic import Sanic

    Sanic.test_mode = True  # many apps in one process
    app = Sanic(f"webapp_test_{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(dialogue), url_prefix="/webhooks/sotong_web")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/sotong_web/webhook"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


async def post(url: str, body: Any, headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple:
    async with aiohttp.ClientSession() as http:
        kwargs: dict[str, Any] = {"data": raw} if raw is not None else {"json": body}
        async with http.post(url, headers=headers or {}, **kwargs) as resp:
            return resp.status, await resp.json()


def turn(message: str = "안녕", **extra: Any) -> dict[str, Any]:
    return {"conversation": KEY, "message": message, **extra}


GOOD = {SECRET_HEADER: SECRET}


async def test_the_web_app_speaks_as_web_key_and_gets_every_rich_message_back():
    dialogue = Echo()
    async with serve(WebAppInput(LIMITS, secret=SECRET), dialogue) as url:
        status, body = await post(url, turn(message_id="m-1", metadata={"sender": "kakao:victim"}), GOOD)
    assert status == 200
    assert body == {
        "messages": [
            {"text": "echo: 안녕", "buttons": [{"title": "네", "payload": "/affirm"}]},
            {"custom": {"card": {"title": "카드"}}},
        ]
    }
    (message,) = dialogue.messages
    assert message.sender_id == f"web:{KEY}" and message.metadata is None and message.message_id == "m-1"
    assert message.input_channel == "web"


async def test_without_a_configured_secret_the_channel_is_closed():
    dialogue = Echo()
    async with serve(WebAppInput(LIMITS, secret=""), dialogue) as url:
        for headers in ({}, {SECRET_HEADER: ""}, {SECRET_HEADER: "anything"}):
            status, body = await post(url, turn(), headers)
            assert status == 403 and body["error"] == "unauthorized", headers
    assert dialogue.messages == []


async def test_a_missing_or_wrong_secret_is_refused():
    dialogue = Echo()
    async with serve(WebAppInput(LIMITS, secret=SECRET), dialogue) as url:
        for headers in (
            {},
            {SECRET_HEADER: ""},
            {SECRET_HEADER: SECRET[:-1]},
            {SECRET_HEADER: SECRET + "x"},
            {"Authorization": f"Bearer {SECRET}"},
        ):
            status, body = await post(url, turn(), headers)
            assert status == 401 and body["error"] == "unauthorized", headers
    assert dialogue.messages == []


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"message": "안녕"},  # no conversation
        {"conversation": "kakao:victim", "message": "안녕"},  # not a device key: no other channel's ids
        {"conversation": "short", "message": "안녕"},
        {"conversation": "x" * 200, "message": "안녕"},
        {"conversation": KEY + "\n", "message": "안녕"},
        {"conversation": 12345678, "message": "안녕"},
        {"conversation": KEY},
        {"conversation": KEY, "message": "   "},
        {"conversation": KEY, "message": ["안녕"]},
        {"conversation": KEY, "message": "안녕", "message_id": "../../etc"},
        {"conversation": KEY, "message": "안녕", "message_id": 7},
        {"conversation": KEY, "message": {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}}},
    ],
)
async def test_malformed_turns_get_400_and_never_reach_the_dialogue(body):
    dialogue = Echo()
    async with serve(WebAppInput(LIMITS, secret=SECRET), dialogue) as url:
        status, answer = await post(url, body, GOOD)
    assert status == 400 and answer["error"] and answer["message"]
    assert dialogue.messages == []


async def test_broken_json_gets_400():
    dialogue = Echo()
    async with serve(WebAppInput(LIMITS, secret=SECRET), dialogue) as url:
        for raw in (b"{", b"\xff\xfe", b'{"conversation": "' + KEY.encode() + b'", "message": "a"'):
            status, answer = await post(url, None, {**GOOD, "Content-Type": "application/json"}, raw=raw)
            assert status == 400 and answer["error"] == "bad_request", raw
    assert dialogue.messages == []


async def test_oversized_bodies_and_messages_get_413_and_the_rate_429():
    dialogue = Echo()
    async with serve(WebAppInput(LIMITS, secret=SECRET), dialogue) as url:
        status, answer = await post(url, turn("x" * 101), GOOD)
        assert status == 413 and answer["error"] == "message_too_long" and "100자" in answer["message"]
        status, answer = await post(url, turn(pad="y" * 5000), GOOD)
        assert status == 413 and answer["error"] == "too_large"
        answers = [await post(url, turn(str(i)), GOOD) for i in range(4)]
        assert [s for s, _ in answers] == [200, 200, 200, 429]
        other = {"conversation": "ZZZZZZZZ0000", "message": "x"}
        assert (await post(url, other, GOOD))[0] == 200  # the rate is per conversation
    assert len(dialogue.messages) == 4
    assert {m.sender_id for m in dialogue.messages} == {f"web:{KEY}", "web:ZZZZZZZZ0000"}

"""Where late answers may go (issue 7, findings 3 and 10): the callback policy, the strict
callback client against real loopback servers, and production mode's start-up checks."""

from __future__ import annotations

import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from connectors.kakao.callback import MAX_REPLY_BYTES, post_callback
from connectors.kakao.callback_policy import BlockedAddress, CallbackPolicy, PublicOnlyResolver
from connectors.kakao.config import KakaoConfigError, load_config

ANSWER = {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "민원 답변이에요."}}]}}


class Listener:
    """A loopback HTTP server that records every request and answers as scripted."""

    def __init__(
        self,
        status: int = 200,
        headers: dict[str, str] | None = None,
        body: bytes = b'{"status":"SUCCESS"}',
        body_repeat: int = 1,
    ) -> None:
        self.hits: list[dict[str, Any]] = []
        self.bytes_sent = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                outer.hits.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length) if length else b"",
                    }
                )
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body) * body_repeat))
                self.end_headers()
                try:
                    for _ in range(body_repeat):
                        self.wfile.write(body)
                        outer.bytes_sent += len(body)
                except OSError:  # the client stopped reading: what we want
                    pass

            do_POST = do_GET = _answer

            def log_message(self, *_: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str = "/callback/x") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def listener():
    made: list[Listener] = []

    def make(**kwargs: Any) -> Listener:
        made.append(Listener(**kwargs))
        return made[-1]

    yield make
    for server in made:
        server.close()


def loopback(*servers: Listener) -> CallbackPolicy:
    return CallbackPolicy(hosts=frozenset(f"127.0.0.1:{s.port}" for s in servers), allow_http=True, allow_private=True)


# --- the policy --------------------------------------------------------------------------------------


def test_default_allows_only_kakaos_callback_host_over_https() -> None:
    policy = load_config({}, environ={}, production=False).callback_policy
    assert policy.refusal("https://bot-api.kakao.com/callback/0000-1111") is None
    assert policy.refusal("https://BOT-API.kakao.com./callback/x") is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/cb",
        "https://127.0.0.1/cb",
        "https://localhost/cb",
        "https://[::1]/cb",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.5/cb",
        "https://evil.example/cb",
        "https://bot-api.kakao.com.evil.example/cb",
        "https://evil.example/bot-api.kakao.com",
        "https://bot-api.kakao.com@evil.example/cb",
        "https://user:pw@bot-api.kakao.com/cb",
        "http://bot-api.kakao.com/cb",
        "https://bot-api.kakao.com:8443/cb",
        "ftp://bot-api.kakao.com/cb",
        "https://bot-api.kakao.com:99999/cb",
        "https://bot-api.kakao.com/" + "x" * 3000,
        "",
    ],
)
def test_default_refuses_everything_else(url: str) -> None:
    assert load_config({}, environ={}, production=False).callback_policy.refusal(url)


def test_test_hosts_need_the_port_and_http_is_a_development_switch() -> None:
    env = {"KAKAO_CALLBACK_HOSTS": "127.0.0.1:8765", "KAKAO_CALLBACK_ALLOW_HTTP": "1"}
    development = load_config({}, environ=env, production=False).callback_policy
    assert development.refusal("http://127.0.0.1:8765/callback/a") is None
    assert development.refusal("http://127.0.0.1:8766/callback/a") == "host_not_allowed"
    production = load_config(
        {}, environ={**env, "KAKAO_SKILL_SECRET": "s", "KAKAO_ALLOWED_BOT_IDS": "b"}, production=True
    ).callback_policy
    assert production.refusal("http://127.0.0.1:8765/callback/a") == "scheme"
    assert production.refusal("https://127.0.0.1:8765/callback/a") == "ip_literal"


async def test_names_resolving_to_private_addresses_are_blocked() -> None:
    with pytest.raises(BlockedAddress):
        await PublicOnlyResolver(allow_private=False).resolve("localhost", 443)
    assert await PublicOnlyResolver(allow_private=True).resolve("localhost", 443)


# --- the client ----------------------------------------------------------------------------------------


async def test_a_refused_url_is_never_contacted(listener) -> None:
    server = listener()
    assert not await post_callback(server.url(), ANSWER, time.monotonic() + 2, first_backoff=0.01)
    assert server.hits == []


async def test_a_redirect_is_never_followed(listener) -> None:
    """Finding 10: a 302 from the callback host must not carry the answer to another host."""
    elsewhere = listener()
    redirector = listener(status=302, headers={"Location": elsewhere.url("/stolen")})
    policy = loopback(redirector, elsewhere)  # even a listed second host is not reached by redirect
    assert not await post_callback(redirector.url(), ANSWER, time.monotonic() + 2, first_backoff=0.01, policy=policy)
    assert len(redirector.hits) == 1
    assert elsewhere.hits == []


async def test_reply_is_read_uncompressed_and_capped(listener) -> None:
    bomb = gzip.compress(b"0" * 20_000_000)  # ~20 KB on the wire, 20 MB if inflated
    server = listener(headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}, body=bomb)
    started = time.monotonic()
    assert await post_callback(server.url(), ANSWER, time.monotonic() + 5, policy=loopback(server))
    assert time.monotonic() - started < 5
    [hit] = server.hits
    assert hit["headers"].get("Accept-Encoding") == "identity"


async def test_a_huge_reply_is_not_read_to_the_end(listener) -> None:
    server = listener(body=b"x" * 65536, body_repeat=1600)  # 100 MB
    assert await post_callback(server.url(), ANSWER, time.monotonic() + 5, policy=loopback(server))
    time.sleep(0.2)
    assert server.bytes_sent < 100 * 1024 * 1024
    assert MAX_REPLY_BYTES < 100 * 1024


# --- production mode --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "environ, missing",
    [
        ({}, ["KAKAO_SKILL_SECRET", "KAKAO_ALLOWED_BOT_IDS"]),
        ({"KAKAO_SKILL_SECRET": "s"}, ["KAKAO_ALLOWED_BOT_IDS"]),
        ({"KAKAO_ALLOWED_BOT_IDS": "bot-1"}, ["KAKAO_SKILL_SECRET"]),
    ],
)
def test_production_refuses_to_start_without_secret_and_bot_ids(environ: dict[str, str], missing: list[str]) -> None:
    with pytest.raises(KakaoConfigError) as refused:
        load_config({}, environ=environ, production=True)
    for name in missing:
        assert name in str(refused.value)


def test_production_starts_with_both_and_development_only_warns(caplog) -> None:
    config = load_config({}, environ={"KAKAO_SKILL_SECRET": "s", "KAKAO_ALLOWED_BOT_IDS": "bot-1"}, production=True)
    assert config.checks_secret and config.allowed_bot_ids == {"bot-1"}
    assert not load_config({}, environ={}, production=False).checks_secret
    assert "KAKAO_SKILL_SECRET" in caplog.text


def test_channel_refusal_is_a_one_line_rasa_error(monkeypatch) -> None:
    from rasa.shared.exceptions import RasaException

    from connectors.kakao.channel import KakaoInput

    monkeypatch.setenv("SOTONG_MODE", "production")
    monkeypatch.delenv("KAKAO_SKILL_SECRET", raising=False)
    monkeypatch.delenv("KAKAO_ALLOWED_BOT_IDS", raising=False)
    with pytest.raises(RasaException, match="KAKAO_SKILL_SECRET and KAKAO_ALLOWED_BOT_IDS"):
        KakaoInput.from_credentials({})

"""Callback delivery to a loopback server: retries, refusals, the one-minute deadline."""

import socket
import time

from connectors.kakao.callback import post_callback
from connectors.kakao.callback_policy import CallbackPolicy


def loopback(receiver) -> CallbackPolicy:
    """The policy a development-mode test configures for its loopback receiver."""
    return CallbackPolicy(hosts=frozenset({f"127.0.0.1:{receiver.port}"}), allow_http=True, allow_private=True)


ANSWER = {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "답변이에요."}}]}}


async def test_delivered_first_time(callback_server) -> None:
    receiver = callback_server()
    assert await post_callback(receiver.url(), ANSWER, time.monotonic() + 5, policy=loopback(receiver))
    assert [r["body"] for r in receiver.received] == [ANSWER]


async def test_transient_failures_are_retried_with_backoff(callback_server) -> None:
    receiver = callback_server(statuses=[500, 429, 200])
    assert await post_callback(
        receiver.url(), ANSWER, time.monotonic() + 5, first_backoff=0.05, policy=loopback(receiver)
    )
    times = [r["at"] for r in receiver.received]
    assert [r["status"] for r in receiver.received] == [500, 429, 200]
    assert times[2] - times[1] >= times[1] - times[0] >= 0.05  # back-off grows


async def test_a_refusal_is_not_retried(callback_server) -> None:
    receiver = callback_server(statuses=[400])
    assert not await post_callback(
        receiver.url(), ANSWER, time.monotonic() + 5, first_backoff=0.01, policy=loopback(receiver)
    )
    assert len(receiver.received) == 1


async def test_kakao_fail_status_counts_as_not_delivered(callback_server) -> None:
    receiver = callback_server(kakao_statuses=["FAIL"])
    assert not await post_callback(
        receiver.url(), ANSWER, time.monotonic() + 5, first_backoff=0.01, policy=loopback(receiver)
    )
    assert len(receiver.received) == 1


async def test_gives_up_at_the_deadline(callback_server) -> None:
    receiver = callback_server(statuses=[503] * 100)
    started = time.monotonic()
    assert not await post_callback(receiver.url(), ANSWER, started + 0.5, first_backoff=0.05, policy=loopback(receiver))
    assert time.monotonic() - started < 1.0
    assert 2 <= len(receiver.received) < 100


async def test_unreachable_endpoint_is_retried_until_the_deadline() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    started = time.monotonic()
    policy = CallbackPolicy(hosts=frozenset({f"127.0.0.1:{port}"}), allow_http=True, allow_private=True)
    assert not await post_callback(
        f"http://127.0.0.1:{port}/cb", ANSWER, started + 0.3, first_backoff=0.05, policy=policy
    )
    assert time.monotonic() - started < 1.0

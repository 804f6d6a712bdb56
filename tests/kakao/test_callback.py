"""Callback delivery to a loopback server: retries, refusals, the one-minute deadline."""
import socket
import time


from connectors.kakao.callback import post_callback


ANSWER = {"version": "2.0", "template": {"outputs": [{"simpleText": {"text": "답변이에요."}}]}}


async def test_delivered_first_time(callback_server) -> None:
    receiver = callback_server()
    assert await post_callback(receiver.url(), ANSWER, time.monotonic() + 5)
    assert [r["body"] for r in receiver.received] == [ANSWER]


async def test_transient_failures_are_retried_with_backoff(callback_server) -> None:
    receiver = callback_server(statuses=[500, 429, 200])
    assert await post_callback(receiver.url(), ANSWER, time.monotonic() + 5, first_backoff=0.05)
    times = [r["at"] for r in receiver.received]
    assert [r["status"] for r in receiver.received] == [500, 429, 200]
    assert times[2] - times[1] >= times[1] - times[0] >= 0.05  # back-off grows


async def test_a_refusal_is_not_retried(callback_server) -> None:
    receiver = callback_server(statuses=[400])
    assert not await post_callback(receiver.url(), ANSWER, time.monotonic() + 5, first_backoff=0.01)
    assert len(receiver.received) == 1


async def test_kakao_fail_status_counts_as_not_delivered(callback_server) -> None:
    receiver = callback_server(kakao_statuses=["FAIL"])
    assert not await post_callback(receiver.url(), ANSWER, time.monotonic() + 5, first_backoff=0.01)
    assert len(receiver.received) == 1


async def test_gives_up_at_the_deadline(callback_server) -> None:
    receiver = callback_server(statuses=[503] * 100)
    started = time.monotonic()
    assert not await post_callback(receiver.url(), ANSWER, started + 0.5, first_backoff=0.05)
    assert time.monotonic() - started < 1.0
    assert 2 <= len(receiver.received) < 100


async def test_unreachable_endpoint_is_retried_until_the_deadline() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    started = time.monotonic()
    assert not await post_callback(f"http://127.0.0.1:{port}/cb", ANSWER, started + 0.3, first_backoff=0.05)
    assert time.monotonic() - started < 1.0

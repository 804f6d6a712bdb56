"""Faults of the production stack's own processes (issue 13, item 5): the same Kakao
request delivered to both Rasa replicas, an action server killed mid-turn, a Rasa replica
killed while a resident is half-way through a report. The stack is the package's one
`make run-prod` stack (tests/prod/conftest.py); the killed replica is the last thing.

In each test the resident's complaints and stage messages are counted in the database
afterwards: none lost, none twice.
"""

from __future__ import annotations

import os
import signal
import threading

import pytest
import requests

from connectors.kakao import payloads
from connectors.kakao.request import conversation_id
from devkit.prod_stack import ProdStack
from tests.prod.conftest import Backends
from tests.prod.faults import (
    TEXTS,
    KakaoResident,
    answers,
    assert_filed_once_each,
    frozen,
    refuses_connections,
    wait_for,
    waiting_requests,
)

pytestmark = pytest.mark.e2e


def _in_background(fn) -> tuple[threading.Thread, list]:
    result: list = []
    thread = threading.Thread(target=lambda: result.append(fn()), daemon=True)
    thread.start()
    return thread, result


def _user_turns(stack: ProdStack, user: str, words: str) -> int:
    """How many times the shared tracker store has the resident saying `words`."""
    reply = requests.get(
        f"http://127.0.0.1:{stack.rasa_ports[0]}/conversations/{user}/tracker",
        headers={"Authorization": f"Bearer {stack.token}"},
        timeout=10,
    )
    reply.raise_for_status()
    return sum(1 for e in reply.json()["events"] if e.get("event") == "user" and e.get("text") == words)


@pytest.mark.timeout(1500)  # the stack's first start is part of the first test of the package
def test_the_same_request_on_both_replicas_runs_the_dialogue_once(prod_stack: ProdStack, prod_backends: Backends):
    stack, resident = prod_stack, KakaoResident(prod_stack, "twice")
    first_port, second_port = stack.rasa_ports
    body = resident.request("무단투기 신고할게요")  # its first turn calls an action server
    actions = [stack.action_server_pid(port) for port in stack.action_ports]
    # Kakao re-sends a request only while the first is unanswered: hold the first one on the
    # action servers until the copy, sent to the other replica, has arrived.
    with frozen(actions):
        first, first_answer = _in_background(lambda: stack.kakao(body, replica=first_port))
        wait_for(lambda: any(waiting_requests(p) for p in stack.action_ports), 5, "the first turn at an action server")
        second, second_answer = _in_background(lambda: stack.kakao(body, replica=second_port))
        second.join(1.0)  # it waits for the first replica's answer (Redis ledger), not its own
        assert second.is_alive(), f"the copy was answered on its own: {second_answer}"
    first.join(10)
    second.join(10)
    assert first_answer and second_answer, "both deliveries get an answer"
    assert payloads.response_texts(second_answer[0]) == payloads.response_texts(first_answer[0])
    assert "어디" in payloads.response_texts(first_answer[0])  # the report asks where
    assert _user_turns(stack, conversation_id(resident.user), "무단투기 신고할게요") == 1  # the dialogue ran once
    # The report goes on as usual, once.
    assert "어떤 상황인가요" in resident.say("서곶로 77 앞이에요")
    assert "이대로 접수할까요" in resident.say("음식물 쓰레기가 버려져 있어요")
    assert "접수번호" in resident.say("네")
    assert_filed_once_each(prod_backends.database_url, resident.user, complaints=1)


@pytest.mark.timeout(300)
def test_an_action_server_killed_mid_turn(prod_stack: ProdStack, prod_backends: Backends):
    stack, resident = prod_stack, KakaoResident(prod_stack, "actions")
    resident.start_report()
    pids = {port: stack.action_server_pid(port) for port in stack.action_ports}
    # "네" is sent while both action servers are stopped; the one nginx gave the filing to is
    # killed with the request unread, the other one let go: a crash in the middle of the turn.
    with frozen(list(pids.values())):
        turn, answer = _in_background(lambda: resident.say("네"))
        victim = wait_for(
            lambda: next((port for port in pids if waiting_requests(port)), None), 5, "the filing at an action server"
        )
        os.kill(pids[victim], signal.SIGKILL)
    turn.join(10)
    assert answer, "the resident got no answer"
    assert TEXTS.action_failed in answer[0], answer[0]  # told, politely, to say it again
    assert "접수번호" in resident.say("네")  # the next turn works (the other action server)
    assert_filed_once_each(prod_backends.database_url, resident.user, complaints=1)

    # The supervisor brings the killed one back.
    def restarted() -> bool:
        try:
            return stack.action_server_pid(victim) != pids[victim]
        except LookupError:  # between the crash and the supervisor's restart
            return False

    wait_for(restarted, 30, "a new action server process", every=0.5)
    wait_for(lambda: answers(f"http://127.0.0.1:{victim}/health"), 120, "the action server answering again", every=1)


@pytest.mark.timeout(300)
def test_a_report_continues_on_the_other_replica_when_one_is_killed_half_way(
    prod_stack: ProdStack, prod_backends: Backends
) -> None:
    stack, resident = prod_stack, KakaoResident(prod_stack, "replica")
    resident.say("무단투기 신고할게요")
    assert "어떤 상황인가요" in resident.say("서곶로 77 앞이에요")
    served = stack.last_kakao_upstream()

    os.kill(stack.replica_pid(served), signal.SIGKILL)  # no goodbye: as a crash or an OOM kill
    # The resident's next message comes after the crash, not during the kernel's teardown of the
    # process: a request nginx hands it then is reset, and nginx never re-sends a POST (a 502).
    wait_for(lambda: refuses_connections(served), 10, "the killed replica gone")

    summary = resident.say("음식물 쓰레기가 버려져 있어요")
    assert stack.last_kakao_upstream() != served  # nginx moved on to the other replica...
    assert "이대로 접수할까요" in summary and "서곶로 77 앞" in summary  # ...which had the whole form
    assert "접수번호" in resident.say("네")
    assert_filed_once_each(prod_backends.database_url, resident.user, complaints=1)  # filed once, by one replica

"""web/chat_history.py (tracker events → the chat the page draws) and web/chat.py's turn ledger."""

from __future__ import annotations

import asyncio

from web.chat import TurnLedger
from web.chat_history import bot_messages, history, replies_to

BUTTONS = [{"title": "네, 접수해 주세요", "payload": "/affirm"}, {"title": "주소 고치기", "payload": "/edit"}]
EVENTS = [
    {"event": "action", "name": "action_session_start"},
    {"event": "session_started"},
    {"event": "user", "text": "무단투기 신고할게요", "message_id": "m1", "timestamp": 1.0},
    {"event": "bot", "text": "어디인가요?\n\n도로명으로 알려 주세요.", "data": {}, "timestamp": 2.0},
    {"event": "user", "text": "서곶로 1", "message_id": "m2", "timestamp": 3.0},
    {"event": "bot", "text": "이대로 접수할까요?", "data": {"buttons": BUTTONS}, "timestamp": 4.0},
    {"event": "user", "text": "/affirm", "message_id": "m3", "timestamp": 5.0},
    {"event": "bot", "text": "접수됐어요", "data": {"custom": {"card": {"title": "접수증"}}}, "timestamp": 6.0},
    {"event": "user", "text": "/restart_everything", "message_id": "m4", "timestamp": 7.0},
]


def test_bot_events_become_the_messages_the_channel_returns_live():
    assert bot_messages(EVENTS[3]) == [{"text": "어디인가요?"}, {"text": "도로명으로 알려 주세요."}]
    assert bot_messages(EVENTS[5]) == [{"text": "이대로 접수할까요?", "buttons": BUTTONS}]
    assert bot_messages(EVENTS[7]) == [{"text": "접수됐어요"}, {"custom": {"card": {"title": "접수증"}}}]
    assert bot_messages({"event": "bot", "data": {"image": "https://x/y.png"}}) == [{"image": "https://x/y.png"}]
    assert bot_messages({"event": "bot", "text": "고르세요", "data": {"quick_replies": BUTTONS}}) == [
        {"text": "고르세요", "buttons": BUTTONS}
    ]


def test_history_shows_tapped_titles_and_drops_payloads_nobody_saw():
    entries = history(EVENTS)
    users = [e["text"] for e in entries if e["from"] == "user"]
    assert users == ["무단투기 신고할게요", "서곶로 1", "네, 접수해 주세요"]
    assert entries[0] == {"from": "user", "at": 1.0, "text": "무단투기 신고할게요", "message_id": "m1"}
    assert len(history(EVENTS, limit=2)) == 2 and history(EVENTS, limit=2)[-1]["custom"]


def test_the_answer_to_a_message_id_is_found_in_the_tracker():
    assert replies_to(EVENTS, "m2") == [{"text": "이대로 접수할까요?", "buttons": BUTTONS}]
    assert replies_to(EVENTS, "m4") == []
    assert replies_to(EVENTS, "never-sent") is None


async def test_the_ledger_joins_a_retry_to_the_running_turn_and_runs_it_once():
    ledger = TurnLedger()
    runs = []

    async def turn(n):
        runs.append(n)
        await asyncio.sleep(0.01)
        return [{"text": f"answer {n}"}]

    first = ledger.task(("web:a", "id1"), turn(1))
    second = ledger.task(("web:a", "id1"), turn(2))  # the retry: never started
    assert first is second
    assert await first == [{"text": "answer 1"}] and runs == [1]
    assert await ledger.task(("web:b", "id1"), turn(3)) == [{"text": "answer 3"}]  # another resident
    ledger.forget(("web:a", "id1"))
    assert await ledger.task(("web:a", "id1"), turn(4)) == [{"text": "answer 4"}]


async def test_the_ledger_is_bounded_but_never_drops_a_running_turn():
    ledger = TurnLedger(size=2, ttl=60)
    gate = asyncio.Event()

    async def slow():
        await gate.wait()
        return []

    async def quick():
        return []

    running = ledger.task(("c", "slow"), slow())
    for n in range(5):
        await ledger.task(("c", f"q{n}"), quick())
    assert ledger.task(("c", "slow"), quick()) is running
    assert len(ledger._turns) <= 3
    gate.set()
    await running

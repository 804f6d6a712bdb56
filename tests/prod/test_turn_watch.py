"""The KakaoTalk channel's watch on what went wrong inside Rasa during a turn
(connectors/kakao/turn_watch.py), without a stack: turns at once, each sees only its
own trouble. (A connector unit test; it lives beside the fault tests that rely on it,
tests/prod/test_failover.py and test_backends_down.py.)"""

from __future__ import annotations

import asyncio
import logging

from connectors.kakao.turn_watch import (
    PROCESSOR_LOGGER,
    TRACKER_STORE_LOGGER,
    TurnTrouble,
    install_turn_watch,
    watching_turn,
)


async def _turn(logger: str | None, line: str = "") -> TurnTrouble:
    with watching_turn() as trouble:
        await asyncio.sleep(0)
        if logger:
            logging.getLogger(logger).error(line)
        await asyncio.sleep(0.01)
    return trouble


def test_each_turn_sees_only_its_own_trouble(caplog) -> None:
    install_turn_watch()
    install_turn_watch()  # idempotent: one watch however many channels start

    async def three_at_once():
        return await asyncio.gather(
            _turn(  # Rasa 3.6's own words (rasa/core/processor.py, rasa/core/tracker_store.py)
                PROCESSOR_LOGGER,
                "Encountered an exception while running action 'action_file_report'."
                "Bot will continue, but the actions events are lost. ",
            ),
            _turn(None),
            _turn(
                TRACKER_STORE_LOGGER,
                "Error happened when trying to retrieve conversation tracker from 'SQLTrackerStore'. "
                "Falling back to use the 'InMemoryTrackerStore'.",
            ),
        )

    with caplog.at_level(logging.ERROR):
        action, calm, store = asyncio.run(three_at_once())
    assert action == TurnTrouble(failed_actions=["action_file_report"])  # once, though installed twice
    assert calm == TurnTrouble()
    assert store == TurnTrouble(tracker_store_down=True)
    assert "Encountered an exception" in caplog.text  # Rasa's lines are still logged

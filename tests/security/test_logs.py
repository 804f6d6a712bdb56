"""Issue 7, finding 6 (logs): no phone number reaches a log line in full, in any process.

A stack at DEBUG level (what an operator turns on to diagnose, and where Rasa prints every
user message, slot and tracker) hears residents give their numbers; then every log of the
run is searched for an unmasked number.
"""

from __future__ import annotations

import logging

import pytest

from sotong import logmask
from tests.e2e.stack import RasaStack
from tests.security.probes import UNMASKED_PHONE

PHONES = ("010-2345-6789", "01087654321")


@pytest.fixture(scope="module")
def debug_stack(tmp_path_factory):
    stack = RasaStack(tmp_path_factory.mktemp("debug-stack"), extra_env={"LOG_LEVEL": "DEBUG"}).start()
    yield stack
    stack.stop()


@pytest.mark.e2e
def test_no_unmasked_phone_number_in_any_log_of_the_run(debug_stack):
    sender = "log-probe"
    debug_stack.say(sender, "알림톡 받기")
    debug_stack.say(sender, PHONES[0])
    debug_stack.say(sender, f"{PHONES[1]}로 연락 주세요")
    debug_stack.say(sender, "무단투기 신고할게요")
    debug_stack.say(sender, f"청라동 123 앞에 쓰레기 버려져 있어요 제 번호는 {PHONES[1]}")
    logs = sorted(debug_stack.workdir.glob("*.log"))
    assert {p.name for p in logs} >= {"rasa.log", "actions.log"}
    text = "\n".join(p.read_text(errors="replace") for p in logs)
    assert "2345" in text or "010-****-6789" in text, "the probe's messages never reached the logs"
    leaks = sorted({m.group(0) for m in UNMASKED_PHONE.finditer(text)})
    assert not leaks


def test_masking_applies_to_handlers_added_after_install(capsys):
    # Rasa and Sanic add their handlers after our entry points run: they must see masked text.
    logmask.install()
    logger = logging.getLogger("tests.security.late_handler")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("consent from %s", "010-1234-5678")
        try:
            raise ValueError("bad number 01012345678")
        except ValueError:
            logger.exception("failed for %s", "01012345678")
    finally:
        logger.removeHandler(handler)
    err = capsys.readouterr().err
    assert "010-****-5678" in err
    assert not UNMASKED_PHONE.search(err)

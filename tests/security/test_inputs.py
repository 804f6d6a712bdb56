"""Input bounds in the dialogue, probed through the real servers (issue 7, finding 5).

- what a resident typed is shown exactly as typed, even when it looks like Rasa's
  template syntax ("0[3]" made Rasa show the raw "{report_address}" template);
- an intent shorthand carrying a JSON object, a list, a number or a too-long string
  where a word belongs gets a clear Korean answer (200), not a 500 whose error reply
  and log lines carried the whole tracker;
- a photo link from anywhere but the channel's media hosts is refused.
"""

from __future__ import annotations

import json
import re
import uuid

import pytest
import requests

from tests.e2e.stack import texts

pytestmark = pytest.mark.e2e
HANGUL = re.compile(r"[가-힣]")


def _sender(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _post(stack, sender: str, message: str) -> requests.Response:
    return requests.post(
        f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message}, timeout=60
    )


@pytest.mark.parametrize(
    "typed",
    [
        "박스 0[3]개가 버려져 있어요",
        "누가 {report_address} 라고 써 붙이고 {} 옆에 쓰레기를 버렸어요",
        "쓰레기 {0[report_address]} 와 {{category_name}} 0[",
    ],
)
def test_a_residents_words_are_shown_exactly_as_typed(rasa_stack, typed):
    me = _sender("literal")
    say = lambda text: texts(rasa_stack.say(me, text))  # noqa: E731
    assert "어디인가요" in say("무단투기 신고할게요")
    assert "어떤 상황인가요" in say("서곶로 123 앞이에요")
    summary = say(typed)
    assert "이대로 접수할까요" in summary
    assert f"• 내용: {typed}\n" in summary
    assert "• 위치: 서곶로 123 앞\n" in summary and "• 민원 종류: 무단투기 (담당: 자원순환과)\n" in summary
    say("/deny")  # nothing filed


BAD_SHORTHANDS = {
    "object as address": '/report_illegal_dumping{"address": {"a": 1}}',
    "list as address": '/report_illegal_dumping{"address": ["서곶로 1", "2"]}',
    "number as photo": '/inform{"photo_url": 12}',
    "object as receipt": '/check_complaint_status{"complaint_id": {"a": 1}}',
    "list as dong": '/ask_waste_bag_vendor{"dong": ["청라동"]}',
    "the issue's example": '/report_dumping{"report_address": {"a": 1}}',
    "1500 characters as address": "/report_illegal_dumping" + json.dumps({"address": "가" * 1500}, ensure_ascii=False),
}


@pytest.mark.parametrize("name", sorted(BAD_SHORTHANDS))
def test_a_shorthand_with_a_bad_value_gets_a_korean_answer(rasa_stack, name):
    me = _sender("shorthand")
    log = rasa_stack.log("actions")
    seen = log.stat().st_size if log.exists() else 0
    reply = _post(rasa_stack, me, BAD_SHORTHANDS[name])
    assert reply.status_code == 200, reply.text[:500]
    said = texts(reply.json())
    assert HANGUL.search(said), said
    # ...and the conversation goes on afterwards
    assert HANGUL.search(texts(rasa_stack.say(me, "/deny")))
    new_log = log.read_text(errors="replace")[seen:] if log.exists() else ""
    assert "Traceback" not in new_log and "Exception occurred" not in new_log, new_log[-3000:]
    assert me not in new_log  # a tracker dump would name the sender


def test_a_bad_object_never_reaches_the_summary(rasa_stack):
    me = _sender("object")
    said = texts(_post(rasa_stack, me, '/report_illegal_dumping{"address": {"a": 1}}').json())
    assert "{'a': 1}" not in said and "이해하지 못했어요" in said
    texts(rasa_stack.say(me, "/deny"))


def test_a_photo_from_another_host_is_refused(rasa_stack):
    me = _sender("photo")
    say = lambda text: texts(rasa_stack.say(me, text))  # noqa: E731
    say("무단투기 신고할게요")
    said = say('/inform{"photo_url": "https://evil.example/tracker.jpg"}')
    assert "붙일 수 없어요" in said
    say("서곶로 123 앞이에요")
    summary = say("쓰레기봉투가 쌓여 있어요")
    assert "• 사진: 없음\n" in summary
    assert "evil.example" not in summary
    say("/deny")

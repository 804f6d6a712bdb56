"""A resident's whole complaint journey through the real servers' REST channel, an
officer working it with the CLI, and every stage message reaching a fake 알림톡
provider (a real HTTP server on loopback) — through one outage and its recovery."""

from __future__ import annotations

import json
import re
import subprocess
import uuid

import pytest

from tests.core.fake_alimtalk import FakeAlimtalkProvider
from tests.e2e.stack import BIN, ROOT, texts

pytestmark = pytest.mark.e2e
RECEIPT = re.compile(r"(?<![0-9A-Z])([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})(?![0-9A-Z])")


@pytest.fixture
def provider():
    with FakeAlimtalkProvider() as fake:
        yield fake


def sotong(stack, *args, provider=None, check=True) -> str:
    env = dict(stack.env)
    if provider is not None:
        env.update(provider.env())
    done = subprocess.run(
        [str(BIN / "python"), "-m", "sotong.cli", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def code_sent_to(provider, digits: str) -> str:
    codes = [
        r["body"]["recipientList"][0]["templateParameter"]["code"]
        for r in provider.requests
        if r["body"].get("templateCode") == "SOTONG_VERIFY_01"
        and r["body"]["recipientList"][0]["recipientNo"] == digits
    ]
    assert codes, "no verification code reached the provider"
    return codes[-1]


def verify_number(stack, provider, say, phone="010-1234-5678") -> None:
    assert "보관 기간" in say("알림톡 받기")
    asked = say(phone)
    assert "인증번호" in asked and "010-****-" in asked and phone not in asked
    sotong(stack, "notifications", "deliver", provider=provider)  # what the worker does every few seconds
    code = code_sent_to(provider, phone.replace("-", ""))
    wrong = "000000" if code != "000000" else "111111"
    assert "맞지 않아요" in say(wrong)
    assert "번호를 확인했어요" in say(code)
    provider.requests.clear()  # from here on the provider sees only stage messages
    provider.accepted.clear()


def events_in_db(stack, conversation_suffix: str) -> list:
    from sqlalchemy import create_engine, text

    engine = create_engine(stack.env["DATABASE_URL"], future=True)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text("SELECT sender_id, data FROM events WHERE sender_id LIKE :id"),
                    {"id": f"%{conversation_suffix}"},
                ).all()
            )
    finally:
        engine.dispose()


def test_alimtalk_stop_removes_the_number_from_the_tracker_store(rasa_stack, provider):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    say = lambda text: texts(rasa_stack.say(me, text))  # noqa: E731
    verify_number(rasa_stack, provider, say, phone="010-2468-1357")
    assert "지웠어요" in say("알림톡 그만")
    rows = events_in_db(rasa_stack, me)
    assert rows, "the conversation is not in the tracker store"
    stored = "\n".join(data for _, data in rows)
    api = json.dumps(rasa_stack.tracker(rows[0][0]), ensure_ascii=False)
    for where in (stored, api):
        for form in ("010-2468-1357", "01024681357", "2468-1357", "24681357"):
            assert form not in where
    assert "알림톡 그만" in api  # it is the same conversation


def test_file_correct_track_and_complete_with_every_notification(rasa_stack, provider):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    say = lambda text: texts(rasa_stack.say(me, text))  # noqa: E731

    # Consent first: the notice says why and for how long; the number is verified with a code.
    verify_number(rasa_stack, provider, say)

    # Filing: four resident turns from intent to receipt number. The stack is shared with other
    # test modules (browser tests file complaints too), so count what this resident adds.
    filed_before = len(RECEIPT.findall(sotong(rasa_stack, "complaints", "list")))
    turns = ["무단투기 신고할게요", "서곶로 123 앞이에요", "쓰레기봉투가 일주일째 쌓여서 냄새가 나요", "네"]
    replies = [say(t) for t in turns]
    assert "어디인가요" in replies[0]
    assert "어떤 상황인가요" in replies[1]
    assert "이대로 접수할까요" in replies[2] and "서곶로 123 앞" in replies[2]
    receipt = RECEIPT.search(replies[3]).group(1)
    assert "민원이 접수됐어요" in replies[3]

    # A double tap of "네" files nothing more.
    say("네")
    assert sotong(rasa_stack, "complaints", "list").count(receipt) == 1
    assert len(RECEIPT.findall(sotong(rasa_stack, "complaints", "list"))) == filed_before + 1

    # Correct the address without re-authenticating; it shows in the history.
    assert "정확한 위치" in say("주소를 잘못 썼어요 고칠래요")
    assert "서곶로 125 앞" in say("서곶로 125 앞이에요")

    # A stranger's look-up of that receipt reads exactly like an unknown number's.
    stranger = f"stranger-{uuid.uuid4().hex[:8]}"
    theirs = texts(rasa_stack.say(stranger, f"{receipt} 조회해 주세요"))
    unknown = texts(rasa_stack.say(stranger, "ZZZZ-2222 조회해 주세요"))
    assert theirs == unknown and "찾지 못했어요" in theirs
    assert "찾지 못했어요" in texts(rasa_stack.say(stranger, f"{receipt} 취소해 주세요"))

    # The officer works it through every stage.
    sotong(rasa_stack, "complaints", "assign", receipt, "--department", "cleaning", "--actor", "e2e")
    sotong(rasa_stack, "complaints", "assign", receipt, "--officer", "cleaning-kim", "--actor", "e2e")
    sotong(rasa_stack, "complaints", "advance", receipt, "on_site_check", "--actor", "e2e", "--note", "출동")

    # Once on site the address can no longer be changed from the chat.
    assert "현장 확인이 시작돼서" in say("주소를 또 고칠래요")

    # The resident's next message shows what happened meanwhile, then the answer.
    detail = say("내 민원 어떻게 됐어요?")
    assert "자원순환과로 배정됐습니다" in detail and "김서진" in detail and "현장 확인 중입니다" in detail
    assert "처리 기한" in detail and receipt in detail
    assert "내용 수정" in detail  # the resident's correction is in the timeline

    # 알림톡 provider down: nothing is lost, the messages wait.
    provider.mode = "down"
    out = sotong(rasa_stack, "notifications", "deliver", provider=provider)
    assert "to retry later" in out and not provider.accepted

    sotong(rasa_stack, "complaints", "advance", receipt, "under_review", "--actor", "e2e")
    sotong(rasa_stack, "complaints", "advance", receipt, "completed", "--actor", "e2e", "--note", "수거 완료")

    # Back up: every stage message is delivered, once each.
    provider.mode = "up"
    sotong(rasa_stack, "notifications", "deliver", "--retry-now", provider=provider)
    sent = [body["recipientList"][0]["templateParameter"] for body in provider.accepted.values()]
    codes = sorted(body["templateCode"] for body in provider.accepted.values())
    assert all(p.get("receipt_no") == receipt for p in sent)
    for code in ("RECEIVED", "ASSIGNED", "OFFICER", "ONSITE", "REVIEW", "DONE"):
        assert any(code in c for c in codes), codes
    assert {body["recipientList"][0]["recipientNo"] for body in provider.accepted.values()} == {"01012345678"}

    # In the chat too, and completion stops corrections and cancelling.
    final = say("안녕하세요")
    assert "현재 심사 중입니다" in final and "처리 완료됐습니다" in final
    assert "취하할 수 없어요" in say(f"{receipt} 민원 취소할게요")


def test_everything_in_one_message_needs_only_the_confirmation(rasa_stack):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    first = texts(rasa_stack.say(me, "청라역 앞에 흰색 승용차가 이틀째 불법주차 돼 있어요 신고해 주세요"))
    assert "이대로 접수할까요" in first and "청라역 앞" in first and "불법주정차" in first
    done = texts(rasa_stack.say(me, "네"))
    assert RECEIPT.search(done) and "교통지도과" in done


def test_cancel_with_confirmation_and_no_at_the_summary(rasa_stack):
    me = f"resident-{uuid.uuid4().hex[:8]}"
    for text in ("무단투기 신고", "가정로 45 앞", "음식물 쓰레기가 버려져 있어요"):
        rasa_stack.say(me, text)
    receipt = RECEIPT.search(texts(rasa_stack.say(me, "네"))).group(1)
    assert f"{receipt} 민원을 취하할까요" in texts(rasa_stack.say(me, "신고 취소할래요"))
    assert "취하했어요" in texts(rasa_stack.say(me, "네"))
    assert "취하" in sotong(rasa_stack, "complaints", "show", receipt)

    for text in ("불법주차 신고할게요", "서곶로 10", "차가 인도에 있어요"):
        rasa_stack.say(me, text)
    assert "접수하지 않았어요" in texts(rasa_stack.say(me, "아니요"))

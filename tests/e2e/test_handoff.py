"""Live handoff through a real Rasa and action server, worked from the real console.

The action server's clock is fixed on a Tuesday morning (SOTONG_HANDOFF_NOW, honoured
outside production only), so the test runs the same on a weekend or at night:
the resident asks for a person → a waiting request and a paused bot; the officer claims
and writes from the console → the line is in the tracker; the resident's message while
an officer holds the conversation gets no bot answer; hand back → the bot answers again.
"""

from __future__ import annotations

import uuid

import pytest
import requests

import sotong.handoff.models  # noqa: F401  (until sotong.db.import_models lists it)
from sotong.db import dispose_engine, get_engine, session_scope
from sotong.faq import load_catalogue
from sotong.handoff import queue
from sotong.settings import load_settings
from sotong.staff import accounts
from tests.e2e.stack import RasaStack, texts
from tests.web.conftest import serve
from tests.web.console.conftest import PASSWORD, ConsoleClient, build_app
from web.console.handoff import router as handoff_router

pytestmark = pytest.mark.e2e

TUESDAY_MORNING = "2026-12-01T10:00:00"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = RasaStack(tmp_path_factory.mktemp("handoff"), extra_env={"SOTONG_HANDOFF_NOW": TUESDAY_MORNING})
    stack.start()
    yield stack
    stack.stop()


def tracker(stack: RasaStack, conversation: str) -> dict:
    return stack.tracker(conversation)  # "rest:…" as is: Sanic does not decode %3A in a path


def test_an_officer_takes_over_and_hands_back(stack, monkeypatch):
    url = stack.env["DATABASE_URL"]
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SOTONG_RASA_URL", stack.rasa_url)
    monkeypatch.setenv("SOTONG_RASA_TOKEN", stack.token)
    engine = get_engine(url)
    with session_scope(engine) as s:
        accounts.create_account(s, "kim", PASSWORD, role="officer", department="civil")

    me = f"resident-{uuid.uuid4().hex[:8]}"
    conversation = f"rest:{me}"
    asked = texts(stack.say(me, "상담원 연결해 주세요"))
    assert "연결을 요청했어요" in asked, asked
    assert tracker(stack, conversation)["paused"] is True
    with session_scope(engine) as s:
        request = queue.current(s, conversation)
    assert request is not None and request.state == "waiting" and not request.callback
    assert "상담원 연결해 주세요" in request.summary

    app = build_app()
    app.include_router(handoff_router)
    with serve(app) as base:
        kim = ConsoleClient(base).signed_in("kim")
        assert f"/console/handoff/{request.id}" in kim.get("/console/handoff").text
        kim.get(f"/console/handoff/{request.id}")
        assert kim.post(f"/console/handoff/{request.id}/claim", {"csrf_token": kim.csrf}).status_code == 303
        kim.get(f"/console/handoff/{request.id}")
        line = "안녕하세요, 민원여권과 직원이에요. 무엇을 도와드릴까요?"
        assert kim.post(f"/console/handoff/{request.id}/say", {"csrf_token": kim.csrf, "text": line}).status_code == 303
        events = tracker(stack, conversation)["events"]
        officer = [e for e in events if e["event"] == "bot" and e.get("text") == line]
        assert officer and officer[0]["data"]["custom"]["kind"] == "officer"

        # while the officer holds it, the bot says nothing, but the words are kept for the officer
        assert stack.say(me, "여권 재발급 서류가 궁금해요") == []
        assert "여권 재발급 서류가 궁금해요" in kim.get(f"/console/handoff/{request.id}").text

        assert kim.post(f"/console/handoff/{request.id}/close", {"csrf_token": kim.csrf}).status_code == 303
    assert tracker(stack, conversation)["paused"] is False
    greeted = texts(stack.say(me, "안녕하세요"))
    assert "안녕하세요!" in greeted and "연결을 요청했어요" not in greeted, greeted  # the bot is back, not re-queued
    with session_scope(engine) as s:
        assert queue.current(s, conversation) is None
    dispose_engine(url)


def one_line(text: str) -> str:
    return " ".join(text.split())


def crisis_answer() -> str:
    catalogue = load_catalogue(load_settings().district_dir)
    return one_line(catalogue.topic("mental_health_center").answer)[:60]


def test_urgent_words_while_waiting_are_answered_and_put_the_request_first(stack, monkeypatch):
    """Paused for an officer, Rasa runs no action; the channel answers urgent words itself
    (connectors/paused_urgent.py) and the request leads the console's queue. Ordinary words
    stay unanswered, and the conversation stays paused for the officer."""
    url = stack.env["DATABASE_URL"]
    engine = get_engine(url)
    with session_scope(engine) as s:
        accounts.create_account(s, "park", PASSWORD, role="officer", department="civil")
        park = accounts.principal_of(accounts.find_account(s, "park"))
    earlier = f"resident-{uuid.uuid4().hex[:8]}"
    assert "연결을 요청했어요" in texts(stack.say(earlier, "상담원 연결해 주세요"))
    me = f"resident-{uuid.uuid4().hex[:8]}"
    conversation = f"rest:{me}"
    assert "연결을 요청했어요" in texts(stack.say(me, "직원이랑 얘기하고 싶어요"))
    assert stack.say(me, "아직인가요") == []

    said = one_line(texts(stack.say(me, "너무 힘들어서 죽고 싶어요")))
    assert crisis_answer() in said, said
    assert "급한 요청으로 표시" in said
    assert tracker(stack, conversation)["paused"] is True  # the officer still takes it
    with session_scope(engine) as s:
        queued = queue.list_open(s, park)
    mine = [r for r in queued if r.conversation_id == conversation]
    assert mine and mine[0].urgent_at is not None and queued[0].id == mine[0].id, queued
    assert stack.say(me, "기다릴게요") == []  # ordinary words: still nothing from the bot

    monkeypatch.setenv("DATABASE_URL", url)
    app = build_app()
    app.include_router(handoff_router)
    with serve(app) as base:
        console = ConsoleClient(base).signed_in("park")
        page = console.get("/console/handoff").text
        assert "긴급" in page and page.index(f"/console/handoff/{mine[0].id}") < page.index(f"/handoff/{queued[1].id}")
        assert console.get("/console/handoff/feed").json()["rows"][0]["urgent_at"]
    dispose_engine(url)


def test_asking_for_a_person_in_a_crisis_gets_the_lines_and_the_person(stack):
    """Urgent words outrank the intent (sotong/nlu/urgent.py); when the classifier read a request
    for a person, action_answer_faq queues one too, after the crisis lines, marked urgent."""
    me = f"resident-{uuid.uuid4().hex[:8]}"
    said = one_line(texts(stack.say(me, "상담원 연결해 주세요 죽고 싶어요")))
    assert said.count(crisis_answer()) == 1 and "연결을 요청했어요" in said, (
        said
    )  # answered once, not again by the channel
    assert said.index(crisis_answer()) < said.index("연결을 요청했어요")
    assert tracker(stack, f"rest:{me}")["paused"] is True
    engine = get_engine(stack.env["DATABASE_URL"])
    with session_scope(engine) as s:
        assert queue.current(s, f"rest:{me}").urgent_at is not None
    dispose_engine(stack.env["DATABASE_URL"])


KAKAO_CREDENTIALS = """\
connectors.rest.SafeRestInput:

connectors.kakao.KakaoInput:
  secret_header_name: "X-Kakao-Skill-Secret"
  reply_deadline_seconds: 4.5
  max_body_bytes: 65536
"""


def test_kakao_resident_sees_the_officers_lines_on_the_next_message(tmp_path):
    from connectors.kakao import payloads

    credentials = tmp_path / "credentials.yml"
    credentials.write_text(KAKAO_CREDENTIALS, encoding="utf-8")
    kakao = RasaStack(tmp_path / "stack", credentials=credentials, extra_env={"SOTONG_HANDOFF_NOW": TUESDAY_MORNING})
    kakao.start()
    try:
        engine = get_engine(kakao.env["DATABASE_URL"])
        with session_scope(engine) as s:
            accounts.create_account(s, "kim", PASSWORD, role="officer", department="civil")
            kim = accounts.principal_of(accounts.find_account(s, "kim"))

        def ask(text: str) -> str:
            reply = requests.post(
                kakao.rasa_url + "/webhooks/kakao/webhook",
                json=payloads.skill_request(text, "kakao-user-1"),
                headers={"X-Kakao-Skill-Secret": kakao.kakao_secret},
                timeout=15,
            )
            assert reply.status_code == 200, reply.text
            return payloads.response_texts(reply.json())

        assert "연결을 요청했어요" in ask("상담원 연결해 주세요")
        with session_scope(engine) as s:
            request = queue.current(s, "kakao:kakao-user-1")
            queue.claim(s, kim, request.id)
            queue.say(s, kim, request.id, "민원여권과예요. 어떤 서류가 필요하세요?")
        shown = ask("여권 재발급이요")  # paused: the bot says nothing, the officer's line is shown
        assert "민원여권과예요. 어떤 서류가 필요하세요?" in shown
        again = ask("감사합니다")
        assert "민원여권과예요" not in again  # shown once
        # paused, the channel still answers urgent words (connectors/paused_urgent.py)
        assert crisis_answer() in one_line(ask("그냥 죽고싶어요"))
        with session_scope(engine) as s:
            assert queue.current(s, "kakao:kakao-user-1").urgent_at is not None
        dispose_engine(kakao.env["DATABASE_URL"])
    finally:
        kakao.stop()

"""The inbox read from the tracker store a real Rasa server wrote (the session's ``rasa_stack``,
the trained model, its own SQLite database): residents chat over the REST channel, and the
messages the bot did not get — a fallback, a request for a person, a report left half-way —
are in the inbox with the real parse data; one is taught (on a copy of the project files)
and leaves it. The event shapes here are Rasa's own, not the ones the unit tests write."""

from __future__ import annotations

# ruff: noqa: F811  (the fixtures imported from teach_kit are parameters here)
import uuid
from datetime import datetime, timedelta, timezone

import pytest

import sotong.staff.models  # noqa: F401
from sotong.db import get_engine, session_scope
from sotong.staff import accounts
from sotong.studio import inbox, teach
from sotong.studio.project import Project
from tests.studio.teach_kit import PASSWORD, project_copy  # noqa: F401


@pytest.fixture
def stack_db(rasa_stack, monkeypatch):
    url = rasa_stack.env["DATABASE_URL"]
    monkeypatch.setenv("DATABASE_URL", url)
    return get_engine(url)


def groups_for(engine, senders: set[str], now: datetime | None = None) -> list[inbox.InboxGroup]:
    """Only this test's conversations (the stack is shared with other tests)."""
    with session_scope(engine) as s:
        found = [m for m in inbox.messages(s, inbox.InboxSettings(), Project().required_slots(), now=now)]
    return inbox.grouped([m for m in found if m.conversation_id in senders])


def test_real_conversations_fill_the_inbox_and_teaching_empties_it(rasa_stack, stack_db, project_copy):
    tag = uuid.uuid4().hex[:8]
    weather, person, report, fine = (f"studio-{k}-{tag}" for k in ("weather", "person", "report", "fine"))
    rasa_stack.say(weather, "오늘 날씨 어때 우주선 타고 싶다")
    rasa_stack.say(person, "상담원 연결해 주세요")
    rasa_stack.say(report, "무단투기 신고할게요")
    rasa_stack.say(report, "음 잠깐만요 생각 좀 해볼게요 뭐였더라")
    rasa_stack.say(fine, "여권 발급 필요서류")
    senders = {f"rest:{s}" for s in (weather, person, report, fine)}

    now = groups_for(stack_db, senders)
    texts = {g.text: g for g in now}
    assert "여권 발급 필요서류" not in texts  # understood
    assert "fallback" in texts["오늘 날씨 어때 우주선 타고 싶다"].reasons
    assert "handoff" in texts["상담원 연결해 주세요"].reasons
    # the report is still going: abandoned only once the resident has been away a while
    later = groups_for(stack_db, senders, now=datetime.now(timezone.utc) + timedelta(hours=2))
    left = [g for g in later if "abandoned_form" in g.reasons]
    assert [g.forms for g in left] == [("report_form",)]

    group = texts["오늘 날씨 어때 우주선 타고 싶다"]
    with session_scope(stack_db) as s:
        accounts.create_account(s, f"t{tag}", PASSWORD, role="trainer", department="cleaning")
        who = accounts.principal_of(accounts.find_account(s, f"t{tag}"))
        teach.assign(s, Project(), who, "intent:out_of_scope", "우주선 타고 싶다 날씨 어때", event_ids=group.member_ids)
    assert "오늘 날씨 어때 우주선 타고 싶다" not in {g.text for g in groups_for(stack_db, senders)}
    assert "우주선 타고 싶다 날씨 어때" in Project().intents["out_of_scope"].examples

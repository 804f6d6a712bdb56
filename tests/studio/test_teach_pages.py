"""The studio's pages over real HTTP (SQLite and PostgreSQL): a trainer finds a misunderstood
message, teaches it and the file changes; answers are edited with a preview and a 409 for the
second of two editors; changes are listed and reverted. And the abuse cases: no session,
officers, CSRF, other origins, hostile ids and oversized or hostile input — 4xx, never 500."""
# ruff: noqa: F811  (the fixtures imported from teach_kit are parameters here)

from __future__ import annotations

import re

import pytest

from sotong.db import session_scope
from sotong.staff import audit
from sotong.studio import changes, edits
from sotong.studio.project import Project
from tests.studio.teach_kit import project_copy, sender, studio_url, tracker  # noqa: F401
from tests.web.console.conftest import ConsoleClient


@pytest.fixture
def client(studio_url) -> ConsoleClient:
    return ConsoleClient(studio_url)


@pytest.fixture
def new_client(studio_url):
    return lambda: ConsoleClient(studio_url)


def passport_examples() -> list[str]:
    p = Project()
    return list(Project().intents["ask_passport"].examples) if p else []


def test_the_studio_needs_a_session_and_the_trainer_or_admin_role(client, new_client, tracker):
    msg = tracker.fallback(sender(), "여권 그거", "ask_passport", 0.3)
    for path in ("/console/studio/", "/console/studio/inbox", f"/console/studio/teach/{msg}",
                 f"/console/studio/conversations/{msg}", "/console/studio/answers", "/console/studio/changes"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login?next=")
    kim = new_client().signed_in("kim")
    for path in ("/console/studio/inbox", f"/console/studio/teach/{msg}", "/console/studio/answers/faq/property_tax"):
        assert kim.get(path).status_code == 403
    assert new_client().signed_in("teacher").get("/console/studio/inbox").status_code == 200
    # a POST without a session is 401, never a change
    response = new_client().post(f"/console/studio/teach/{msg}/dismiss", {"csrf_token": "x"})
    assert response.status_code == 401


def test_a_trainer_teaches_a_message_from_the_inbox(client, tracker):
    s1, s2 = sender(), sender("kakao")
    first = tracker.fallback(s1, "여권 그거 어케 만듦", "ask_passport", 0.41)
    tracker.action(s1, "action_fallback_menu")
    second = tracker.fallback(s2, "여권 그거 어케 만듦??", "ask_passport", 0.38)
    tracker.user(sender(), "제 번호 010-9876-5432로 연락주세요 서곶로 12", "inform", 0.2)
    me = client.signed_in("teacher")
    page = me.get("/console/studio/inbox")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "<script" not in page.text and " style=" not in page.text
    assert "여권 그거 어케 만듦" in page.text and "2번" in page.text and "대화 2개" in page.text
    assert "9876-5432" not in page.text and "서곶로 12" not in page.text and "010-****-5432" in page.text
    assert f'href="/console/studio/teach/{second}"' in page.text
    assert s1 not in page.text and s2 not in page.text  # conversation ids never reach a page
    teach_page = me.get(f"/console/studio/teach/{first}")  # any member names the group
    assert teach_page.status_code == 200 and 'value="intent:ask_passport" selected' in teach_page.text
    response = me.post(
        f"/console/studio/teach/{second}/assign",
        {"csrf_token": me.csrf, "target": "intent:ask_passport", "example": "여권 그거 어케 만듦"},
    )
    assert response.status_code == 303 and response.headers["location"].startswith("/console/studio/inbox?done=taught")
    assert passport_examples()[-1] == "여권 그거 어케 만듦"
    page = me.get(response.headers["location"])
    assert "가르쳤어요" in page.text and "여권 그거 어케 만듦" not in page.text.split("<tbody>")[1]
    with session_scope() as s:
        assert audit.recent(s, limit=1)[0].action == "studio_nlu_example"


def test_refusals_are_pages_with_the_reason(client, tracker):
    msg = tracker.user(sender(), "서곶로 12 앞 쓰레기", "report_illegal_dumping", 0.3)
    me = client.signed_in("teacher")
    me.get(f"/console/studio/teach/{msg}")
    masked = me.hidden("csrf_token")  # just to hold a fresh token
    page = me.get(f"/console/studio/teach/{msg}")
    assert 'value="서곶로 *** 앞 쓰레기"' in page.text
    cases = [
        ({"target": "intent:report_illegal_dumping", "example": "서곶로 *** 앞 쓰레기"}, 400, "개인정보"),
        ({"target": "intent:ask_passport", "example": "여권 발급"}, 400, "이미 다른 곳에"),
        ({"target": "intent:nope", "example": "새 문장"}, 400, "고를 수 있는 것"),
        ({"target": "intent:ask_passport", "example": "[여권](nope) 문장"}, 400, "없는 개체"),
        ({"target": "intent:ask_passport", "example": "가" * 2001}, 422, None),
    ]
    for form, status, words in cases:
        response = me.post(f"/console/studio/teach/{msg}/assign", {"csrf_token": masked, **form})
        assert response.status_code == status, (form, response.text[:300])
        assert "Traceback" not in response.text
        if words:
            assert words in response.text
    assert "새 문장" not in passport_examples()


def test_csrf_and_other_origins_are_refused(client, tracker):
    msg = tracker.fallback(sender(), "아무말 대잔치", "faq", 0.2)
    me = client.signed_in("teacher")
    me.get("/console/studio/inbox")
    token = me.csrf
    assert me.post(f"/console/studio/teach/{msg}/dismiss", {}).status_code == 403
    assert me.post(f"/console/studio/teach/{msg}/dismiss", {"csrf_token": "forged"}).status_code == 403
    evil = {"Origin": "https://evil.example"}
    assert me.post(f"/console/studio/teach/{msg}/dismiss", {"csrf_token": token}, headers=evil).status_code == 403
    # another staff member's token is not this session's
    other = ConsoleClient(me.base).signed_in("boss")
    other.get("/console/studio/inbox")
    assert me.post(f"/console/studio/teach/{msg}/dismiss", {"csrf_token": other.csrf}).status_code == 403
    assert "아무말 대잔치" in me.get("/console/studio/inbox").text
    assert me.post(f"/console/studio/teach/{msg}/dismiss", {"csrf_token": token}).status_code == 303
    assert "아무말 대잔치" not in me.get("/console/studio/inbox").text
    # replayed after it was dismissed: the group is gone, 404
    assert me.post(f"/console/studio/teach/{msg}/dismiss", {"csrf_token": token}).status_code == 404


@pytest.mark.parametrize("bad", ["0", "999999999", "-1", "abc", "1e3", "9" * 40, "%2e%2e%2fetc"])
def test_hostile_ids_are_404(client, tracker, bad):
    me = client.signed_in("teacher")
    me.get("/console/studio/inbox")
    for path in (f"/console/studio/teach/{bad}", f"/console/studio/conversations/{bad}"):
        assert me.get(path).status_code == 404
    assert me.post(f"/console/studio/teach/{bad}/assign", {"csrf_token": me.csrf}).status_code == 404
    assert me.post(f"/console/studio/changes/{bad}/revert", {"csrf_token": me.csrf}).status_code == 404
    assert me.get(f"/console/studio/answers/faq/{bad}").status_code == 404
    assert me.get(f"/console/studio/answers/response/{bad}/0").status_code == 404
    if bad != "0":  # the first variant exists
        assert me.get(f"/console/studio/answers/response/utter_passport_fees/{bad}").status_code == 404


def test_a_transcript_view_is_masked_and_audited(client, tracker):
    s = sender("kakao")
    tracker.user(s, "불법주차 신고", "report_illegal_parking", 0.95)
    tracker.bot(s, "어디인가요?")
    asked = tracker.user(s, "12가3456 차가 막고 있어요 김철수 씨 차예요", "inform", 0.3)
    me = client.signed_in("teacher")
    page = me.get(f"/console/studio/conversations/{asked}")
    assert page.status_code == 200
    assert "12가****" in page.text and "3456" not in page.text and "김철수" not in page.text
    assert "카카오톡" in page.text and s not in page.text
    with session_scope() as session:
        entry = audit.recent(session, limit=1)[0]
        assert (entry.action, entry.target, entry.username) == ("studio_view_conversation", f"event:{asked}", "teacher")


def test_only_admins_make_topics(client, new_client, tracker):
    msg = tracker.fallback(sender(), "반려견 등록 어디서 해요", "faq", 0.3)
    form = {
        "area": "tax", "topic_id": "dog_registration", "title": "반려견 등록", "answer": "동물병원에서 등록해요.",
        "department": "세무1과", "phone": "032-000-1600",
        "examples": "\n".join(f"반려견 등록 {w}" for w in ("어디서", "비용", "방법", "기한", "서류", "과태료", "온라인", "대행")),
    }  # fmt: skip
    me = client.signed_in("teacher")
    page = me.get(f"/console/studio/teach/{msg}")
    assert "새 FAQ 주제 만들기" not in page.text
    assert me.post(f"/console/studio/teach/{msg}/topic", {"csrf_token": me.csrf, **form}).status_code == 403
    boss = new_client().signed_in("boss")
    boss.get(f"/console/studio/teach/{msg}")
    bad = boss.post(f"/console/studio/teach/{msg}/topic", {"csrf_token": boss.csrf, **form, "examples": "하나"})
    assert bad.status_code == 400 and "예문이 모자라요" in bad.text
    done = boss.post(f"/console/studio/teach/{msg}/topic", {"csrf_token": boss.csrf, **form})
    assert done.status_code == 303, done.text[:500]
    assert Project().catalogue().topic("dog_registration").title == "반려견 등록"


def test_an_answer_is_previewed_saved_and_a_stale_editor_gets_409(client, new_client):
    me = client.signed_in("teacher")
    page = me.get("/console/studio/answers/faq/property_tax")
    assert page.status_code == 200 and "카카오톡" in page.text and "홈페이지 채팅" in page.text
    version = me.hidden("version")
    long = "재산세 안내예요. " * 60  # > 500: folded on KakaoTalk, > 400: refused by the catalogue
    shown = me.post("/console/studio/answers/faq/property_tax",
                    {"csrf_token": me.csrf, "version": version, "text": long, "action": "preview"})  # fmt: skip
    assert shown.status_code == 200 and "전체 보기" in shown.text and "FAQ 답변은 400자까지" in shown.text
    assert "아직 저장하지 않았어요" in shown.text
    refused = me.post("/console/studio/answers/faq/property_tax",
                      {"csrf_token": me.csrf, "version": version, "text": long, "action": "save"})  # fmt: skip
    assert refused.status_code == 400
    other = new_client().signed_in("boss")
    other.get("/console/studio/answers/faq/property_tax")
    saved = me.post("/console/studio/answers/faq/property_tax",
                    {"csrf_token": me.csrf, "version": version, "text": "재산세는 7월과 9월에 내요.", "action": "save"})  # fmt: skip
    assert saved.status_code == 303
    assert Project().catalogue().topic("property_tax").answer == "재산세는 7월과 9월에 내요."
    stale = other.post("/console/studio/answers/faq/property_tax",
                       {"csrf_token": other.csrf, "version": other.hidden("version"), "text": "덮어쓰기", "action": "save"})  # fmt: skip
    assert stale.status_code == 409 and "재산세는 7월과 9월에 내요." in stale.text
    assert Project().catalogue().topic("property_tax").answer == "재산세는 7월과 9월에 내요."


def test_a_response_text_with_long_button_labels_is_flagged(client):
    me = client.signed_in("teacher")
    page = me.get("/console/studio/answers/response/utter_passport_overview/0")
    assert page.status_code == 200 and "{passport_place}" in page.text
    version = me.hidden("version")
    bad = me.post("/console/studio/answers/response/utter_passport_overview/0",
                  {"csrf_token": me.csrf, "version": version, "text": "{nope}", "action": "save"})  # fmt: skip
    assert bad.status_code == 400 and "{칸}" in bad.text
    ok = me.post("/console/studio/answers/response/utter_passport_overview/0",
                 {"csrf_token": me.csrf, "version": version, "text": "여권은 {passport_place}에서 해요.", "action": "save"})  # fmt: skip
    assert ok.status_code == 303
    path = Project().response_files()["utter_passport_overview"]
    assert (
        edits.response_texts(path.read_text(encoding="utf-8"), "utter_passport_overview")[0]
        == "여권은 {passport_place}에서 해요."
    )


def test_changes_are_listed_and_reverted_once(client, tracker):
    msg = tracker.fallback(sender(), "여권 되돌릴 문장", "ask_passport", 0.3)
    me = client.signed_in("teacher")
    me.get(f"/console/studio/teach/{msg}")
    me.post(f"/console/studio/teach/{msg}/assign",
            {"csrf_token": me.csrf, "target": "intent:ask_passport", "example": "여권 되돌릴 문장"})  # fmt: skip
    page = me.get("/console/studio/changes")
    assert "예문 추가" in page.text and "data/nlu/passport.yml" in page.text and "teacher" in page.text
    change_id = int(re.search(r'/console/studio/changes/(\d+)/revert', page.text).group(1))
    done = me.post(f"/console/studio/changes/{change_id}/revert", {"csrf_token": me.csrf})
    assert done.status_code == 303
    assert "여권 되돌릴 문장" not in passport_examples()
    again = me.post(f"/console/studio/changes/{change_id}/revert", {"csrf_token": me.csrf})
    assert again.status_code == 409 and "이미 되돌렸어요" in again.text
    with session_scope() as s:
        assert [c.kind for c in changes.pending_changes(s)] == ["nlu_example", "revert"]
    # the message is back in the inbox
    assert "여권 되돌릴 문장" in me.get("/console/studio/inbox").text


def test_answer_and_revert_writes_need_the_role_and_the_token(client, new_client):
    boss = client.signed_in("boss")
    page = boss.get("/console/studio/answers/faq/property_tax")
    version, token = boss.hidden("version"), boss.csrf
    form = {"version": version, "text": "바꾸려는 답변", "action": "save"}
    before = Project().catalogue().topic("property_tax").answer
    assert boss.post("/console/studio/answers/faq/property_tax", form).status_code == 403  # no token
    assert boss.post("/console/studio/answers/faq/property_tax", {**form, "csrf_token": "x" * 40}).status_code == 403
    kim = new_client().signed_in("kim")
    kim.get("/console/complaints")
    own = kim.csrf  # the officer's own valid token: refused for the role, not the token
    assert kim.post("/console/studio/answers/faq/property_tax", {**form, "csrf_token": own}).status_code == 403
    assert kim.post("/console/studio/changes/1/revert", {"csrf_token": own}).status_code == 403
    assert kim.post("/console/studio/answers/faq/property_tax", {**form, "csrf_token": token}).status_code == 403
    assert Project().catalogue().topic("property_tax").answer == before
    # hostile text: control characters and markup are refused or shown as text, never a 500
    for text in ("<script>alert(1)</script>", "가\x00나", "{{ 7*7 }}"):
        response = boss.post(
            "/console/studio/answers/faq/property_tax",
            {"csrf_token": token, "version": version, "text": text, "action": "preview"},
        )
        assert response.status_code == 200 and "<script>alert" not in response.text
    assert "Traceback" not in page.text

"""Teaching writes the project's files (a copy here) as a developer would, attributed,
audited, revertible, and refuses what would break the bot or leak personal data —
SQLite and PostgreSQL."""
# ruff: noqa: F811  (the fixtures imported from teach_kit are parameters here)

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from sotong.db import session_scope
from sotong.staff import audit
from sotong.staff.errors import Forbidden
from sotong.studio import changes, edits, teach
from sotong.studio.project import Project
from sotong.studio.yaml_store import version_of
from tests.studio.teach_kit import admin, officer, project_copy, sender, teacher, tracker  # noqa: F401


def nlu_examples(project: Project, intent: str) -> list[str]:
    data = yaml.safe_load(project.intents[intent].path.read_text(encoding="utf-8"))
    block = next(i for i in data["nlu"] if i.get("intent") == intent)
    return edits.example_lines(block["examples"])


def git_diff(a, b) -> list[str]:
    done = subprocess.run(["git", "diff", "--no-index", "-U0", str(a), str(b)], capture_output=True, text=True)
    return [line for line in done.stdout.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_an_example_is_taught_to_an_intent_as_one_added_line(core_db, project_copy, teacher, tracker, tmp_path):
    msg = tracker.fallback(sender(), "여권 그거 어케 만듦", "ask_passport", 0.4)
    path = project_copy.intents["ask_passport"].path
    before = tmp_path / "before.yml"
    before.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with session_scope(core_db) as s:
        change = teach.assign(s, project_copy, teacher, "intent:ask_passport", "여권 그거 어케 만듦", event_ids=[msg])
        change_id = change.id
    assert git_diff(before, path) == ["+    - 여권 그거 어케 만듦"]
    assert nlu_examples(Project(), "ask_passport")[-1] == "여권 그거 어케 만듦"
    with session_scope(core_db) as s:
        view = changes.get(s, change_id)
        assert view.created_by == "teacher" and view.kind == "nlu_example" and view.needs_training
        assert view.files == ("data/nlu/passport.yml",)
        assert [c.id for c in changes.pending_changes(s)] == [change_id]
        entry = audit.recent(s, limit=1)[0]
        assert (entry.username, entry.action, entry.target) == ("teacher", "studio_nlu_example", f"change:{change_id}")


def test_entities_marked_in_an_example_are_kept_and_checked(core_db, project_copy, teacher):
    with session_scope(core_db) as s:
        teach.assign(s, project_copy, teacher, "intent:ask_bulky_waste", "[장롱](waste_item) 버리는 법 알려줘")
    assert nlu_examples(Project(), "ask_bulky_waste")[-1] == "[장롱](waste_item) 버리는 법 알려줘"
    for bad, problem in [
        ("[장롱](no_such_entity) 버려요", "unknown_entity"),
        ("[장롱(waste_item) 버려요", "syntax"),
        ("/ask_bulky_waste", "syntax"),
    ]:
        with pytest.raises(teach.InvalidTeach) as caught, session_scope(core_db) as s:
            teach.assign(s, project_copy, teacher, "intent:ask_bulky_waste", bad)
        assert caught.value.problem == problem


def test_a_faq_example_keeps_the_catalogue_valid(core_db, project_copy, teacher):
    with session_scope(core_db) as s:
        teach.assign(s, project_copy, teacher, "faq:property_tax", "집 재산세 날짜 좀")
    assert "집 재산세 날짜 좀" in Project().catalogue().topic("property_tax").examples
    with pytest.raises(teach.InvalidTeach) as caught, session_scope(core_db) as s:
        teach.assign(s, project_copy, teacher, "faq:property_tax", "[재산세](dong) 날짜")
    assert caught.value.problem == "no_entities"


@pytest.mark.parametrize(
    "example, problem",
    [
        ("서곶로 *** 앞에 쓰레기", "personal"),
        ("서곶로 123 앞에 쓰레기", "personal"),
        ("제 번호 010-1234-5678", "personal"),
        ("여권 발급", "duplicate"),  # already an ask_passport example
        ("재산세 언제 내요", "duplicate"),  # already a FAQ example
        ("", "empty"),
        ("가" * 201, "too_long"),
        ("줄\x00바꿈", "control"),
    ],
)
def test_refused_examples(core_db, project_copy, teacher, example, problem):
    path = project_copy.intents["ask_passport"].path
    before = path.read_text(encoding="utf-8")
    with pytest.raises(teach.InvalidTeach) as caught, session_scope(core_db) as s:
        teach.assign(s, project_copy, teacher, "intent:ask_passport", example)
    assert caught.value.problem == problem
    assert path.read_text(encoding="utf-8") == before


def test_unknown_targets_and_officers_are_refused(core_db, project_copy, teacher, officer):
    for target in ("intent:nope", "intent:faq", "intent:nlu_fallback", "faq:nope", "rm -rf", ""):
        with pytest.raises(teach.InvalidTeach), session_scope(core_db) as s:
            teach.assign(s, project_copy, teacher, target, "새 문장이에요")
    with pytest.raises(Forbidden), session_scope(core_db) as s:
        teach.assign(s, project_copy, officer, "intent:ask_passport", "새 문장이에요")


def test_a_faq_answer_edit_is_checked_against_what_the_page_showed(core_db, project_copy, teacher, admin):
    old = edits.faq_answer(project_copy.faq_file("property_tax").read_text(encoding="utf-8"), "property_tax")
    shown = version_of(old)
    with session_scope(core_db) as s:
        first = teach.edit_faq_answer(s, project_copy, teacher, "property_tax", "재산세는 7월과 9월에 내요.", shown)
        first_id = first.id
        assert first.payload == {"topic": "property_tax", "old": old, "new": "재산세는 7월과 9월에 내요."}
        assert not first.needs_training  # the bot reads answers at run time
    assert Project().catalogue().topic("property_tax").answer == "재산세는 7월과 9월에 내요."
    # a second staff member still holding the old page does not overwrite it
    with pytest.raises(changes.ChangeConflict) as caught, session_scope(core_db) as s:
        teach.edit_faq_answer(s, project_copy, admin, "property_tax", "다른 답변이에요.", shown)
    assert caught.value.current == "재산세는 7월과 9월에 내요."
    # too long for the catalogue
    with pytest.raises(teach.InvalidTeach), session_scope(core_db) as s:
        teach.edit_faq_answer(
            s, project_copy, admin, "property_tax", "가" * 401, version_of("재산세는 7월과 9월에 내요.")
        )
    # revert brings the old answer back
    with session_scope(core_db) as s:
        changes.revert(s, project_copy, admin, first_id, ip=None)
    assert Project().catalogue().topic("property_tax").answer == old


def test_two_staff_adding_examples_at_once_both_land(core_db, project_copy, teacher, admin):
    def add(who_and_text):
        who, text = who_and_text
        with session_scope(core_db) as s:
            teach.assign(s, project_copy, who, "intent:ask_passport", text)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(add, [(teacher, "여권 새로 하나"), (admin, "여권 새로 둘")]))
    assert {"여권 새로 하나", "여권 새로 둘"} <= set(nlu_examples(Project(), "ask_passport"))


def test_a_response_edit_keeps_its_placeholders(core_db, project_copy, teacher):
    texts = edits.response_texts(
        project_copy.response_files()["utter_passport_fees"].read_text(encoding="utf-8"), "utter_passport_fees"
    )
    shown = version_of(texts[0])
    with pytest.raises(teach.InvalidTeach) as caught, session_scope(core_db) as s:
        teach.edit_response(s, project_copy, teacher, "utter_passport_fees", 0, "수수료: {unknown_value}", shown)
    assert caught.value.problem == "placeholder"
    with pytest.raises(teach.InvalidTeach) as caught, session_scope(core_db) as s:
        teach.edit_response(s, project_copy, teacher, "utter_passport_fees", 0, "가" * 1001, shown)
    assert caught.value.problem == "too_long"
    with session_scope(core_db) as s:
        change = teach.edit_response(
            s, project_copy, teacher, "utter_passport_fees", 0, "수수료예요.\n{passport_fees}", shown
        )
        assert change.payload["old"] == texts[0]
    assert edits.response_texts(
        Project().response_files()["utter_passport_fees"].read_text(encoding="utf-8"), "utter_passport_fees"
    ) == ["수수료예요.\n{passport_fees}"]
    with pytest.raises(teach.InvalidTeach), session_scope(core_db) as s:
        teach.edit_response(s, project_copy, teacher, "utter_nope", 0, "x", shown)
    with pytest.raises(teach.InvalidTeach), session_scope(core_db) as s:
        teach.edit_response(s, project_copy, teacher, "utter_passport_fees", 7, "x", shown)


def test_revert_undoes_only_that_change_and_returns_its_messages(core_db, project_copy, teacher, admin, tracker):
    a = tracker.fallback(sender(), "여권 어케 만듦", "ask_passport", 0.3)
    path = project_copy.intents["ask_passport"].path
    original = path.read_text(encoding="utf-8")
    with session_scope(core_db) as s:
        first = teach.assign(s, project_copy, teacher, "intent:ask_passport", "여권 어케 만듦", event_ids=[a]).id
        teach.assign(s, project_copy, admin, "intent:ask_passport", "여권 그거요")
    with session_scope(core_db) as s:
        undo = changes.revert(s, project_copy, admin, first, ip="127.0.0.1")
        undo_id = undo.id
    text = path.read_text(encoding="utf-8")
    assert "여권 어케 만듦" not in text and "- 여권 그거요\n" in text
    assert text.replace("    - 여권 그거요\n", "") == original
    with session_scope(core_db) as s:
        assert changes.get(s, first).reverted_by_id == undo_id
        assert changes.get(s, undo_id).reverts_id == first
        # twice is refused, and so is reverting a revert
        with pytest.raises(changes.ChangeConflict):
            changes.revert(s, project_copy, admin, first, ip=None)
        with pytest.raises(changes.ChangeConflict):
            changes.revert(s, project_copy, admin, undo_id, ip=None)
        with pytest.raises(changes.ChangeNotFound):
            changes.revert(s, project_copy, admin, 424242, ip=None)
    # the message is back in the inbox
    from sotong.studio import inbox

    with session_scope(core_db) as s:
        assert [m.event_id for m in inbox.messages(s, inbox.InboxSettings(), {})] == [a]


def test_a_change_removed_by_hand_cannot_be_reverted(core_db, project_copy, teacher):
    with session_scope(core_db) as s:
        change_id = teach.assign(s, project_copy, teacher, "intent:ask_passport", "여권 손으로 지울 문장").id
    path = project_copy.intents["ask_passport"].path
    path.write_text(path.read_text(encoding="utf-8").replace("    - 여권 손으로 지울 문장\n", ""), encoding="utf-8")
    with pytest.raises(changes.ChangeConflict), session_scope(core_db) as s:
        changes.revert(s, project_copy, teacher, change_id, ip=None)


def test_new_topics_are_for_admins_and_need_enough_examples(core_db, project_copy, teacher, admin):
    spec = dict(
        area="tax",
        topic_id="dog_registration_fee",
        title="반려견 등록비",
        answer="반려견 등록은 동물병원에서 해요. 등록비는 병원마다 달라요.",
        department="세무1과",
        phone="032-000-1600",
        examples=[f"강아지 등록 {w}" for w in ("어디서", "비용", "얼마", "방법", "기한", "서류", "과태료", "온라인")],
    )
    with pytest.raises(Forbidden), session_scope(core_db) as s:
        teach.new_faq_topic(s, project_copy, teacher, **spec)
    with pytest.raises(teach.InvalidTeach) as caught, session_scope(core_db) as s:
        teach.new_faq_topic(s, project_copy, admin, **{**spec, "examples": spec["examples"][:3]})
    assert caught.value.problem == "too_few"
    with pytest.raises(teach.InvalidTeach), session_scope(core_db) as s:
        teach.new_faq_topic(s, project_copy, admin, **{**spec, "topic_id": "property_tax"})
    with pytest.raises(teach.InvalidTeach), session_scope(core_db) as s:
        teach.new_faq_topic(s, project_copy, admin, **{**spec, "area": "../../etc"})
    with session_scope(core_db) as s:
        change_id = teach.new_faq_topic(s, project_copy, admin, **spec).id
    topic = Project().catalogue().topic("dog_registration_fee")
    assert topic is not None and topic.area == "tax" and len(topic.examples) == 8
    with session_scope(core_db) as s:
        changes.revert(s, project_copy, admin, change_id, ip=None)
    assert Project().catalogue().topic("dog_registration_fee") is None


def test_publishing_takes_pending_changes(core_db, project_copy, teacher):
    with session_scope(core_db) as s:
        one = teach.assign(s, project_copy, teacher, "intent:ask_passport", "여권 하나 더").id
        two = teach.assign(s, project_copy, teacher, "intent:ask_passport", "여권 둘 더").id
    with session_scope(core_db) as s:
        assert changes.mark_published(s, [one], "release-7") == 1
        assert changes.mark_published(s, [one], "release-8") == 0  # already taken
    with session_scope(core_db) as s:
        assert [c.id for c in changes.pending_changes(s)] == [two]
        assert changes.get(s, one).release_ref == "release-7"


def test_dismiss_marks_messages_and_is_audited(core_db, teacher, tracker):
    a = tracker.fallback(sender(), "아무말", "faq", 0.1)
    with session_scope(core_db) as s:
        assert teach.dismiss(s, teacher, [a, a], ip=None) == 1
        assert teach.dismiss(s, teacher, [a], ip=None) == 0
    with session_scope(core_db) as s:
        assert audit.recent(s, limit=1)[0].action == "studio_dismiss"


def test_the_kakao_preview_applies_every_limit():
    from sotong.studio import preview

    short = preview.preview("안녕하세요", ["전화 문의"], ["여권 발급"])
    assert short.ok and short.folded_at is None and short.kakao_text == "안녕하세요"
    long = preview.preview(
        "가" * 1001, ["열다섯 글자가 넘는 아주 긴 단추 이름"] * 4, [f"빠른답장{i}" for i in range(11)], outputs=4
    )
    assert long.folded_at == 500 and long.cut and len(long.kakao_text) == 500
    assert long.buttons[0].shown == "열다섯 글자가 넘는 아주 긴 단"[:14] and long.buttons[0].too_long
    assert set(long.problems) == {
        "too_long", "label_too_long", "too_many_buttons", "too_many_quick_replies", "too_many_outputs",
    }  # fmt: skip
    bare, framed = preview.faq_preview("가" * 401, "세무1과", "032-000-1600", "위택스", ["재산세"])
    assert bare.problems == ("too_long",) and framed.ok and framed.text.endswith("문의: 세무1과 (032-000-1600)")
    assert [b.text for b in framed.buttons] == ["위택스 바로 가기", "전화 문의"]
    assert preview.fill("{a} 그리고 {b}", {"a": "가"}) == "가 그리고 ⟨b⟩"


def test_an_intent_split_over_blocks_is_one_intent(core_db, project_copy, teacher):
    # out_of_scope is written in several blocks: an example of a later block ("공정무역 인증", its
    # second block) is still a duplicate, and a new one lands in the first block of the file, once.
    with pytest.raises(teach.InvalidTeach) as caught, session_scope(core_db) as s:
        teach.assign(s, project_copy, teacher, "intent:out_of_scope", "공정무역 인증")
    assert caught.value.problem == "duplicate" and "out_of_scope" in caught.value.detail
    path = project_copy.intents["out_of_scope"].path
    before = path.read_text(encoding="utf-8")
    with session_scope(core_db) as s:
        teach.assign(s, project_copy, teacher, "intent:out_of_scope", "우주선 타고 싶어요")
    assert nlu_examples(Project(), "out_of_scope")[-1] == "우주선 타고 싶어요"
    assert path.read_text(encoding="utf-8").count("우주선 타고 싶어요") == 1
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(before.splitlines()) + 1

"""action_answer_faq offline: the catalogue's answer for a topic, exact payloads, and the
honest "I don't know" instead of another topic's answer."""

from __future__ import annotations

import json

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import RESPONSES, TOPIC_ENTITY, ActionAnswerFaq
from sotong.settings import PROJECT_ROOT
from tests.actions.conftest import make_tracker

DISTRICT = PROJECT_ROOT / "district" / "incheon-seogu"


def run(text="", entities=None):
    d = CollectingDispatcher()
    ActionAnswerFaq().answer(d, make_tracker(text, "faq", entities), {})
    return d.messages


def tap(topic_id):
    return [{"entity": TOPIC_ENTITY, "value": topic_id}]


def test_responses_exist_in_the_wording_file():
    path = PROJECT_ROOT / "data" / "responses" / "faq.yml"
    if not path.exists():  # staged until the model that uses it is trained
        path = PROJECT_ROOT / "build" / "faq" / "responses" / "faq.yml"
    defined = set(yaml.safe_load(path.read_text(encoding="utf-8"))["responses"])
    assert set(RESPONSES) <= defined


def test_tapped_topic_is_answered_from_the_catalogue_with_exact_related_payloads(district):
    catalogue = yaml.safe_load((district / "faq" / "tax.yml").read_text(encoding="utf-8"))
    prop = next(t for t in catalogue["topics"] if t["id"] == "property_tax")
    msgs = run("재산세", tap("property_tax"))
    first = msgs[0]
    assert first["response"] == "utter_faq_answer_online"
    assert first["faq_answer"] == " ".join(prop["answer"].split())
    assert first["faq_department"] == prop["department"] and first["faq_phone"] == prop["phone"]
    assert first["faq_online_url"] == prop["online"]["url"]
    related = next(m for m in msgs if m["response"] == "utter_faq_related")["buttons"]
    assert [json.loads(b["payload"][len("/faq") :])[TOPIC_ENTITY] for b in related] == prop["related"][:3]
    assert msgs[-1]["response"] == "utter_faq_sample_notice"


def test_typed_question_gets_the_closest_topic(district):
    msgs = run("재산세는 몇월에 내요")
    assert msgs[0]["response"] == "utter_faq_answer_online" and msgs[0]["faq_title"] == "재산세"


def test_staff_edit_goes_live_without_retraining(district):
    path = district / "faq" / "tax.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(t for t in doc["topics"] if t["id"] == "property_tax")["phone"] = "032-000-1699"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    assert run("재산세", tap("property_tax"))[0]["faq_phone"] == "032-000-1699"


def test_unmatched_question_is_refused_honestly_with_a_department(district):
    msgs = run("정화조 청소 주기")
    assert msgs[0]["response"] in ("utter_faq_unknown_department", "utter_faq_unknown")
    assert not any(m["response"].startswith("utter_faq_answer") for m in msgs)
    if msgs[0]["response"] == "utter_faq_unknown_department":
        assert msgs[0]["faq_department"] and msgs[0]["faq_phone"] and msgs[0]["main_phone"]
    buttons = [b for m in msgs for b in m.get("buttons") or []]  # the sample notice may come last
    assert 1 <= len(buttons) <= 3 and all(b["payload"].startswith('/faq{"faq_topic": ') for b in buttons)


def test_unknown_tapped_topic_is_not_answered_with_another(district):
    msgs = run("재산세 고지서 언제 와요", tap("no_such_topic"))  # a removed topic: no guessing from the title
    assert not any(m["response"].startswith("utter_faq_answer") for m in msgs)


def test_broken_edit_keeps_serving_the_last_good_catalogue(district):
    assert run("재산세", tap("property_tax"))[0]["faq_title"] == "재산세"
    (district / "faq" / "tax.yml").write_text("area: tax\ntopics: [{id: broken", encoding="utf-8")
    msgs = run("재산세", tap("property_tax"))
    assert msgs[0]["response"] == "utter_faq_answer_online" and msgs[0]["faq_title"] == "재산세"

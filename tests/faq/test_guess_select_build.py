"""Topic selection, the department guess for unknown questions, and the generated NLU file."""

from __future__ import annotations

import yaml

from sotong.faq import index_for, load_catalogue
from sotong.faq.build import build
from sotong.faq.build import main as build_main
from sotong.faq.selector import TopicSelector, held_out_scores, load_negatives, select
from sotong.settings import PROJECT_ROOT

DISTRICT = PROJECT_ROOT / "district" / "incheon-seogu"


def catalogue():
    return load_catalogue(DISTRICT)


def test_selector_picks_the_topic_from_typed_questions():
    c = catalogue()
    # wordings typed fresh here, not in the catalogue's examples
    assert select(c, "재산세는 몇월에 내요", 1)[0].topic.title == "재산세"
    assert select(c, "인감 증명 떼러 가려는데", 1)[0].topic.id == "seal_certificate"


def test_held_out_scores_cover_every_example_once():
    c = catalogue()
    scores, refusals = held_out_scores(c)
    assert len(scores) == sum(len(t.examples) for t in c.topics.values())
    assert sum(ok for _, ok in scores) / len(scores) > 0.6
    assert len(refusals) == len(load_negatives()) > 100


def test_the_none_of_them_class_learns_both_refusal_intents():
    """Small talk (out_of_scope) and public matters the bot does not cover (ask_uncovered_matter)."""
    negatives = set(load_negatives())
    assert "반려견 등록증 잃어버렸어요" in negatives and "공정무역 인증" in negatives


def test_a_question_no_topic_covers_loses_to_none_of_them():
    """The refusal class: a 구청 matter outside the catalogue gets no confident topic, while a
    catalogue question (typed fresh here) still does."""
    c = catalogue()
    assert not select(c, "우리 집 고양이 동물등록 하려면 어디 가요", 1)[0].confident
    assert select(c, "재산세는 몇 월에 나와요", 1)[0].confident


def test_selector_without_refusal_examples_still_ranks(tmp_path):
    assert load_negatives(tmp_path / "missing.yml") == ()
    sel = TopicSelector(catalogue(), negatives=[])
    assert sel.rank("인감 증명 떼러 가려는데", 1)[0].topic.id == "seal_certificate"


def test_guess_names_a_department_for_civic_questions_only():
    idx = index_for(catalogue())
    civic = idx.guess("재산세 고지서 다시 받고 싶어요")
    assert civic.civic and civic.department.startswith("세무") and civic.phone
    assert 1 <= len(civic.topics) <= 3
    small_talk = idx.guess("오늘 날씨 어때")
    assert not small_talk.civic and small_talk.department is None


def test_guess_offers_only_topics_that_share_wording_with_the_question():
    idx = index_for(catalogue())
    assert idx.guess("길고양이 중성화 신청").topics == ()  # nothing close: no careless buttons
    assert [t.id for t in idx.guess("재산세 분할납부 신청서 양식").topics][:1] == ["property_tax"]


def test_build_writes_faq_intent_and_is_stable(tmp_path):
    assert build(DISTRICT, tmp_path) is False  # written
    text = (tmp_path / "nlu" / "faq.yml").read_text(encoding="utf-8")
    assert text.startswith("# GENERATED")
    data = yaml.safe_load(text)
    examples = sum(len(block["examples"].strip().splitlines()) for block in data["nlu"])
    assert {block["intent"] for block in data["nlu"]} == {"faq"}
    assert examples == sum(len(t.examples) for t in catalogue().topics.values())
    mtime = (tmp_path / "nlu" / "faq.yml").stat().st_mtime_ns
    assert build(DISTRICT, tmp_path) is True  # unchanged: not rewritten
    assert (tmp_path / "nlu" / "faq.yml").stat().st_mtime_ns == mtime


def test_build_check_and_bad_catalogue_exit_codes(tmp_path, capsys):
    assert build_main(["--district", str(DISTRICT), "--out", str(tmp_path), "--check"]) == 1
    assert build_main(["--district", str(DISTRICT), "--out", str(tmp_path)]) == 0
    assert build_main(["--district", str(DISTRICT), "--out", str(tmp_path), "--check"]) == 0
    broken = tmp_path / "d"
    (broken / "faq").mkdir(parents=True)
    (broken / "faq" / "x.yml").write_text("area: x\ntitle: 엑스\ntopics: [{id: a}]\n", encoding="utf-8")
    assert build_main(["--district", str(broken), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "x.yml: topics[0] (id a): 'title' is missing" in err and "Traceback" not in err

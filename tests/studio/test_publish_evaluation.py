"""The figures and the verdict (sotong.studio.evaluation) and the progress of a training
(sotong.studio.training), on plain data: no model, no database."""

from __future__ import annotations

import pytest
import yaml

from sotong.settings import PROJECT_ROOT
from sotong.studio import evaluation as ev
from sotong.studio.training import epoch_components, stage_progress, training_fraction


def test_nlu_test_file_is_read_as_residents_type_it(tmp_path):
    path = tmp_path / "nlu_test.yml"
    path.write_text(
        'version: "3.1"\nnlu:\n- intent: waste_bulky\n  examples: |\n'
        "    - [소파](waste_item) 버리려면?\n"
        '    - [냉장고]{"entity": "waste_item"}는 어떻게 버려요\n'
        "- synonym: 소파\n  examples: |\n    - 쇼파\n"
        "- intent: greet\n  examples: |\n    - 안녕하세요\n",
        encoding="utf-8",
    )
    items = ev.load_nlu_tests(path)
    assert [(i.text, i.intent) for i in items] == [
        ("소파 버리려면?", "waste_bulky"),
        ("냉장고는 어떻게 버려요", "waste_bulky"),
        ("안녕하세요", "greet"),
    ]


def test_the_project_held_out_sets_load(tmp_path):
    nlu = ev.load_nlu_tests(PROJECT_ROOT / "tests" / "nlu_test.yml")
    faq = ev.load_faq_tests(PROJECT_ROOT / "tests" / "nlu" / "faq_test")
    assert len(nlu) > 100 and len({i.intent for i in nlu}) > 10
    assert faq and all(i.intent == "faq" and i.source.startswith("faq:") for i in faq)
    assert not any("](" in i.text for i in nlu)


def test_per_intent_figures_and_macro_f1():
    gold = ["greet", "greet", "faq", "faq", "goodbye"]
    pred = ["greet", "faq", "faq", "nlu_fallback", "goodbye"]
    figures = ev.intent_figures(gold, pred)
    assert set(figures) == {"greet", "faq", "goodbye"}  # a predicted-only label is not averaged
    assert figures["greet"] == ev.IntentFigures(1.0, 0.5, 0.6667, 2)
    assert figures["faq"] == ev.IntentFigures(0.5, 0.5, 0.5, 2)
    assert figures["goodbye"].f1 == 1.0
    assert ev.macro_f1(figures) == round((0.6667 + 0.5 + 1.0) / 3, 4)
    with pytest.raises(ValueError):
        ev.intent_figures(gold, pred[:-1])


def test_score_compare_and_changed_answers():
    items = [
        ev.TestItem("안녕", "greet", "nlu"),
        ev.TestItem("잘가", "goodbye", "nlu"),
        ev.TestItem("q", "faq", "faq:x"),
    ]
    old = ev.score(items, ["greet", "greet", "faq"])
    new = ev.score(items, ["greet", "goodbye", "nlu_fallback"])
    rows = {r["intent"]: r for r in ev.compare(old, new)}
    assert rows["faq"]["old_f1"] == 1.0 and rows["faq"]["new_f1"] == 0.0 and rows["faq"]["delta"] == -1.0
    assert rows["goodbye"]["delta"] == 1.0
    assert ev.compare(old, new)[0]["intent"] == "faq"  # worst change first
    changed = ev.changed_answers(items, ["greet", "greet", "faq"], ["greet", "goodbye", "nlu_fallback"])
    assert [c["text"] for c in changed] == ["q", "잘가"]  # the new mistake first
    assert ev.compare(None, new)[0]["old_f1"] is None


@pytest.mark.parametrize(
    ("old", "new", "margin", "failed", "ok", "reasons"),
    [
        (0.90, 0.90, 0.01, [], True, ()),
        (0.90, 0.89, 0.01, [], True, ()),  # exactly the margin is allowed
        (0.90, 0.8899, 0.01, [], False, (ev.F1_DROP,)),
        (0.90, 0.95, 0.0, [], True, ()),
        (0.90, 0.85, 0.10, [], True, ()),  # a wider margin set by the district
        (0.90, 0.95, 0.01, ["greet story"], False, (ev.CONVERSATION_FAILED,)),
        (0.90, 0.50, 0.01, ["x"], False, (ev.F1_DROP, ev.CONVERSATION_FAILED)),
        (None, 0.50, 0.01, [], True, ()),  # nothing to compare with: conversations decide
    ],
)
def test_verdict(old, new, margin, failed, ok, reasons):
    report = {
        "old": {"macro_f1": old} if old is not None else None,
        "new": {"macro_f1": new},
        "conversations": {"ran": True, "failed": failed},
    }
    judged = ev.verdict(report, margin)
    assert (judged.publishable, judged.reasons) == (ok, reasons)


def test_no_verdict_without_figures_or_conversations():
    assert ev.verdict(None, 0.01).reasons == (ev.NO_FIGURES,)
    assert ev.verdict({"validation": {"warnings": ["x"]}}, 0.01).reasons == (ev.NO_FIGURES,)
    not_run = {"old": None, "new": {"macro_f1": 1.0}, "conversations": {"ran": False, "failed": []}}
    assert ev.verdict(not_run, 0.01).reasons == (ev.CONVERSATION_FAILED,)


def test_failed_story_names():
    text = yaml.safe_dump({"version": "3.1", "stories": [{"story": "여권 분실 (tests/x.yml)", "steps": []}]})
    assert ev.failed_story_names(text) == ["여권 분실 (tests/x.yml)"]
    assert ev.failed_story_names("") == []


def test_training_progress_from_rasa_log():
    config = {
        "pipeline": [{"name": "sotong.nlu.korean_tokenizer.KoreanTokenizer"}, {"name": "DIETClassifier", "epochs": 40}],
        "policies": [{"name": "MemoizationPolicy"}, {"name": "TEDPolicy", "epochs": 40}],
    }
    assert epoch_components(config) == 2  # DIET and TED print a bar each
    assert epoch_components(yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))) >= 1
    log = "Epochs:   0%|          | 0/40\rEpochs:  50%|█████     | 20/40\r"
    assert training_fraction(log, 2) == 0.25
    log += "Epochs: 100%|██████████| 40/40\nStarting to train TEDPolicy\nEpochs:  10%|█| 4/40\r"
    assert training_fraction(log, 2) == pytest.approx(0.55)
    assert training_fraction("nothing cached printed", 2) == 0.0
    assert training_fraction(log + "Epochs: 100%\rEpochs:  5%\r", 2) == 1.0  # never past the end
    assert stage_progress("training", 0.0) == 10 and stage_progress("training", 1.0) == 85
    assert stage_progress("done") == 100 and stage_progress("waiting", 5) == 3

"""The understanding benchmark's intent scores (scripts/bench/understanding_score.py): the open-set
macro-F1 counts near-scope questions as ask_uncovered_matter and chit-chat as out_of_scope."""

from __future__ import annotations

from scripts.bench.understanding_score import score


def item(text, intent, which):
    return {"text": text, "intent": intent, "entities": [], "set": which}


def parse(intent):
    return {"intent": {"name": intent, "confidence": 0.9}, "intent_ranking": [], "entities": []}


def test_the_open_set_f1_sees_the_refusal_intents_the_target_f1_cannot():
    tests = [
        item("여권", "ask_passport", "nlu"),
        item("인사", "greet", "nlu"),
        item("동물등록", "out_of_scope", "near"),  # the loader's label; scored as ask_uncovered_matter
        item("공시지가", "out_of_scope", "near"),
        item("날씨", "out_of_scope", "chit"),
    ]
    preds = [parse("ask_passport"), parse("greet"), parse("ask_uncovered_matter"), parse("faq"), parse("out_of_scope")]
    m = score(tests, preds)
    assert m["macro_f1"] == 1.0  # only nlu + faq items: the near-scope miss is invisible
    # ask_passport 1, greet 1, out_of_scope 1, ask_uncovered_matter P 1 R 0.5 -> 2/3
    assert abs(m["macro_f1_open_set"] - (3 + 2 / 3) / 4) < 1e-9

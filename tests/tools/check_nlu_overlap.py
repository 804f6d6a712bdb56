#!/usr/bin/env python
"""Sanity checks for the NLU training data and the held-out NLU test set.

Fails (exit 1) when:
  * a test utterance also appears in the training data (compared after removing
    all whitespace and case-folding, so "이불 버리려면" == "이불버리려면");
  * a service intent has fewer than MIN_SERVICE training examples;
  * training or test data uses an intent/entity outside the contract, or the
    test set misses an intent / has fewer than its minimum examples;
  * an annotated complaint_id does not match the receipt-number format, an
    annotated dong is not in the `dong` lookup table, or a waste_item value is
    not one of the canonical item names.

Usage (from the project root):
    .venv/bin/python -m tests.tools.check_nlu_overlap [--data data] [--test tests/nlu_test.yml]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import rasa.shared.data
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.tools.quiet import quietly

CHITCHAT = ["greet", "goodbye", "thank", "affirm", "deny", "show_menu"]
SERVICE = [
    "ask_bulky_waste",
    "ask_waste_bag_vendor",
    "ask_passport",
    "ask_office_hours",
    "ask_jobs",
    "ask_news",
    "ask_parking_enforcement",
    "report_illegal_parking",
    "report_illegal_dumping",
    "report_problem",
    "check_complaint_status",
    "edit_complaint",
    "cancel_complaint",
    "request_human",
]
# Consent to 알림톡 is rarer and phrased narrowly: fewer examples suffice.
ALERTS = ["subscribe_updates", "unsubscribe_updates"]
# Linking KakaoTalk and the web page with a one-time code (issue 10): narrow phrasing too.
LINKING = ["link_web"]
# ask_uncovered_matter: public matters the bot does not cover (the honest "not yet"); the held-out
# near-scope set (tests/nlu/near_scope_test.yml) tests them by what is served, not by intent.
OTHER = ["out_of_scope", "ask_uncovered_matter", "inform", "faq"] + ALERTS + LINKING
INTENTS = CHITCHAT + SERVICE + OTHER
# complaint_field: the field a correction names (edit_complaint); passport_facet, day and office_facet:
# the passport/office-hours facets (their values are checked by tests/nlu, not here).
ENTITIES = {"waste_item", "dong", "complaint_id", "complaint_field", "passport_facet", "day", "office_facet"}
COMPLAINT_FIELDS = {"address", "description"}

MIN_SERVICE = 40  # training examples per service intent (hard)
MIN_TRAIN = {
    **{i: 25 for i in CHITCHAT},
    "out_of_scope": 60,
    "ask_uncovered_matter": 60,
    "inform": 40,
    "faq": 960,
    **{i: 20 for i in ALERTS + LINKING},
}
MIN_TEST = {
    **{i: 10 for i in SERVICE},
    **{i: 8 for i in CHITCHAT},
    "out_of_scope": 8,
    "inform": 8,
    **{i: 5 for i in ALERTS},
}
MIN_TEST_TOTAL = 220

WASTE_ITEMS = set(
    [
        "소파",
        "침대",
        "매트리스",
        "장롱",
        "옷장",
        "책상",
        "의자",
        "식탁",
        "서랍장",
        "책장",
        "신발장",
        "화장대",
        "냉장고",
        "세탁기",
        "텔레비전",
        "에어컨",
        "전자레인지",
        "김치냉장고",
        "이불",
        "카펫",
        "자전거",
        "유모차",
        "피아노",
        "거울",
        "화분",
        "싱크대",
        "변기",
        "선풍기",
        "정수기",
        "러닝머신",
        "안마의자",
        "가스레인지",
    ]
)
# Items residents name that the sample fee table does not list: annotated so the NLU learns
# "an item" in fee questions, which the bot answers with "수수료표에 없는 품목" (never another fee).
NOT_LISTED_ITEMS = set(["물침대", "캣타워", "평상", "수족관", "장식장", "쌀통", "아기침대", "병풍", "킥보드"]) | {
    "원목 탁자",
    "안마기",
    "돌침대",
    "흙침대",
    "흔들의자",
    "소파베드",
}
COMPLAINT_ID = re.compile(r"^[2-9A-HJKMNP-Z]{4}-?[2-9A-HJKMNP-Z]{4}$", re.IGNORECASE)


def norm(text: str) -> str:
    # Spaces and punctuation do not make a test new: "thx!" is "thx" to the tokenizer.
    return re.sub(r"[\s!-/:-@\[-`{-~…·]+", "", str(text or "")).casefold()


def load_dir(path: str) -> TrainingData:
    files = sorted(rasa.shared.data.get_data_files([path], rasa.shared.data.is_nlu_file))
    if not files:
        raise SystemExit(f"no NLU files under {path}")
    parts = [load_data(f) for f in files]
    return parts[0].merge(*parts[1:])


def check_entities(td: TrainingData, where: str, dongs: set, synonyms: dict[str, str]) -> list[str]:
    errors = []
    for m in td.intent_examples:
        for e in m.get("entities") or []:
            name, raw = e["entity"], m.get("text")[e["start"] : e["end"]]
            value = str(e.get("value", raw))
            if name not in ENTITIES:
                errors.append(f"{where}: unknown entity {name!r} in {m.get('text')!r}")
            elif name == "complaint_id" and not COMPLAINT_ID.match(raw):
                errors.append(f"{where}: bad complaint_id {raw!r} in {m.get('text')!r}")
            elif name == "dong" and norm(raw) not in dongs:
                errors.append(f"{where}: dong {raw!r} not in lookup `dong` ({m.get('text')!r})")
            elif name == "complaint_field" and value not in COMPLAINT_FIELDS:
                errors.append(f"{where}: complaint_field {raw!r} -> {value!r} is not one of {sorted(COMPLAINT_FIELDS)}")
            elif name == "waste_item":
                canon = synonyms.get(value.lower(), value)
                if canon not in WASTE_ITEMS | NOT_LISTED_ITEMS:
                    errors.append(f"{where}: waste_item {raw!r} -> {canon!r} is not canonical ({m.get('text')!r})")
    return errors


def _check(argv: list[str] | None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data")
    ap.add_argument("--test", default="tests/nlu_test.yml")
    args = ap.parse_args(argv)

    train = load_dir(args.data)
    test = load_data(args.test)
    errors: list[str] = []

    train_counts = Counter(m.get("intent") for m in train.intent_examples)
    test_counts = Counter(m.get("intent") for m in test.intent_examples)

    for where, counts in (("training", train_counts), ("test", test_counts)):
        for intent in sorted(set(counts) - set(INTENTS)):
            errors.append(f"{where}: intent {intent!r} is not in the contract")
    for intent in SERVICE:
        if train_counts[intent] < MIN_SERVICE:
            errors.append(f"training: {intent} has {train_counts[intent]} examples (< {MIN_SERVICE})")
    for intent, n in MIN_TRAIN.items():
        if train_counts[intent] < n:
            errors.append(f"training: {intent} has {train_counts[intent]} examples (< {n})")
    for intent, n in MIN_TEST.items():
        if test_counts[intent] < n:
            errors.append(f"test: {intent} has {test_counts[intent]} examples (< {n})")
    if len(test.intent_examples) < MIN_TEST_TOTAL:
        errors.append(f"test: only {len(test.intent_examples)} utterances (< {MIN_TEST_TOTAL})")

    # Overlap between test and training (whitespace-insensitive, case-folded).
    seen: dict[str, str] = {norm(m.get("text")): m.get("intent") for m in train.intent_examples}
    for m in test.intent_examples:
        key = norm(m.get("text"))
        if key in seen:
            errors.append(f"overlap: test {m.get('text')!r} ({m.get('intent')}) is in training ({seen[key]})")

    # Same text with two intents inside training is a labelling bug.
    by_text: dict[str, set] = {}
    for m in train.intent_examples:
        by_text.setdefault(norm(m.get("text")), set()).add(m.get("intent"))
    for text, intents in by_text.items():
        if len(intents) > 1:
            errors.append(f"training: {text!r} is labelled {sorted(intents)}")

    dong_tables = [t for t in train.lookup_tables if t.get("name") == "dong"]
    if not dong_tables:
        errors.append("training: no `lookup: dong` table")
    dongs = {norm(d) for t in dong_tables for d in t.get("elements", [])}
    synonyms = {k.lower(): v for k, v in train.entity_synonyms.items()}
    errors += check_entities(train, "training", dongs, synonyms)
    errors += check_entities(test, "test", dongs, synonyms)

    print(f"{'intent':<26}{'train':>6}{'test':>6}")
    for intent in INTENTS:
        print(f"{intent:<26}{train_counts[intent]:>6}{test_counts[intent]:>6}")
    print(f"{'total':<26}{sum(train_counts.values()):>6}{sum(test_counts.values()):>6}")
    ent_train = Counter(e["entity"] for m in train.intent_examples for e in m.get("entities") or [])
    ent_test = Counter(e["entity"] for m in test.intent_examples for e in m.get("entities") or [])
    for name in sorted(ENTITIES):
        print(f"entity {name:<19}{ent_train[name]:>6}{ent_test[name]:>6}")

    if errors:
        print(f"\nFAILED ({len(errors)}):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("\nOK: no test/training overlap, all minimum counts met.")
    return 0


main = quietly(_check)


if __name__ == "__main__":
    sys.exit(main())

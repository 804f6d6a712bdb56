#!/usr/bin/env python
"""Held-out checks for the FAQ and open-set test sets (issue 9), beside check_nlu_overlap.py.

Fails (exit 1) when:
  * a FAQ test (tests/nlu/faq_test/*.yml), near-scope or chit-chat test
    (tests/nlu/near_scope_test.yml) also appears in any training text: the NLU data under
    data/, the catalogue's examples (district/<name>/faq/*.yml) or the out-of-domain training
    questions — compared after removing all whitespace and case-folding;
  * a FAQ test names a topic the catalogue does not have, or a topic has fewer than 2 tests;
  * the held-out sets are smaller than the issue asks: ≥ 600 utterances in all (with
    tests/nlu_test.yml), ≥ 150 near-scope, ≥ 50 chit-chat.

Usage: .venv/bin/python -m tests.tools.check_understanding_overlap [--data data] [--district DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import rasa.shared.data
import yaml
from rasa.shared.nlu.training_data.loading import load_data

from tests.tools.check_nlu_overlap import norm  # one rule for what counts as a copy
from tests.tools.quiet import quietly

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from sotong.faq import load_catalogue  # noqa: E402

MIN_TOTAL, MIN_NEAR, MIN_CHIT, MIN_PER_TOPIC = 600, 150, 50, 2


def items(raw, key) -> list[str]:
    return [str(i["text"] if isinstance(i, dict) else i) for i in (raw.get(key) or [])]


def _check(argv: list[str] | None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--district", default=str(ROOT / "district" / "incheon-seogu"))
    ap.add_argument("--nlu-test", default=str(ROOT / "tests" / "nlu_test.yml"))
    ap.add_argument("--faq-tests", default=str(ROOT / "tests" / "nlu" / "faq_test"))
    ap.add_argument("--near-scope", default=str(ROOT / "tests" / "nlu" / "near_scope_test.yml"))
    ap.add_argument("--ood-train", default=str(ROOT / "tests" / "nlu" / "out_of_domain_train.yml"))
    args = ap.parse_args(argv)
    errors: list[str] = []

    training: dict[str, str] = {}
    for f in sorted(rasa.shared.data.get_data_files([args.data], rasa.shared.data.is_nlu_file)):
        for m in load_data(f).intent_examples:
            training.setdefault(norm(m.get("text")), f"{Path(f).name} ({m.get('intent')})")
    catalogue = load_catalogue(Path(args.district))
    for t in catalogue.topics.values():
        for e in t.examples + (t.title,):
            training.setdefault(norm(e), f"catalogue topic {t.id}")
    ood = yaml.safe_load(Path(args.ood_train).read_text(encoding="utf-8")) if Path(args.ood_train).exists() else {}
    for text in items(ood, "near_scope") + items(ood, "chit_chat"):
        training.setdefault(norm(text), "out-of-domain training")

    held: list[tuple] = []  # (text, where)
    per_topic: dict[str, int] = {tid: 0 for tid in catalogue.topics}
    for path in sorted(Path(args.faq_tests).glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for tid, utts in (raw.get("tests") or {}).items():
            if tid not in catalogue.topics:
                errors.append(f"{path.name}: tests for unknown topic '{tid}'")
                continue
            per_topic[tid] += len(utts or [])
            held += [(u, f"{path.name} ({tid})") for u in utts or []]
    for tid, n in per_topic.items():
        if n < MIN_PER_TOPIC:
            errors.append(f"faq tests: topic '{tid}' has {n} test utterances (< {MIN_PER_TOPIC})")
    near_raw = (
        yaml.safe_load(Path(args.near_scope).read_text(encoding="utf-8")) if Path(args.near_scope).exists() else {}
    )
    near, chit = items(near_raw, "near_scope"), items(near_raw, "chit_chat")
    held += [(t, "near_scope_test.yml (near_scope)") for t in near]
    held += [(t, "near_scope_test.yml (chit_chat)") for t in chit]

    for text, where in held:
        if norm(text) in training:
            errors.append(f"overlap: {where} {text!r} is in training ({training[norm(text)]})")
    nlu_test = len(load_data(args.nlu_test).intent_examples)
    total = nlu_test + len(held)
    if total < MIN_TOTAL:
        errors.append(f"held-out utterances: {total} (< {MIN_TOTAL})")
    if len(near) < MIN_NEAR:
        errors.append(f"near-scope tests: {len(near)} (< {MIN_NEAR})")
    if len(chit) < MIN_CHIT:
        errors.append(f"chit-chat tests: {len(chit)} (< {MIN_CHIT})")

    print(
        f"held-out: nlu_test {nlu_test}, faq {len(held) - len(near) - len(chit)} over {len(per_topic)} topics, "
        f"near-scope {len(near)}, chit-chat {len(chit)}; total {total}"
    )
    if errors:
        print(f"\nFAILED ({len(errors)}):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        return 1
    print("OK: no held-out utterance is in training, every topic tested, sizes met.")
    return 0


main = quietly(_check)


if __name__ == "__main__":
    sys.exit(main())

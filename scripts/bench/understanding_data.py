"""The understanding benchmark's held-out sets: nlu_test (services, chit-chat, entities), the FAQ
tests (gold intent ``faq`` + topic) and the near-scope questions (the right outcome is a refusal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scripts.bench.nlu_data import load_test


def load_faq_tests(folder: Path) -> list[dict[str, Any]]:
    """tests/nlu/faq_test/*.yml ``tests: {topic: [utterance]}`` -> set 'faq', gold intent ``faq``."""
    out = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for topic, utts in (raw.get("tests") or {}).items():
            for u in utts or []:
                out.append({"text": str(u), "intent": "faq", "topic": str(topic), "entities": [], "set": "faq"})
    return out


def load_near_scope(path: Path) -> list[dict[str, Any]]:
    """``near_scope:`` [{text, department_hint}] -> set 'near'; ``chit_chat:`` [text] -> set 'chit'.

    Both must be refused (never a service or a FAQ answer); chit-chat must get the ordinary
    out_of_scope answer."""
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for key, which in (("near_scope", "near"), ("chit_chat", "chit")):
        for item in raw.get(key) or []:
            text = item.get("text") if isinstance(item, dict) else item
            hint = item.get("department_hint") if isinstance(item, dict) else None
            if text:
                out.append({"text": str(text), "intent": "out_of_scope", "entities": [], "set": which, "hint": hint})
    return out


def load_all_tests(test: Path, faq_tests: Path, near_scope: Path) -> list[dict[str, Any]]:
    tests = [dict(t, set="nlu") for t in load_test(test)]
    return tests + load_faq_tests(faq_tests) + load_near_scope(near_scope)


def set_sizes(tests: list[dict[str, Any]]) -> dict[str, int]:
    """How many utterances each set has, and how many FAQ topics the FAQ tests cover."""
    sizes = {which: sum(t["set"] == which for t in tests) for which in ("nlu", "faq", "near", "chit")}
    sizes["faq_topics"] = len({t.get("topic") for t in tests if t["set"] == "faq"})
    return sizes

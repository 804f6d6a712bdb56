"""Old model vs candidate: per-intent figures on the held-out sets and the publish verdict.

Plain Python on plain data — the parsing itself runs in scripts/studio_train.py, which loads
both models with Rasa. The held-out sets are the project's: tests/nlu_test.yml (Rasa NLU
YAML; entity annotations are stripped to the text a resident types) and
tests/nlu/faq_test/*.yml (``tests: {topic: [question]}``, gold intent ``faq``, as in the
understanding benchmark). Figures are "as served": ``nlu_fallback`` counts as a wrong intent.

The verdict refuses a candidate whose macro-F1 is lower than the old model's by more than
the margin (SOTONG_STUDIO_MAX_F1_DROP), or that fails a conversation test.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FAQ_INTENT = "faq"
# "[소파](waste_item)" and '[소파]{"entity": "waste_item"}' → "소파"
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")
MAX_EXAMPLES_SHOWN = 40

# Reasons a candidate is refused (Korean wording in the templates).
F1_DROP, CONVERSATION_FAILED, NO_FIGURES = "f1_drop", "conversation_failed", "no_figures"


@dataclass(frozen=True)
class TestItem:
    text: str
    intent: str
    source: str  # "nlu" or "faq:<topic>"


def plain_text(example: str) -> str:
    return _ANNOTATION.sub(r"\1", example).strip()


def load_nlu_tests(path: Path) -> list[TestItem]:
    """Every example of every ``- intent:`` block of a Rasa NLU YAML file."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    items = []
    for block in raw.get("nlu") or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        for line in str(block.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- ") and plain_text(line[2:]):
                items.append(TestItem(plain_text(line[2:]), str(block["intent"]), "nlu"))
    return items


def load_faq_tests(folder: Path) -> list[TestItem]:
    items = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for topic, questions in (raw.get("tests") or {}).items():
            items += [TestItem(str(q).strip(), FAQ_INTENT, f"faq:{topic}") for q in questions or [] if str(q).strip()]
    return items


@dataclass(frozen=True)
class IntentFigures:
    precision: float
    recall: float
    f1: float
    support: int


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def intent_figures(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, IntentFigures]:
    """Precision, recall and F1 of every gold intent (what sklearn's report gives per label)."""
    if len(gold) != len(predicted):
        raise ValueError("one prediction per test item")
    figures = {}
    for intent in sorted(set(gold)):
        tp = sum(g == intent and p == intent for g, p in zip(gold, predicted))
        support = sum(g == intent for g in gold)
        claimed = sum(p == intent for p in predicted)
        precision, recall = _ratio(tp, claimed), _ratio(tp, support)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        figures[intent] = IntentFigures(round(precision, 4), round(recall, 4), round(f1, 4), support)
    return figures


def macro_f1(figures: dict[str, IntentFigures]) -> float:
    return round(sum(f.f1 for f in figures.values()) / len(figures), 4) if figures else 0.0


def score(items: Sequence[TestItem], predicted: Sequence[str]) -> dict[str, Any]:
    """The figures of one model, as stored in the report (JSON)."""
    per_intent = intent_figures([i.intent for i in items], predicted)
    return {
        "macro_f1": macro_f1(per_intent),
        "accuracy": round(_ratio(sum(i.intent == p for i, p in zip(items, predicted)), len(items)), 4),
        "per_intent": {k: vars(v) for k, v in per_intent.items()},
    }


def changed_answers(items: Sequence[TestItem], old: Sequence[str], new: Sequence[str]) -> list[dict[str, str]]:
    """Test questions whose predicted intent changed, those the candidate got wrong first."""
    rows = [{"text": i.text, "gold": i.intent, "old": o, "new": n} for i, o, n in zip(items, old, new) if o != n]
    rows.sort(key=lambda r: (r["new"] == r["gold"], r["gold"]))
    return rows[:MAX_EXAMPLES_SHOWN]


def compare(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per intent: support, old F1 (None without an old model), new F1, change."""
    rows = []
    for intent, fig in sorted(new["per_intent"].items()):
        before = old["per_intent"].get(intent) if old else None
        old_f1 = before["f1"] if before else None
        delta = round(fig["f1"] - old_f1, 4) if old_f1 is not None else None
        rows.append(
            {"intent": intent, "support": fig["support"], "old_f1": old_f1, "new_f1": fig["f1"], "delta": delta}
        )
    rows.sort(key=lambda r: (r["delta"] if r["delta"] is not None else 0.0, r["intent"]))
    return rows


@dataclass(frozen=True)
class Verdict:
    publishable: bool
    reasons: tuple[str, ...]
    f1_drop: float | None


def verdict(report: dict[str, Any] | None, max_drop: float) -> Verdict:
    """Whether a candidate may go live, from its stored report and the margin in force now."""
    if not report or "new" not in report:
        return Verdict(False, (NO_FIGURES,), None)
    reasons = []
    drop = None
    old = report.get("old")
    if old is not None:
        drop = round(old["macro_f1"] - report["new"]["macro_f1"], 4)
        # A hair of tolerance so 0.01 given as the margin admits a drop of exactly 0.01.
        if drop > max_drop + 1e-9:
            reasons.append(F1_DROP)
    conversations = report.get("conversations") or {}
    if not conversations.get("ran") or conversations.get("failed"):
        reasons.append(CONVERSATION_FAILED)
    return Verdict(not reasons, tuple(reasons), drop)


def failed_story_names(text: str) -> list[str]:
    """Story names in Rasa's failed_test_stories.yml (``- story: name``)."""
    raw = yaml.safe_load(text) or {}
    return [str(s.get("story", "?")) for s in raw.get("stories") or [] if isinstance(s, dict)]

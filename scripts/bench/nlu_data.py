"""The NLU benchmark's data: training files, the held-out test set, and what describes them in the report."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rasa.shared.data  # no TensorFlow behind these imports
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from devkit import ROOT


def nlu_files(path: Path) -> list[Path]:
    return sorted(Path(f) for f in rasa.shared.data.get_data_files([str(path)], rasa.shared.data.is_nlu_file))


def load_nlu_dir(path: Path) -> TrainingData:
    return TrainingData().merge(*[load_data(str(f)) for f in nlu_files(path)])


def load_test(path: Path) -> list[dict[str, Any]]:
    """The test set as [{text, intent, entities: [{start, end, entity, value}]}]."""
    td = load_data(str(path))
    return [
        {
            "text": m.get("text"),
            "intent": m.get("intent"),
            "entities": [{k: e.get(k) for k in ("start", "end", "entity", "value")} for e in (m.get("entities") or [])],
        }
        for m in td.intent_examples
    ]


def quick_subset(examples: Sequence[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """n evenly spaced examples (the file is grouped by intent, so this spans the intents)."""
    if len(examples) <= n:
        return list(examples)
    step = len(examples) / n
    return [examples[int(i * step)] for i in range(n)]


def synonym_map(td: TrainingData) -> dict[str, str]:
    """The map EntitySynonymMapper builds: lower-cased surface -> canonical value."""
    syn: dict[str, str] = {}
    for original, canonical in td.entity_synonyms.items():
        syn[str(original).lower()] = str(canonical)
        syn.setdefault(str(canonical).lower(), str(canonical))
    return syn


def files_digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def rel(p: Path) -> str:
    """A path as the report shows it: relative to the checkout when inside it."""
    try:
        return str(p.resolve().relative_to(ROOT))
    except ValueError:
        return str(p)


def describe(
    train_dir: Path,
    train_td: TrainingData,
    test_file: Path,
    all_tests: Sequence[dict[str, Any]],
    tests: Sequence[dict[str, Any]],
    digest_of: Sequence[Path],
) -> dict[str, Any]:
    """The report's "Data" figures; ``tests`` is the part of ``all_tests`` this run uses."""
    return {
        "train_dir": rel(train_dir),
        "test_file": rel(test_file),
        "train_examples": len(train_td.intent_examples),
        "train_entity_examples": len(train_td.entity_examples),
        "train_intents": len(train_td.intents),
        "synonyms": len(train_td.entity_synonyms),
        "lookup_entries": sum(
            len(t.get("elements") or []) if isinstance(t.get("elements"), list) else 0 for t in train_td.lookup_tables
        ),
        "test_examples": len(all_tests),
        "test_examples_used": len(tests),
        "test_entities": sum(len(t["entities"]) for t in all_tests),
        "test_intents": len({t["intent"] for t in all_tests}),
        "test_entities_used": sum(len(t["entities"]) for t in tests),
        "test_intents_used": len({t["intent"] for t in tests}),
        "digest": files_digest(digest_of),
    }

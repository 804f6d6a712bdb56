"""Which catalogue topic a FAQ question is about, learnt from the catalogue's own examples.

The NLU decides *that* a message is a FAQ question (intent ``faq``); this picks *which*
topic. It is fitted from ``district/<name>/faq/*.yml`` when the catalogue is loaded (about
a second for 130 topics), so staff who add examples or a whole topic see the effect
without a Rasa retrain. Why this and not Rasa's ResponseSelector: on the held-out FAQ
tests it picks the right topic more often and costs no training time in `make train`
(figures in docs/benchmarks.md, "Understanding").

Character n-grams (within words, and over the text with spaces removed) feed a linear
SVM: residents type without spaces and with typos, and n-grams survive both. Besides one
class per topic the SVM has a "none of them" class, fitted from the questions the NLU is
taught to refuse (data/nlu/out_of_scope.yml: 구청 matters the catalogue does not cover,
other agencies, small talk; intents ask_uncovered_matter and out_of_scope): a near-miss
question ("토지대장", "동물등록") then lands on that class instead of on the closest topic.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC

from sotong.faq.catalogue import Catalogue, Topic
from sotong.faq.guess import TopicIndex
from sotong.settings import PROJECT_ROOT

C = 1.0
# The best topic is answered only when the SVM is sure enough (MIN_SCORE), it beats every
# other class, "none of them" included, by MIN_MARGIN, AND the question shares enough
# specific wording with the topic's own examples (MIN_SIMILARITY, n-gram cosine from
# sotong/faq/guess.py). Below any of them the bot refuses honestly and offers the candidates
# as buttons (the right topic is among them for most real FAQ questions), because a wrong
# answer costs more than one tap. Picked on training data only (held-out folds of the
# catalogue and of the refusal examples); table in docs/benchmarks.md.
MIN_SCORE = -0.5
MIN_MARGIN = 0.2
MIN_SIMILARITY = 0.05
NONE = "__none__"  # the "none of them" class
# Questions to refuse, as the NLU is taught them (Rasa NLU YAML): small talk (out_of_scope) and
# public matters the catalogue does not cover (ask_uncovered_matter).
NEGATIVES = PROJECT_ROOT / "data" / "nlu" / "out_of_scope.yml"
REFUSED_INTENTS = ("out_of_scope", "ask_uncovered_matter")
_SPACES = re.compile(r"\s+")


def _no_spaces(text: str) -> str:
    return _SPACES.sub("", text.lower())


def _vectorizer():
    return make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, preprocessor=_no_spaces),
    )


def training_pairs(catalogue: Catalogue) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for t in catalogue.topics.values():
        for e in (t.title,) + t.examples:
            texts.append(e)
            labels.append(t.id)
    return texts, labels


@cache
def _negatives_at(path: Path, mtime_ns: int) -> tuple[str, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for block in raw.get("nlu") or []:
        if block.get("intent") in REFUSED_INTENTS:
            out += [line.strip()[2:].strip() for line in str(block.get("examples") or "").splitlines()]
    return tuple(t for t in out if t)


def load_negatives(path: Path = NEGATIVES) -> tuple[str, ...]:
    """The refusal examples (re-read when the file changes); none when the file is missing."""
    try:
        return _negatives_at(path, path.stat().st_mtime_ns)
    except (OSError, yaml.YAMLError, AttributeError):
        return ()


@dataclass(frozen=True)
class Candidate:
    topic: Topic
    score: float  # SVM decision value: > 0 means "this topic" in one-vs-rest terms
    similarity: float  # n-gram cosine between the question and the topic's examples
    margin: float = 0.0  # score minus the best other class's ("none of them" included)

    @property
    def confident(self) -> bool:
        return self.score >= MIN_SCORE and self.margin >= MIN_MARGIN and self.similarity >= MIN_SIMILARITY


class TopicSelector:
    def __init__(self, catalogue: Catalogue, negatives: Sequence[str] | None = None) -> None:
        self.catalogue = catalogue
        texts, labels = training_pairs(catalogue)
        self.ready = len(set(labels)) >= 2
        self.index = TopicIndex(catalogue)
        if self.ready:
            refuse = list(load_negatives() if negatives is None else negatives)
            self.vectorizer = _vectorizer()
            x = self.vectorizer.fit_transform(texts + refuse)
            self.model = LinearSVC(C=C).fit(x, labels + [NONE] * len(refuse))

    def rank(self, text: str, limit: int = 3) -> list[Candidate]:
        """The best topics, best first ("none of them" is never a candidate, only a rival)."""
        if not self.ready or not (text or "").strip():
            return []
        scores = self.model.decision_function(self.vectorizer.transform([text]))[0]
        order = np.argsort(-scores)
        out = []
        for i in order:
            tid = self.model.classes_[i]
            if tid == NONE:
                continue
            best_other = max(float(scores[j]) for j in order[:2] if j != i)
            out.append(
                Candidate(
                    self.catalogue.topics[tid],
                    float(scores[i]),
                    self.index.similarity(text, tid),
                    float(scores[i]) - best_other,
                )
            )
            if len(out) == limit:
                break
        return out


def without(catalogue: Catalogue, skip: set) -> Catalogue:
    topics = {
        t.id: replace(t, examples=tuple(e for i, e in enumerate(t.examples, 1) if (t.id, i) not in skip))
        for t in catalogue.topics.values()
    }
    return Catalogue(catalogue.areas, topics)


def held_out_scores(
    catalogue: Catalogue, folds: int = 5, negatives: Sequence[str] | None = None
) -> tuple[list[tuple[Candidate, bool]], list[Candidate]]:
    """(best candidate, right topic?) for every catalogue example, and the best candidate for
    every refusal example, each predicted by a selector fitted without it (k folds over each
    topic's examples and over the refusal examples; titles always stay in): the data the
    thresholds are calibrated on, never the test set."""
    refuse = list(load_negatives() if negatives is None else negatives)
    out: list[tuple[Candidate, bool]] = []
    refused_out: list[Candidate] = []
    for k in range(folds):
        skip = {(t.id, i) for t in catalogue.topics.values() for i in range(1, len(t.examples) + 1) if i % folds == k}
        sel = TopicSelector(without(catalogue, skip), [n for j, n in enumerate(refuse) if j % folds != k])
        for tid, i in sorted(skip):
            best = sel.rank(catalogue.topics[tid].examples[i - 1], 1)
            if best:
                out.append((best[0], best[0].topic.id == tid))
        refused_out += [c[0] for c in (sel.rank(n, 1) for j, n in enumerate(refuse) if j % folds == k) if c]
    return out, refused_out


_selectors: dict[int, TopicSelector] = {}
_lock = threading.Lock()


def selector_for(catalogue: Catalogue) -> TopicSelector:
    """One fitted selector per loaded catalogue (refitted when staff change a file)."""
    with _lock:
        sel = _selectors.get(id(catalogue))
        if sel is None or sel.catalogue is not catalogue:
            _selectors.clear()
            sel = _selectors[id(catalogue)] = TopicSelector(catalogue)
        return sel


def select(catalogue: Catalogue, text: str, limit: int = 3) -> Sequence[Candidate]:
    return selector_for(catalogue).rank(text, limit)

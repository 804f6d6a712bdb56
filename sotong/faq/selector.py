"""Which catalogue topic a FAQ question is about, learnt from the catalogue's own examples.

The NLU decides *that* a message is a FAQ question (intent ``faq``); this picks *which*
topic. It is fitted from ``district/<name>/faq/*.yml`` when the catalogue is loaded (about
a second for 130 topics), so staff who add examples or a whole topic see the effect
without a Rasa retrain. Why this and not Rasa's ResponseSelector: on the held-out FAQ
tests it picks the right topic more often and costs no training time in `make train`
(figures in docs/benchmarks.md, "Understanding").

Character n-grams (within words, and over the text with spaces removed) feed a linear
SVM: residents type without spaces and with typos, and n-grams survive both.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import make_union
from sklearn.svm import LinearSVC

from sotong.faq.catalogue import Catalogue, Topic
from sotong.faq.guess import TopicIndex

C = 1.0
# The best topic is answered only when the SVM is not unsure (MIN_SCORE) AND the question
# shares enough specific wording with the topic's own examples (MIN_SIMILARITY, n-gram
# cosine from sotong/faq/guess.py): near-miss questions about things the catalogue does
# not cover ("토지대장", "동물등록") otherwise land on some topic with a fair SVM score.
# Below either, the bot refuses honestly and offers the candidates as buttons (the right
# topic is among them for most real FAQ questions), because a wrong answer costs more than
# one tap. Picked on training data only (held-out folds of the catalogue and the
# out-of-domain training questions); table in docs/benchmarks.md.
MIN_SCORE = -0.5
MIN_SIMILARITY = 0.10
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


@dataclass(frozen=True)
class Candidate:
    topic: Topic
    score: float  # SVM decision value: > 0 means "this topic" in one-vs-rest terms
    similarity: float  # n-gram cosine between the question and the topic's examples

    @property
    def confident(self) -> bool:
        return self.score >= MIN_SCORE and self.similarity >= MIN_SIMILARITY


class TopicSelector:
    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        texts, labels = training_pairs(catalogue)
        self.ready = len(set(labels)) >= 2
        self.index = TopicIndex(catalogue)
        if self.ready:
            self.vectorizer = _vectorizer()
            self.model = LinearSVC(C=C).fit(self.vectorizer.fit_transform(texts), labels)

    def rank(self, text: str, limit: int = 3) -> list[Candidate]:
        if not self.ready or not (text or "").strip():
            return []
        scores = self.model.decision_function(self.vectorizer.transform([text]))[0]
        order = np.argsort(-scores)[:limit]
        return [
            Candidate(
                self.catalogue.topics[self.model.classes_[i]],
                float(scores[i]),
                self.index.similarity(text, self.model.classes_[i]),
            )
            for i in order
        ]


def without(catalogue: Catalogue, skip: set) -> Catalogue:
    topics = {
        t.id: replace(t, examples=tuple(e for i, e in enumerate(t.examples, 1) if (t.id, i) not in skip))
        for t in catalogue.topics.values()
    }
    return Catalogue(catalogue.areas, topics)


def held_out_scores(catalogue: Catalogue, folds: int = 5) -> list[tuple[Candidate, bool]]:
    """(best candidate, right topic?) for every catalogue example, each predicted by a selector
    fitted without it (k-fold over each topic's examples; titles always stay in): the data
    the refusal thresholds are calibrated on, never the test set."""
    out: list[tuple[Candidate, bool]] = []
    for k in range(folds):
        skip = {(t.id, i) for t in catalogue.topics.values() for i in range(1, len(t.examples) + 1) if i % folds == k}
        sel = TopicSelector(without(catalogue, skip))
        for tid, i in sorted(skip):
            best = sel.rank(catalogue.topics[tid].examples[i - 1], 1)
            if best:
                out.append((best[0], best[0].topic.id == tid))
    return out


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

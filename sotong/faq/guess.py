"""Where to send a question the bot cannot answer: the closest catalogue topics and the
department most likely to handle it.

Character n-grams (TF-IDF, cosine) over each topic's title and examples: Korean
residents type without spaces and with typos, and n-grams survive both without a
morphological analyzer, so this stays in the civic core with no Rasa or TensorFlow.
It ranks; it does not decide whether the bot *answers* — the NLU does that.

A keyword from the district's department directory (departments.yml) names a department
even when no topic is close. When no topic shares wording with the question, a keyword found
inside a word rather than at its start ("의견인데요" holds 견인) or a short one (강아지) makes
the guess ``tentative``: the bot offers it as a maybe and does not count it as a failed turn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from sotong.faq.catalogue import Catalogue, Topic
from sotong.faq.departments import DepartmentDirectory, squash

NGRAMS = (2, 3)
TITLE_WEIGHT = 3  # a topic's title names it better than any single example
# Below this best-topic similarity the topics say nothing about the question: picked on the
# out-of-domain *training* questions (tests/nlu/out_of_domain_train.yml), before the department
# directory existed: at 0.08, 36 % of the civic ones got a department from the topics and 2 % of
# the small talk did (at 0.12: 17 % / 0 %; at 0.05: 65 % / 17 %). With the directory the share of
# small talk pointed somewhere is measured by the benchmark (docs/benchmarks.md).
CIVIC_MIN_SCORE = 0.08
# With no close topic, a directory keyword this short or shorter only makes a tentative guess.
SHORT_KEYWORD = 3

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def grams(text: str) -> Counter:
    s = _DROP.sub("", text or "").casefold()
    out: Counter = Counter()
    for n in NGRAMS:
        out.update(s[i : i + n] for i in range(len(s) - n + 1))
    return out


@dataclass(frozen=True)
class Guess:
    department: str | None
    phone: str | None
    score: float  # best topic's cosine similarity, 0..1
    topics: tuple[Topic, ...]  # closest topics that clear the civic bar, best first (the buttons)
    keyword: str | None = None  # the directory keyword that named the department, if one did
    tentative: bool = False  # a keyword inside a word, no topic wording: say it as a maybe, do not count it
    topic_id: str | None = None  # the directory says this catalogue topic answers the matter
    sample: bool = False  # the department's name or phone is sample data

    @property
    def civic(self) -> bool:
        return self.department is not None


class TopicIndex:
    """An n-gram index of the catalogue, built once per catalogue object."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        docs: dict[str, Counter] = {}
        for t in catalogue.topics.values():
            c: Counter = Counter()
            for _ in range(TITLE_WEIGHT):
                c.update(grams(t.title))
            for e in t.examples:
                c.update(grams(e))
            docs[t.id] = c
        n = max(len(docs), 1)
        df: Counter = Counter(g for c in docs.values() for g in c)
        self.idf = {g: math.log((1 + n) / (1 + d)) + 1.0 for g, d in df.items()}
        self.vectors = {tid: self._weigh(c) for tid, c in docs.items()}

    def _weigh(self, counts: Counter) -> dict[str, float]:
        # unknown n-grams get the highest idf: they are specific, but match no topic anyway
        top = max(self.idf.values(), default=1.0)
        v = {g: (1 + math.log(k)) * self.idf.get(g, top) for g, k in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {g: x / norm for g, x in v.items()}

    def similarity(self, text: str, topic_id: str) -> float:
        v = self.vectors.get(topic_id) or {}
        return sum(w * v.get(g, 0.0) for g, w in self._weigh(grams(text)).items())

    def rank(self, text: str, limit: int = 3) -> list[tuple[Topic, float]]:
        q = self._weigh(grams(text))
        scored = []
        for tid, v in self.vectors.items():
            s = sum(w * v.get(g, 0.0) for g, w in q.items())
            if s > 0:
                scored.append((s, tid))
        scored.sort(key=lambda x: (-x[0], x[1]))
        return [(self.catalogue.topics[tid], s) for s, tid in scored[:limit]]

    def guess(
        self,
        text: str,
        limit: int = 3,
        min_score: float = CIVIC_MIN_SCORE,
        directory: DepartmentDirectory | None = None,
    ) -> Guess:
        """The closest topics and, when the question looks civic, their department.

        A keyword from the district's department directory decides first: staff wrote it to
        say "this matter is ours", which covers departments that own no catalogue topic.
        Otherwise the department is the one whose topics score highest in total among the
        ten closest, so one lucky n-gram in a single topic does not outvote several close
        ones. The phone comes from the directory when it lists the department, so a
        department has one number wherever it is named.
        """
        ranked = self.rank(text, limit=max(limit, 10))
        best = ranked[0][1] if ranked else 0.0
        # Buttons only for topics that share real wording with the question: "길고양이 중성화"
        # offered 장애인 주차구역 and 아동수당 (similarity 0.014), which only looks careless.
        close = [(t, s) for t, s in ranked if s >= min_score]
        hit = directory.match(text) if directory else None
        if directory and hit:
            d = hit.department
            own = tuple(t for t, _ in close if t.department == d.name)[:limit]
            # a short keyword (강아지, 유기견) says less than 층간소음 or 공시지가: "우리 강아지 너무 귀여워"
            tentative = not close and (not hit.at_word_start or len(squash(hit.keyword)) <= SHORT_KEYWORD)
            return Guess(d.name, d.phone, best, own, hit.keyword, tentative, d.topic, directory.is_sample(d))
        topics = tuple(t for t, _ in close[:limit])
        if not close:
            return Guess(None, None, best, topics)
        totals: dict[str, float] = {}
        for t, s in ranked:
            totals[t.department] = totals.get(t.department, 0.0) + s
        department = max(totals, key=lambda d: (totals[d], d == ranked[0][0].department))
        listed = directory.by_name(department) if directory else None
        if listed and listed.external and listed.topic:
            # An emergency line (a national number whose matters a topic answers outright: 119/112)
            # is named only by its own keywords: "엘리베이터 점검 일정" is close to the emergency
            # topic's 갇혔어요 and must not be told to phone 119. No department: the main number, 120.
            return Guess(None, None, best, topics)
        if directory and listed:
            return Guess(department, listed.phone, best, topics, sample=directory.is_sample(listed))
        mine = [t for t, _ in ranked if t.department == department]
        return Guess(department, mine[0].phone, best, topics, sample=any(t.sample for t in mine))


_indexes: dict[int, TopicIndex] = {}


def index_for(catalogue: Catalogue) -> TopicIndex:
    """One index per loaded catalogue (load_catalogue returns the same object until a file changes)."""
    idx = _indexes.get(id(catalogue))
    if idx is None or idx.catalogue is not catalogue:
        _indexes.clear()  # only the current catalogue matters; drop indexes of edited-away ones
        idx = _indexes[id(catalogue)] = TopicIndex(catalogue)
    return idx

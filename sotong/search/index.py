"""Search over the service catalogue: typo-tolerant, spacing-blind, and by initials (초성).

Each service contributes terms — its title, its keywords, and for FAQ topics the
residents' example questions — each with a weight. A query is matched by the share of
its jamo bigrams and trigrams that a term contains (so "여궈" still finds 여권 and
"전입신고어디서" finds "전입신고 어디서 해요"); a query of bare consonants is matched
against the terms' initials ("ㅇㄱ" → 여권 발급). An inverted index from n-gram to term
keeps a query to a few thousand dictionary steps: well under a millisecond or two.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sotong.search.catalogue import Service, ServiceCatalogue
from sotong.search.text import grams, initials, is_initials_query, normalize

MAX_QUERY = 40  # characters after normalising; longer input is cut, never an error here
MIN_COVERAGE = 0.6  # share of the query's n-grams a term must contain
RELATIVE_FLOOR = 0.55  # hits scoring under this share of the best one are dropped
TITLE, KEYWORD, EXAMPLE = 1.0, 0.9, 0.75


@dataclass(frozen=True)
class Hit:
    service: Service
    score: float
    matched: str  # the term that matched best (shown to explain a result)


@dataclass(frozen=True)
class _Term:
    service: int
    text: str  # normalised
    shown: str  # as written
    weight: float
    size: int  # number of n-grams


class SearchIndex:
    def __init__(self, catalogue: ServiceCatalogue):
        self.catalogue = catalogue
        self._terms: list[_Term] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._initials: list[tuple[str, int]] = []  # (initials of a title/keyword, term id)
        for sid, service in enumerate(catalogue.services):
            self._add(sid, service.title, TITLE, with_initials=True)
            weight = EXAMPLE if service.kind == "faq" else KEYWORD
            for term in service.terms:
                self._add(sid, term, weight, with_initials=weight == KEYWORD)

    def _add(self, sid: int, shown: str, weight: float, with_initials: bool) -> None:
        text = normalize(shown)
        if not text:
            return
        found = grams(text)
        tid = len(self._terms)
        self._terms.append(_Term(sid, text, shown, weight, len(found)))
        for g in found:
            self._postings[g].append(tid)
        if with_initials:
            self._initials.append((initials(text), tid))

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        q = normalize(query)[:MAX_QUERY]
        if not q or limit <= 0:
            return []
        scores = self._by_initials(q) if is_initials_query(q) else self._by_grams(q)
        best: dict[int, tuple[float, int]] = {}
        for tid, score in scores.items():
            sid = self._terms[tid].service
            if sid not in best or score > best[sid][0]:
                best[sid] = (score, tid)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
        if ranked:  # far weaker than the best hit: noise, not an answer
            floor = RELATIVE_FLOOR * ranked[0][1][0]
            ranked = [item for item in ranked if item[1][0] >= floor]
        return [
            Hit(self.catalogue.services[sid], round(score, 4), self._terms[tid].shown) for sid, (score, tid) in ranked
        ]

    def _by_initials(self, q: str) -> dict[int, float]:
        scores: dict[int, float] = {}
        for spelt, tid in self._initials:
            at = spelt.find(q)
            if at < 0:
                continue
            term = self._terms[tid]
            # A prefix beats a match inside; a short term beats a long one ("ㅇㄱ": 여권 before 여권 재발급).
            scores[tid] = term.weight * (1.0 if at == 0 else 0.8) + 0.1 * len(q) / len(spelt)
        return scores

    def _by_grams(self, q: str) -> dict[int, float]:
        wanted = grams(q)
        counts: dict[int, int] = defaultdict(int)
        for g in wanted:
            for tid in self._postings.get(g, ()):
                counts[tid] += 1
        scores: dict[int, float] = {}
        need = MIN_COVERAGE * len(wanted)
        for tid, shared in counts.items():
            if shared < need:
                continue
            term = self._terms[tid]
            coverage = shared / len(wanted)
            tightness = shared / term.size  # how much of the term the query explains
            exact = 0.1 if q in term.text else 0.0
            scores[tid] = term.weight * (coverage + exact) + 0.1 * tightness
        return scores

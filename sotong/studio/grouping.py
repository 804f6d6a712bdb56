"""Near-identical messages grouped, so the inbox shows "전입신고 어케해요 ×12" once.

Two messages are near-identical when their normalised forms (case, spaces, punctuation,
repeated letters and trailing laughter dropped) are the same, or their character-bigram
sets overlap by at least ``threshold`` (Jaccard). Greedy and in order: each message joins
the closest group (the earlier one on a tie), so the result does not depend on
anything but the input order (newest first). Cost is messages × groups, with the groups
indexed by normalised form first; the inbox caps the number of messages it reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_THRESHOLD = 0.75
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_LAUGHTER = re.compile(r"[ㅋㅎㅠㅜ]+$")
_REPEATS = re.compile(r"(.)\1{2,}")


def normalise(text: str) -> str:
    """The form grouping compares: NFC, case-folded, no spaces or punctuation, no ㅋㅋㅋ tail."""
    t = unicodedata.normalize("NFC", text or "").casefold()
    t = _NOISE.sub("", t)
    t = _LAUGHTER.sub("", t)
    return _REPEATS.sub(r"\1\1", t)


def bigrams(norm: str) -> frozenset[str]:
    if len(norm) < 2:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@dataclass
class Group(Generic[T]):
    """Members in input order; the first is the representative (the newest, given newest first)."""

    key: str
    grams: frozenset[str]
    members: list[T] = field(default_factory=list)

    @property
    def first(self) -> T:
        return self.members[0]

    @property
    def count(self) -> int:
        return len(self.members)


def group(items: Iterable[T], text_of: Callable[[T], str], threshold: float = DEFAULT_THRESHOLD) -> list[Group[T]]:
    """Greedy grouping of ``items`` by their text; groups in order of their first member."""
    groups: list[Group[T]] = []
    by_key: dict[str, Group[T]] = {}
    for item in items:
        key = normalise(text_of(item))
        found = by_key.get(key)
        if found is None:
            grams = bigrams(key)
            found = _closest(groups, grams, threshold)
            if found is None:
                found = Group(key, grams)
                groups.append(found)
            by_key[key] = found
        found.members.append(item)
    return groups


def _closest(groups: Sequence[Group[T]], grams: frozenset[str], threshold: float) -> Group[T] | None:
    best: Group[T] | None = None
    best_score = 0.0
    for g in groups:
        # Jaccard can reach the threshold only if the sizes are close enough.
        small, large = sorted((len(g.grams), len(grams)))
        if large and small / large < threshold:
            continue
        score = similarity(g.grams, grams)
        if score >= threshold and (best is None or score > best_score):  # ties: the earlier group
            best, best_score = g, score
    return best

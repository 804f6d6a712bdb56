"""Korean text for matching: normalised, split into jamo, reduced to initial consonants (초성).

A resident types on a phone: spaces go missing ("전입신고어디서"), a final consonant
slips ("여궈"), or only the initials come out ("ㅇㄱ" for 여권). Matching on jamo
n-grams instead of whole syllables makes one wrong keystroke cost one or two n-grams,
not the whole syllable.
"""

from __future__ import annotations

import re
import unicodedata

_SYL_BASE, _SYL_LAST = 0xAC00, 0xD7A3
# Compatibility jamo (what a keyboard produces on its own) for the 19 initials,
# 21 medials and 27 finals of a composed syllable.
_CHO = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_JUNG = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_JONG = ("", *"ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")
_CONSONANTS = frozenset(_CHO)
# Everything that is not a letter or digit goes: spacing and punctuation carry no meaning here.
_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """NFC, case-folded, without spaces or punctuation ("여권 발급!" → "여권발급")."""
    return _NOISE.sub("", unicodedata.normalize("NFC", text or "").casefold())


def jamo(text: str) -> str:
    """Each composed syllable spelt out in compatibility jamo ("여권" → "ㅇㅕㄱㅝㄴ"); other characters kept."""
    out = []
    for ch in text:
        code = ord(ch)
        if _SYL_BASE <= code <= _SYL_LAST:
            index = code - _SYL_BASE
            out.append(_CHO[index // 588] + _JUNG[(index % 588) // 28] + _JONG[index % 28])
        else:
            out.append(ch)
    return "".join(out)


def initials(text: str) -> str:
    """The initial consonant of each syllable ("여권발급" → "ㅇㄱㅂㄱ"); other characters kept."""
    out = []
    for ch in text:
        code = ord(ch)
        out.append(_CHO[(code - _SYL_BASE) // 588] if _SYL_BASE <= code <= _SYL_LAST else ch)
    return "".join(out)


def is_initials_query(normalized: str) -> bool:
    """Only bare consonants ("ㅇㄱ"): the resident means initials, not jamo to be matched as typed."""
    return bool(normalized) and all(ch in _CONSONANTS for ch in normalized)


def grams(text: str) -> frozenset[str]:
    """Jamo bigrams and trigrams of an already normalised text (a 1-character text: itself)."""
    spelt = jamo(text)
    if len(spelt) < 2:
        return frozenset({spelt}) if spelt else frozenset()
    found = {spelt[i : i + 2] for i in range(len(spelt) - 1)}
    found.update(spelt[i : i + 3] for i in range(len(spelt) - 2))
    return frozenset(found)

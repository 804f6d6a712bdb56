"""Fitting text into Kakao's character limits without losing any of it.

`split_text` cuts long text into pieces at the most natural boundary it can find
(paragraph, line, sentence, word) and only hard-cuts a single run of text longer
than the limit. Only whitespace at the cut points is removed, so the pieces,
read in order, are the whole text. `shorten` is for places where Kakao offers
one short field (button labels, card titles): the caller keeps the full text
elsewhere (messageText, a following text bubble).
"""

from __future__ import annotations

import re

ELLIPSIS = "…"

# Sentence ends: Latin/CJK end punctuation, optionally closed by quotes or
# brackets, followed by whitespace. Korean polite endings ("…요.", "…다.")
# nearly always carry a period, so this finds sentence ends in Korean too.
_SENTENCE_END = re.compile(r"[.!?。！？…](?:[\"'”’」』)\]]*)(?=\s)")
_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")
_SPACE = re.compile(r"\s")
_BRACKETED = re.compile(r"\s*[(\[（［][^()\[\]（）［］]*[)\]）］]")
_WHITESPACE_RUN = re.compile(r"\s+")


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into non-empty, stripped pieces of at most `limit` characters."""
    if limit < 1:
        raise ValueError("limit must be positive")
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _best_cut(rest, limit)
        head = rest[:cut].rstrip()
        rest = rest[cut:].lstrip()
        if head:
            pieces.append(head)
    if rest:
        pieces.append(rest)
    return pieces


def _best_cut(text: str, limit: int) -> int:
    """Index (1..limit) to cut `text` at: the latest natural boundary that keeps pieces sizeable."""
    window = text[: limit + 1]  # +1: whitespace right after the limit is a fine cut too
    # Prefer boundaries in the second half so we do not produce a tiny first piece;
    # fall back to anywhere in the window before resorting to a hard cut.
    for floor in (limit // 2, 1):
        for pattern, use_end in ((_PARAGRAPH, False), (_LINE, False), (_SENTENCE_END, True), (_SPACE, False)):
            cut = _last_match(pattern, window, floor, limit, use_end)
            if cut is not None:
                return cut
    return limit


def _last_match(pattern: "re.Pattern[str]", window: str, floor: int, limit: int, use_end: bool) -> int | None:
    best = None
    for match in pattern.finditer(window):
        cut = match.end() if use_end else match.start()
        if floor <= cut <= limit:
            best = cut
    return best


def shorten(text: str, limit: int) -> str:
    """A readable version of `text` of at most `limit` characters.

    Collapses whitespace, then drops bracketed asides ("대형폐기물 신고 (인터넷)"),
    then cuts at a word boundary with an ellipsis, and only then mid-word.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    clean = _WHITESPACE_RUN.sub(" ", text).strip()
    if len(clean) <= limit:
        return clean
    without_asides = _WHITESPACE_RUN.sub(" ", _BRACKETED.sub("", clean)).strip()
    if without_asides and len(without_asides) <= limit:
        return without_asides
    if limit == 1:
        return clean[:1]
    source = without_asides or clean
    room = limit - len(ELLIPSIS)
    space = source.rfind(" ", 0, room + 1)
    if space >= max(1, room // 2):
        head = source[:space].rstrip(" ,.·-/")
        if head:
            return head + ELLIPSIS
    return source[:room].rstrip() + ELLIPSIS

"""How an answer will look before it is saved: on KakaoTalk (every limit of the skill API,
docs/kakao-skill-api.md) and on the web widget.

KakaoTalk: a simpleText over 500 characters shows "전체 보기" (folded), over 1,000 it is cut;
a button or quick reply label over 14 characters is cut silently; at most 3 buttons on a
card, 10 quick replies and 3 outputs. A FAQ answer is shown in its frame
(data/responses/faq.yml: "{answer}\\n문의: {department} ({phone})" with its buttons), so the
count is the resident's, not the bare answer's. ``{placeholders}`` of a response are shown
as the action will fill them when a sample value is known, else as ⟨name⟩.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

TEXT_FOLD = 500  # "전체 보기" beyond this
TEXT_MAX = 1000  # simpleText limit: cut beyond
LABEL_MAX = 14  # button / quick reply label
BUTTONS_MAX = 3  # on a basicCard
QUICK_REPLIES_MAX = 10
OUTPUTS_MAX = 3
FAQ_ANSWER_MAX = 400  # the catalogue's own limit (sotong.faq.catalogue.MAX_ANSWER)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Label:
    text: str
    shown: str  # what KakaoTalk shows (cut at 14)
    too_long: bool


@dataclass(frozen=True)
class Preview:
    text: str  # the whole message as sent
    length: int
    folded_at: int | None  # KakaoTalk shows "전체 보기" after this many characters
    cut: bool  # longer than simpleText allows
    kakao_text: str  # what KakaoTalk shows before "전체 보기" (or all)
    buttons: tuple[Label, ...]
    quick_replies: tuple[Label, ...]
    problems: tuple[str, ...] = field(default=())  # codes the template words

    @property
    def ok(self) -> bool:
        return not self.problems


def _labels(titles: Sequence[str]) -> tuple[Label, ...]:
    return tuple(Label(t, t[:LABEL_MAX], len(t) > LABEL_MAX) for t in titles)


def fill(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), f"⟨{m.group(1)}⟩"), text)


def preview(
    text: str,
    buttons: Sequence[str] = (),
    quick_replies: Sequence[str] = (),
    *,
    limit: int = TEXT_MAX,
    outputs: int = 1,
) -> Preview:
    problems = []
    length = len(text)
    if length > limit:
        problems.append("too_long")
    b, q = _labels(buttons), _labels(quick_replies)
    if any(x.too_long for x in b + q):
        problems.append("label_too_long")
    if len(b) > BUTTONS_MAX:
        problems.append("too_many_buttons")
    if len(q) > QUICK_REPLIES_MAX:
        problems.append("too_many_quick_replies")
    if outputs > OUTPUTS_MAX:
        problems.append("too_many_outputs")
    folded_at = TEXT_FOLD if length > TEXT_FOLD else None
    shown = text[:TEXT_FOLD] if folded_at else text
    return Preview(text, length, folded_at, length > TEXT_MAX, shown, b, q, tuple(problems))


def faq_preview(
    answer: str,
    department: str,
    phone: str,
    online_name: str | None = None,
    related_titles: Sequence[str] = (),
) -> tuple[Preview, Preview]:
    """(the answer alone against the catalogue's 400, the whole KakaoTalk message in its frame)."""
    bare = preview(answer, limit=FAQ_ANSWER_MAX)
    framed_text = f"{answer}\n문의: {department} ({phone})"
    buttons = ([f"{online_name} 바로 가기"] if online_name else []) + ["전화 문의"]
    # answer, "함께 많이 찾는 내용도 있어요." with the related topics: two outputs
    framed = preview(framed_text, buttons, related_titles, outputs=2 if related_titles else 1)
    return bare, framed


def response_preview(text: str, buttons: Sequence[str], samples: Mapping[str, str]) -> Preview:
    return preview(fill(text, samples), [fill(b, samples) for b in buttons])

"""What staff may see of a resident's message: personal data masked before any page shows it.

Masked: phone numbers (also +82 forms), e-mail addresses, car plates (12가3456 → 12가****),
road-name and lot-number addresses (서곶로 123 → 서곶로 ***, 청라동 12-3 → 청라동 ***,
45번지 → ***번지, 101동 202호 → ***동 ***호), resident registration numbers, and names where a
sentence introduces one (제 이름은 홍길동 → 제 이름은 홍**, 김철수 씨 → 김** 씨). The values the
bot itself collected in that conversation (the report's address and description, a phone
being verified) are masked wherever they appear, whatever their shape.

Masking errs towards hiding: a word wrongly masked costs a trainer a guess; a name shown
costs a resident their privacy. ``looks_personal`` tells the teach page when a sentence
about to become training data still holds something personal (or a mask).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sotong.notifications.masking import mask_phones

_INTL_PHONE = re.compile(r"\+\s?82[-. ]?\(?0?\)?(\d{1,2})[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_RRN = re.compile(r"(?<!\d)\d{6}\s?-\s?[1-8]\d{6}(?!\d)")  # 주민등록번호
_PLATE = re.compile(r"(?<!\d)(\d{2,3})\s?([가-힣])\s?\d{4}(?!\d)")
# A road name (…로, …길, with an optional 번길) followed by a building number: 서곶로 123, 청라대로 12-3,
# 가정로123번길 4. The name is kept (it says which area), the numbers are masked.
_ROAD = re.compile(
    r"([가-힣A-Za-z0-9]+(?:로|길)(?:\s?\d+(?:번)?길)?)\s?\d+(?:-\d+)?(?:번지)?(?![\d가-힣]*[년월일시분원개명])"
)
# A 동/리 with a lot number: 청라동 12-3, 마전동 산 45, 당하동 123번지
_LOT = re.compile(r"([가-힣]+[동리])\s?(?:산\s?)?\d+(?:-\d+)?(?:번지)?(?![\d가-힣]*[년월일시분원개명층])")
_BUNJI = re.compile(r"(?<![\d*])\d+(?:-\d+)?\s?번지")
_APT_UNIT = re.compile(r"(?<![\d*])\d{1,4}\s?동\s?\d{1,4}\s?호")
_UNIT = re.compile(r"(?<![\d*])\d{2,4}\s?호(?![가-힣])")

# Common surnames (those of ~95% of residents); a name is one of these and 1-3 more syllables.
SURNAMES = "김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진지엄채원천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형피두감음빈동온호범좌팽승간상갈단견당"
_NAME = f"[{SURNAMES}][가-힣]{{1,3}}"
# "제 이름은 홍길동", "성함은 김철수", "저는 홍길동이에요/입니다" — the name after the introduction.
_NAME_AFTER = re.compile(
    rf"((?:이름|성함|성명)(?:은|는|이|:)?\s?|(?:저는|전|나는|난)\s)({_NAME}?)(?=이에요|예요|입니다|이고|이라고|라고|[\s,.!?]|$)"
)
# "김철수 씨", "홍길동님": a name before an honorific, when it is a word of its own.
_NAME_BEFORE = re.compile(rf"(?<![가-힣])({_NAME})(?=\s?(?:씨|님))")
# Honorific targets that are roles, not people (구청장님, 담당자님, 기사님 …).
_TITLES = re.compile(
    r"(?:청장|시장|동장|국장|과장|부장|차장|실장|팀장|계장|반장|통장|이장|회장|대표|주무관|담당자|공무원|선생|기사|사장|소장|원장"
    r"|관리자|상담원|직원|교수|의사|간호사|경찰|어머|아버|부모|고객|손|이웃|주민|구민|서구|사모|형|누)$"
)


def _mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1)


def _names(text: str) -> str:
    def after(m: re.Match[str]) -> str:
        name = m.group(2)
        return m.group(1) + (_mask_name(name) if name and not _TITLES.search(name) else name)

    def before(m: re.Match[str]) -> str:
        name = m.group(1)
        return name if _TITLES.search(name) or len(name) > 4 else _mask_name(name)

    return _NAME_BEFORE.sub(before, _NAME_AFTER.sub(after, text))


def _known(text: str, values: Iterable[str]) -> str:
    for value in sorted({v.strip() for v in values if v and len(v.strip()) >= 4}, key=len, reverse=True):
        text = text.replace(value, "*" * min(len(value), 8))
    return text


def mask(text: str, known_values: Iterable[str] = ()) -> str:
    """``text`` with personal data masked; ``known_values`` are masked wherever they appear."""
    if not text:
        return ""
    out = _known(text, known_values)
    out = _RRN.sub("******-*******", out)
    out = _INTL_PHONE.sub(lambda m: f"+82-{m.group(1)}-****-{m.group(3)}", out)
    out = mask_phones(out)
    out = _EMAIL.sub("***@***", out)
    out = _PLATE.sub(lambda m: f"{m.group(1)}{m.group(2)}****", out)
    out = _APT_UNIT.sub("***동 ***호", out)
    out = _ROAD.sub(lambda m: f"{m.group(1)} ***", out)
    out = _LOT.sub(lambda m: f"{m.group(1)} ***", out)
    out = _BUNJI.sub("***번지", out)
    out = _UNIT.sub("***호", out)
    return _names(out)


def looks_personal(text: str) -> bool:
    """True when ``text`` still holds a mask or something ``mask`` would hide (not fit to train on)."""
    return "**" in text or mask(text) != text

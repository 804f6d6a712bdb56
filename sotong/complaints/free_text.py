"""Pick a complaint's details out of what a resident typed in one breath.

"서곶로 123 앞에 어제 밤부터 쓰레기가 쌓여 있어요 신고할게요" already says where,
what and when; asking again would waste the resident's turns. These are
deliberately conservative patterns: a miss only means the form asks, a false hit
would file a wrong address, so only well-shaped addresses count.
"""

from __future__ import annotations

import re

from sotong.complaints.limits import MAX_ADDRESS, MAX_SCAN

_PLACE_WORDS = r"(?:\s*(?:앞|옆|뒤|근처|건너편|맞은편|입구|골목|주변))?"
_ADDRESS_PATTERNS = [
    # 도로명: 서곶로 123, 청라대로 45-6, 가정로123번길 7
    re.compile(r"[가-힣0-9]{1,20}(?:로|길)\s?\d+(?:번길\s?\d+)?(?:-\d+)?" + _PLACE_WORDS),
    # 지번: 가정동 123-4, 청라동 12번지
    re.compile(r"[가-힣]{1,10}\d?동\s?\d+(?:-\d+)?(?:번지)?" + _PLACE_WORDS),
    # 동 and a named place with a position word: 청라동 커낼웨이 앞, 가좌3동 한신시장 입구
    re.compile(
        r"[가-힣]{1,10}\d?동\s[가-힣A-Za-z0-9]{1,20}(?:\s[가-힣A-Za-z0-9]{1,20})?\s?"
        r"(?:앞|옆|뒤|근처|건너편|맞은편|입구)"
    ),
    # 아파트·빌라: 청라푸르지오아파트 101동, 한양빌라 앞
    re.compile(r"[가-힣A-Za-z0-9]{1,20}(?:아파트|빌라|오피스텔|맨션)(?:\s?\d+동)?(?:\s?\d+호)?" + _PLACE_WORDS),
    # Landmarks only with a position word, so "시장" in "시장님" never counts
    re.compile(
        r"[가-힣A-Za-z0-9]{1,20}(?:역|초등학교|중학교|고등학교|공원|시장|사거리|삼거리|정류장|"
        r"주민센터|행정복지센터|마트|편의점|교회|병원|주차장|놀이터)\s?(?:앞|옆|뒤|근처|건너편|맞은편|입구)"
    ),
]

_SEEN_AT = re.compile(
    r"(?:(?:오늘|어제|그제|그저께|엊그제|지난\s?주|이번\s?주|주말|매일|맨날|요즘|며칠\s?전|(?<!\d)\d{1,3}일\s?전|방금|아까)"
    r"(?:\s?(?:새벽|아침|오전|점심|오후|저녁|밤|낮))?(?:\s?\d{1,2}시(?:\s?\d{1,2}분)?(?:쯤|경)?)?)"
    r"|(?:(?:새벽|아침|오전|오후|저녁|밤)\s?\d{1,2}시(?:쯤|경)?)"
)

# Only the start of a message is searched (limits.MAX_SCAN): the patterns, linear but
# with a large constant (each position retries a 20-character run), must stay fast on
# whatever length a channel lets through. A found address is cut to the field's limit.


def find_address(text: str) -> str | None:
    """The first well-shaped address or landmark in the text, as written."""
    for pattern in _ADDRESS_PATTERNS:
        match = pattern.search((text or "")[:MAX_SCAN])
        if match:
            return match.group(0).strip()[:MAX_ADDRESS]
    return None


def find_seen_at(text: str) -> str | None:
    """When the resident saw it, in their words ('어제 밤', '오늘 아침 7시')."""
    match = _SEEN_AT.search((text or "")[:MAX_SCAN])
    return match.group(0).strip() if match else None


# Polite endings, longest first: the longest one the answer ends with is removed.
_POLITE_ENDINGS = ("이에요", "이고요", "입니다", "예요", "이요", "고요", "요")
_TRAILING_MARKS = ".!~"


def clean_answer(text: str) -> str:
    """A direct answer without its polite ending: '서곶로 123 앞이에요' -> '서곶로 123 앞'.

    Suffix checks rather than a regex: the old ``\\s*(?:…)[.!~\\s]*$`` pattern
    retried at every space of a long whitespace run (quadratic); this is linear.
    """
    stripped = (text or "").strip()
    end = len(stripped)
    while end and (stripped[end - 1] in _TRAILING_MARKS or stripped[end - 1].isspace()):
        end -= 1  # an index, not repeated slicing: '. . . .' stays linear too
    body = stripped[:end]
    ending = next((e for e in _POLITE_ENDINGS if body.endswith(e)), None)
    if ending is None:
        return stripped
    cleaned = body[: -len(ending)].rstrip()
    return cleaned if len(cleaned) >= 2 else stripped

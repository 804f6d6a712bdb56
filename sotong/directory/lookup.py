"""Answers from the directory: the fee for a named item, the shops in a 동."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.directory.models import BulkyWasteFee, WasteBagVendor


def _rstrip_digits(s: str) -> str:
    end = len(s)
    while end and s[end - 1].isdecimal():  # what the regex's \d matched
        end -= 1
    return s[:end]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "").lower()


def dong_stem(dong: str) -> str:
    """'청라1동', '청라동', '청라 1동', '청라' -> '청라' so a resident's 동 matches 행정동 names."""
    # rstrip, not r"(\d+)?(동|가)$": that regex retries at every digit of a long run (quadratic).
    s = _squash(dong)
    if s.endswith(("동", "가")):
        s = _rstrip_digits(s[:-1])
    return _rstrip_digits(s)


def fee_item_match(names: Iterable[str], said: str) -> str | None:
    """The fee-table item the resident named, or None.

    Only an exact name (spaces and case ignored) or a table name standing as a whole
    word in what was said ('헌 소파' -> 소파). Never a name merely inside another
    word: 안마의자 is not 의자 and 돌침대 is not 침대 — their fees differ, and a
    wrong fee said with confidence is worse than "not listed". Spelling variants
    (쇼파, 장농) are mapped to the table's names by the NLU's synonyms before this.
    """
    wanted = _squash(said)
    if not wanted:
        return None
    by_key = {_squash(n): n for n in names}
    if wanted in by_key:
        return by_key[wanted]
    words = [w.lower() for w in re.split(r"[\s,·/()]+", said or "") if w]
    for size in range(len(words), 0, -1):  # the longest run of words first: '김치 냉장고' before '냉장고'
        for start in range(len(words) - size + 1):
            hit = by_key.get("".join(words[start : start + size]))
            if hit:
                return hit
    return None


# Below this, shared letters are chance (전기장판 ~ 변기): better no suggestion than a silly one.
_NEAR_ENOUGH = 0.4


def nearest_items(names: Iterable[str], said: str, limit: int = 3) -> list[str]:
    """Table items that look most like what was said (shared letters), best first, for "did you mean"."""
    wanted = _squash(said)
    if not wanted or limit <= 0:
        return []
    scored = []
    for name in set(names):
        key = _squash(name)
        score = SequenceMatcher(None, wanted, key).ratio()
        if key in wanted or wanted in key:
            score += 1.0  # 안마의자 -> 의자 first: a likely neighbour, offered, never assumed
        if score >= _NEAR_ENOUGH:
            scored.append((-score, name))
    return [name for _, name in sorted(scored)[:limit]]


def fee_item_names(session: Session, district: str) -> list[str]:
    rows = session.execute(select(BulkyWasteFee.item).where(BulkyWasteFee.district == district).distinct())
    return sorted(r[0] for r in rows)


def fees_for_item(session: Session, district: str, item: str) -> list[BulkyWasteFee]:
    """Fee rows for the item the resident named (fee_item_match), cheapest size first; [] if not listed."""
    name = fee_item_match(fee_item_names(session, district), item)
    if name is None:
        return []
    rows = (
        session.execute(select(BulkyWasteFee).where(BulkyWasteFee.district == district, BulkyWasteFee.item == name))
        .scalars()
        .all()
    )
    return sorted(rows, key=lambda r: r.fee_won)


def vendors_in_dong(session: Session, district: str, dong: str, limit: int = 5) -> list[WasteBagVendor]:
    """Shops in the resident's 동; '청라동' covers 청라1·2·3동."""
    stem = dong_stem(dong)
    if not stem:
        return []
    rows = (
        session.execute(
            select(WasteBagVendor)
            .where(WasteBagVendor.district == district)
            .order_by(WasteBagVendor.dong, WasteBagVendor.name)
        )
        .scalars()
        .all()
    )
    exact = [r for r in rows if _squash(r.dong) == _squash(dong)]
    hits = exact or [r for r in rows if same_dong(r.dong, dong)]
    return hits[:limit]


def same_dong(official: str, said: str) -> bool:
    """Does what the resident said name this 행정동?

    '청라동' names 청라1·2·3동; merged 동 are named by either half, as residents
    still use the old names (검암동 or 경서동 → 검암경서동, 신현동 → 신현원창동).
    """
    if _squash(official) == _squash(said):
        return True
    stem, full = dong_stem(said), dong_stem(official)
    if len(stem) < 2:
        return False
    return full == stem or (len(full) > len(stem) and (full.startswith(stem) or full.endswith(stem)))


def match_dong(dongs: Sequence[str], text: str) -> str | None:
    """The profile's 동 that a free-text mention refers to (None if none)."""
    exact = [d for d in dongs if _squash(d) == _squash(text)]
    if exact:
        return exact[0]
    return next((d for d in dongs if same_dong(d, text)), None)

"""Answers from the directory: the fee for a named item, the shops in a 동."""
from __future__ import annotations

import re
from typing import List, Optional, Sequence

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


def fees_for_item(session: Session, district: str, item: str) -> List[BulkyWasteFee]:
    """Fee rows for an item: exact name first, else rows whose name contains it (or vice versa)."""
    rows = session.execute(select(BulkyWasteFee).where(BulkyWasteFee.district == district)).scalars().all()
    wanted = _squash(item)
    if not wanted:
        return []
    exact = [r for r in rows if _squash(r.item) == wanted]
    if exact:
        return sorted(exact, key=lambda r: r.fee_won)
    partial = [r for r in rows if wanted in _squash(r.item) or _squash(r.item) in wanted]
    return sorted(partial, key=lambda r: (r.item, r.fee_won))


def vendors_in_dong(session: Session, district: str, dong: str, limit: int = 5) -> List[WasteBagVendor]:
    """Shops in the resident's 동; '청라동' covers 청라1·2·3동."""
    stem = dong_stem(dong)
    if not stem:
        return []
    rows = session.execute(
        select(WasteBagVendor).where(WasteBagVendor.district == district).order_by(WasteBagVendor.dong,
                                                                                   WasteBagVendor.name)
    ).scalars().all()
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


def match_dong(dongs: Sequence[str], text: str) -> Optional[str]:
    """The profile's 동 that a free-text mention refers to (None if none)."""
    exact = [d for d in dongs if _squash(d) == _squash(text)]
    if exact:
        return exact[0]
    return next((d for d in dongs if same_dong(d, text)), None)

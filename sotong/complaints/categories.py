"""Complaint categories as the district's data (complaints.yml `categories:`).

A category is data, not code: its name, department, processing period, what its form
asks and the words residents use for it. A district adds one by editing the file;
``sotong setup`` seeds it, ``rank_categories`` recognises it in what a resident typed
and filing routes it — no Python change.

Recognition is deliberately simple and explainable: the keywords a message contains
(spaces ignored, as residents drop them), each worth its length, so "도로 파손" (4)
beats a bare "파손" (2). The NLU's intent and entity come first where they exist
(actions/complaints/report.py); this is what decides when they do not, and what
offers the runners-up for a one-tap change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sotong.complaints.district import complaints_config
from sotong.complaints.limits import MAX_SCAN

ALWAYS_ASKED = ("address", "description")


@dataclass(frozen=True)
class CategoryInfo:
    """One category as complaints.yml describes it (the database holds name, department, days)."""

    code: str
    name: str
    department: str
    processing_days: int
    place: str  # what the address question asks about ("차가 세워진 곳")
    asks: tuple[str, ...]  # question codes (complaints.yml `questions:`)
    keywords: tuple[str, ...]
    intent: str | None  # an NLU intent that opens this category directly
    fallback: bool
    active: bool


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "").lower()


def question_labels(district_dir: Path | None = None) -> dict[str, str]:
    """Question code -> how residents are told what to add ('plate_number' -> '차량 번호나 차종')."""
    return {str(k): str(v) for k, v in (complaints_config(district_dir).get("questions") or {}).items()}


def _parse(entry: dict, questions: dict[str, str]) -> CategoryInfo:
    code = str(entry.get("code") or "").strip()
    if not code or not entry.get("name") or not entry.get("department"):
        raise ValueError(f"complaints.yml: a category needs code, name and department ({entry!r})")
    asks = tuple(str(a) for a in entry.get("asks") or ALWAYS_ASKED)
    unknown = [a for a in asks if a not in questions and a not in ALWAYS_ASKED]
    if unknown:
        raise ValueError(f"category {code}: asks for {unknown}, not in `questions:`")
    days = int(entry.get("processing_days") or 0)
    if days < 1:
        raise ValueError(f"category {code}: processing_days must be at least 1")
    return CategoryInfo(
        code=code,
        name=str(entry["name"]),
        department=str(entry["department"]),
        processing_days=days,
        place=str(entry.get("place") or ""),
        asks=asks,
        keywords=tuple(str(k) for k in entry.get("keywords") or () if _squash(str(k))),
        intent=entry.get("intent"),
        fallback=bool(entry.get("fallback")),
        active=entry.get("active", True) is not False,
    )


def category_infos(district_dir: Path | None = None, include_inactive: bool = False) -> tuple[CategoryInfo, ...]:
    """Every category in file order (the order buttons are shown in); ValueError on a bad entry."""
    questions = question_labels(district_dir)
    infos = tuple(_parse(e, questions) for e in complaints_config(district_dir).get("categories") or [])
    codes = [c.code for c in infos]
    if len(set(codes)) != len(codes):
        raise ValueError("complaints.yml: category codes must be unique")
    return infos if include_inactive else tuple(c for c in infos if c.active)


def category_info(code: str | None, district_dir: Path | None = None) -> CategoryInfo | None:
    """The active category with this code, or None."""
    return next((c for c in category_infos(district_dir) if c.code == code), None)


def fallback_category(district_dir: Path | None = None) -> str:
    """The catch-all category (``fallback: true``), else the last one in the file."""
    infos = category_infos(district_dir)
    if not infos:
        raise ValueError("complaints.yml has no active category")
    return next((c.code for c in infos if c.fallback), infos[-1].code)


def category_for_intent(intent: str | None, district_dir: Path | None = None) -> str | None:
    """The category an NLU intent opens directly (report_illegal_parking -> illegal_parking)."""
    if not intent:
        return None
    return next((c.code for c in category_infos(district_dir) if c.intent == intent), None)


def rank_categories(text: str, district_dir: Path | None = None) -> list[tuple[str, int]]:
    """Categories whose keywords the text contains, best first, with their scores.

    Score: the summed length of the matched keywords (spaces ignored); ties keep file order.
    Only the start of a long message is read (limits.MAX_SCAN).
    """
    said = _squash((text or "")[:MAX_SCAN])
    if not said:
        return []
    scored = []
    for order, info in enumerate(category_infos(district_dir)):
        score = sum(len(k) for k in {_squash(k) for k in info.keywords} if k in said)
        if score:
            scored.append((-score, order, info.code))
    return [(code, -neg) for neg, _, code in sorted(scored)]


def infer_category(text: str, intent: str | None = None, district_dir: Path | None = None) -> str:
    """The category a report message is about: its keywords, else its intent's, else the fallback."""
    ranked = rank_categories(text, district_dir)
    if ranked:
        return ranked[0][0]
    return category_for_intent(intent, district_dir) or fallback_category(district_dir)

"""Import the district's CSV files into the directory tables.

Public-data portal files come as UTF-8 (often with a BOM) or CP949, and column
names vary a little between publishers, so each field accepts several header
spellings. An import is all-or-nothing per file: rows that cannot be read are
reported with their line numbers, and if the file has no usable row at all the
existing data is left untouched.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sotong.directory.models import BulkyWasteFee, WasteBagVendor

# field -> accepted header names (after removing spaces)
FEE_HEADERS: Dict[str, tuple] = {
    "district": ("시군구명", "시군구", "자치구"),
    "item": ("대형폐기물명", "품목", "품목명", "품명"),
    "category": ("대형폐기물구분명", "구분", "분류"),
    "size": ("대형폐기물규격", "규격"),
    "is_free": ("유무료여부", "유료여부"),
    "fee": ("수수료", "수수료(원)", "금액", "부과금액"),
}
VENDOR_HEADERS: Dict[str, tuple] = {
    "district": ("시군구명", "시군구", "자치구"),
    "dong": ("행정동", "행정동명", "동", "읍면동", "읍면동명"),
    "name": ("판매소명", "업소명", "상호", "상호명"),
    "address": ("소재지도로명주소", "도로명주소", "소재지", "주소", "소재지지번주소"),
    "phone": ("전화번호", "연락처"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (unreadable, wrong layout, no rows)."""


@dataclass
class ImportReport:
    path: str
    imported: int = 0
    skipped: List[str] = field(default_factory=list)  # "line N: reason"


def read_csv_text(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or CP949, the two encodings the portal uses."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("UTF-8도 CP949도 아닌 파일이에요 (file is neither UTF-8 nor CP949)")


def _column_map(header: Iterable[str], wanted: Dict[str, tuple]) -> Dict[str, int]:
    cleaned = [re.sub(r"\s+", "", h or "") for h in header]
    found: Dict[str, int] = {}
    for key, names in wanted.items():
        for idx, name in enumerate(cleaned):
            if name in names:
                found[key] = idx
                break
    return found


def _parse_won(text: str) -> Optional[int]:
    digits = re.sub(r"[^0-9]", "", text or "")
    return int(digits) if digits else None


def _rows(raw: bytes, wanted: Dict[str, tuple], required: tuple):
    text = read_csv_text(raw)
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("빈 파일이에요 (empty file)") from None
    cols = _column_map(header, wanted)
    missing = [k for k in required if k not in cols]
    if missing:
        names = ", ".join(wanted[k][0] for k in missing)
        raise ImportFileError(f"필수 열이 없어요: {names} (missing columns)")
    for lineno, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {k: (row[i].strip() if i < len(row) else "") for k, i in cols.items()}
        yield lineno, values


def import_fees(session: Session, raw: bytes, *, default_district: str, sample: bool = False,
                path: str = "<bytes>") -> ImportReport:
    report = ImportReport(path)
    parsed: List[BulkyWasteFee] = []
    seen = set()
    for lineno, v in _rows(raw, FEE_HEADERS, ("item", "fee")):
        fee = _parse_won(v.get("fee", ""))
        free = v.get("is_free", "") in ("무료", "N", "n")
        if not v["item"]:
            report.skipped.append(f"line {lineno}: 품목이 비어 있어요")
            continue
        if fee is None and not free:
            report.skipped.append(f"line {lineno}: 수수료를 읽을 수 없어요 ({v.get('fee', '')!r})")
            continue
        district = v.get("district") or default_district
        key = (district, v["item"], v.get("size", ""))
        if key in seen:
            report.skipped.append(f"line {lineno}: 같은 품목·규격이 이미 있어요")
            continue
        seen.add(key)
        parsed.append(BulkyWasteFee(
            district=district, item=v["item"], category=v.get("category") or None,
            size=v.get("size", ""), fee_won=fee or 0, is_free=free or fee == 0, sample=sample))
    _replace(session, BulkyWasteFee, parsed, default_district, report)
    return report


def import_vendors(session: Session, raw: bytes, *, default_district: str, sample: bool = False,
                   path: str = "<bytes>") -> ImportReport:
    report = ImportReport(path)
    parsed: List[WasteBagVendor] = []
    seen = set()
    for lineno, v in _rows(raw, VENDOR_HEADERS, ("dong", "name")):
        if not v["name"] or not v["dong"]:
            report.skipped.append(f"line {lineno}: 판매소명이나 행정동이 비어 있어요")
            continue
        district = v.get("district") or default_district
        key = (district, v["name"], v.get("address", ""))
        if key in seen:
            report.skipped.append(f"line {lineno}: 같은 판매소가 이미 있어요")
            continue
        seen.add(key)
        parsed.append(WasteBagVendor(
            district=district, dong=v["dong"], name=v["name"], address=v.get("address", ""),
            phone=v.get("phone") or None, sample=sample))
    _replace(session, WasteBagVendor, parsed, default_district, report)
    return report


def _replace(session: Session, model, rows: list, district: str, report: ImportReport) -> None:
    """Swap the district's rows in one transaction; refuse to wipe data with an empty file."""
    if not rows:
        raise ImportFileError("읽을 수 있는 행이 없어서 기존 자료를 그대로 두었어요 (no usable rows)")
    districts = {r.district for r in rows} | {district}
    session.execute(delete(model).where(model.district.in_(districts)))
    session.add_all(rows)
    report.imported = len(rows)


IMPORTERS: Dict[str, Callable[..., ImportReport]] = {
    "fees": import_fees,
    "vendors": import_vendors,
}


def import_file(session: Session, kind: str, path: Path, *, default_district: str,
                sample: bool = False) -> ImportReport:
    if kind not in IMPORTERS:
        raise ImportFileError(f"unknown kind {kind!r}; use one of {sorted(IMPORTERS)}")
    return IMPORTERS[kind](session, Path(path).read_bytes(), default_district=default_district,
                           sample=sample, path=str(path))

"""Import the district's CSV files into the directory tables.

Public-data portal files come as UTF-8 (often with a BOM) or CP949, and column
names vary a little between publishers, so each field accepts several header
spellings. An import is all-or-nothing per file: rows that cannot be read are
reported with their line numbers, and if the file has no usable row at all the
existing data is left untouched. An import replaces the rows of one district, the
one being imported (``default_district``: the profile's); rows that name another
district are reported and skipped, never written and never a reason to delete.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from sotong.directory.models import BulkyWasteFee, WasteBagVendor

# field -> accepted header names (after removing spaces)
FEE_HEADERS: dict[str, tuple] = {
    "district": ("시군구명", "시군구", "자치구"),
    "item": ("대형폐기물명", "품목", "품목명", "품명"),
    "category": ("대형폐기물구분명", "구분", "분류"),
    "size": ("대형폐기물규격", "규격"),
    "is_free": ("유무료여부", "유료여부"),
    "fee": ("수수료", "수수료(원)", "금액", "부과금액"),
}
VENDOR_HEADERS: dict[str, tuple] = {
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
    skipped: list[str] = field(default_factory=list)  # "line N: reason"


def read_csv_text(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or CP949, the two encodings the portal uses."""
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("UTF-8도 CP949도 아닌 파일이에요 (file is neither UTF-8 nor CP949)")


def _column_map(header: Iterable[str], wanted: dict[str, tuple]) -> dict[str, int]:
    cleaned = [re.sub(r"\s+", "", h or "") for h in header]
    found: dict[str, int] = {}
    for key, names in wanted.items():
        for idx, name in enumerate(cleaned):
            if name in names:
                found[key] = idx
                break
    return found


def _parse_won(text: str) -> int | None:
    digits = re.sub(r"[^0-9]", "", text or "")
    return int(digits) if digits else None


def _rows(raw: bytes, wanted: dict[str, tuple], required: tuple):
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


class _BadRow(ValueError):
    """One row cannot be used; the message says why (reported with its line number)."""


@dataclass(frozen=True)
class _Layout:
    headers: dict[str, tuple]
    required: tuple
    build: Callable[[dict[str, str], str, bool], object]  # (values, district, sample) -> model row
    key: Callable[[Any], tuple]  # what makes a row a duplicate
    duplicate: str


def _fee_row(v: dict[str, str], district: str, sample: bool) -> BulkyWasteFee:
    fee = _parse_won(v.get("fee", ""))
    free = v.get("is_free", "") in ("무료", "N", "n")
    if not v["item"]:
        raise _BadRow("품목이 비어 있어요")
    if fee is None and not free:
        raise _BadRow(f"수수료를 읽을 수 없어요 ({v.get('fee', '')!r})")
    return BulkyWasteFee(
        district=district,
        item=v["item"],
        category=v.get("category") or None,
        size=v.get("size", ""),
        fee_won=fee or 0,
        is_free=free or fee == 0,
        sample=sample,
    )


def _vendor_row(v: dict[str, str], district: str, sample: bool) -> WasteBagVendor:
    if not v["name"] or not v["dong"]:
        raise _BadRow("판매소명이나 행정동이 비어 있어요")
    return WasteBagVendor(
        district=district,
        dong=v["dong"],
        name=v["name"],
        address=v.get("address", ""),
        phone=v.get("phone") or None,
        sample=sample,
    )


FEES = _Layout(
    FEE_HEADERS, ("item", "fee"), _fee_row, lambda r: (r.district, r.item, r.size), "같은 품목·규격이 이미 있어요"
)
VENDORS = _Layout(
    VENDOR_HEADERS,
    ("dong", "name"),
    _vendor_row,
    lambda r: (r.district, r.name, r.address),
    "같은 판매소가 이미 있어요",
)


def _import(
    session: Session, layout: _Layout, raw: bytes, default_district: str, sample: bool, path: str
) -> ImportReport:
    report = ImportReport(path)
    parsed: list = []
    seen = set()
    for lineno, values in _rows(raw, layout.headers, layout.required):
        named = values.get("district") or default_district
        if named != default_district:
            # One import replaces one district's rows: a file that also lists another
            # district's rows must not touch (or take over) that district's data.
            report.skipped.append(f"line {lineno}: 다른 시군구({named}) 자료라서 건너뛰었어요 (not {default_district})")
            continue
        try:
            row = layout.build(values, default_district, sample)
        except _BadRow as exc:
            report.skipped.append(f"line {lineno}: {exc}")
            continue
        if layout.key(row) in seen:
            report.skipped.append(f"line {lineno}: {layout.duplicate}")
            continue
        seen.add(layout.key(row))
        parsed.append(row)
    _replace(session, parsed, default_district, report)
    return report


def import_fees(
    session: Session, raw: bytes, *, default_district: str, sample: bool = False, path: str = "<bytes>"
) -> ImportReport:
    return _import(session, FEES, raw, default_district, sample, path)


def import_vendors(
    session: Session, raw: bytes, *, default_district: str, sample: bool = False, path: str = "<bytes>"
) -> ImportReport:
    return _import(session, VENDORS, raw, default_district, sample, path)


def _replace(session: Session, rows: list, district: str, report: ImportReport) -> None:
    """Swap the district's rows (only that district's) in one transaction; refuse to wipe
    data with an empty file."""
    if not rows:
        raise ImportFileError("읽을 수 있는 행이 없어서 기존 자료를 그대로 두었어요 (no usable rows)")
    model = type(rows[0])
    session.execute(delete(model).where(model.district == district))
    session.add_all(rows)
    report.imported = len(rows)


IMPORTERS: dict[str, Callable[..., ImportReport]] = {
    "fees": import_fees,
    "vendors": import_vendors,
}


def import_file(
    session: Session, kind: str, path: Path, *, default_district: str, sample: bool = False
) -> ImportReport:
    if kind not in IMPORTERS:
        raise ImportFileError(f"unknown kind {kind!r}; use one of {sorted(IMPORTERS)}")
    return IMPORTERS[kind](
        session, Path(path).read_bytes(), default_district=default_district, sample=sample, path=str(path)
    )

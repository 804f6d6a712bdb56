"""Importing the district's CSV files: encodings, layouts, bad rows, nothing lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sotong.directory.importer import ImportFileError, import_fees, import_vendors
from sotong.directory.lookup import fees_for_item, vendors_in_dong
from sotong.directory.models import BulkyWasteFee, WasteBagVendor
from sotong.district import load_profile

FEES = (
    "시도명,시군구명,대형폐기물명,대형폐기물구분명,대형폐기물규격,유무료여부,수수료\n"
    "인천광역시,서구,소파,가구류,1인용,유료,\"4,000\"\n"
    "인천광역시,서구,소파,가구류,2~3인용,유료,8000\n"
    "인천광역시,서구,냉장고,가전류,300L 이상,유료,9000원\n"
)
VENDORS = (
    "행정동,판매소명,소재지도로명주소,전화번호\n청라1동,가게A,주소1,032-1\n청라2동,가게B,주소2,\n가정1동,가게C,주소3,\n"
)


def count(engine, model):
    with Session(engine) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_fee_file_in_either_encoding(core_db, encoding):
    with Session(core_db) as s, s.begin():
        report = import_fees(s, FEES.encode(encoding), default_district="서구")
    assert report.imported == 3 and report.skipped == []
    with Session(core_db) as s:
        rows = fees_for_item(s, "서구", "소파")
        assert [(r.size, r.fee_won) for r in rows] == [("1인용", 4000), ("2~3인용", 8000)]
        assert fees_for_item(s, "서구", "냉 장 고")[0].fee_won == 9000


def test_bad_rows_are_reported_not_fatal(core_db):
    raw = (FEES + "인천광역시,서구,,가구류,x,유료,1000\n인천광역시,서구,침대,가구류,싱글,유료,모름\n").encode()
    with Session(core_db) as s, s.begin():
        report = import_fees(s, raw, default_district="서구")
    assert report.imported == 3
    assert [line.split(":")[0] for line in report.skipped] == ["line 5", "line 6"]


@pytest.mark.parametrize(
    "raw, message",
    [
        (b"", "빈 파일"),
        ("품명,가격\n소파,1000\n".encode(), "필수 열"),
        ("대형폐기물명,수수료\n,\n".encode(), "읽을 수 있는 행이 없어"),
        (b"\xff\xfe\x00garbage\x81", "UTF-8"),
    ],
)
def test_unusable_file_keeps_existing_data(core_db, raw, message):
    with Session(core_db) as s, s.begin():
        import_fees(s, FEES.encode(), default_district="서구")
    with pytest.raises(ImportFileError, match=message):
        with Session(core_db) as s, s.begin():
            import_fees(s, raw, default_district="서구")
    assert count(core_db, BulkyWasteFee) == 3


def test_reimport_replaces_the_districts_rows(core_db):
    for _ in range(2):
        with Session(core_db) as s, s.begin():
            import_vendors(s, VENDORS.encode("cp949"), default_district="서구")
    assert count(core_db, WasteBagVendor) == 3


def test_vendors_by_dong_cover_numbered_dongs(core_db):
    with Session(core_db) as s, s.begin():
        import_vendors(s, VENDORS.encode(), default_district="서구")
    with Session(core_db) as s:
        assert [v.name for v in vendors_in_dong(s, "서구", "청라동")] == ["가게A", "가게B"]
        assert [v.name for v in vendors_in_dong(s, "서구", "청라2동")] == ["가게B"]
        assert [v.name for v in vendors_in_dong(s, "서구", "청라")] == ["가게A", "가게B"]
        assert vendors_in_dong(s, "서구", "강남동") == []


def test_shipped_sample_files_import_cleanly(core_db):
    profile = load_profile()
    with Session(core_db) as s, s.begin():
        fees = import_fees(
            s, profile.data_file("bulky_waste_fees.csv").read_bytes(), default_district="서구", sample=True
        )
        shops = import_vendors(
            s, profile.data_file("waste_bag_vendors.csv").read_bytes(), default_district="서구", sample=True
        )
    assert fees.skipped == [] and shops.skipped == []
    assert fees.imported >= 40 and shops.imported >= len(profile.dongs)
    with Session(core_db) as s:
        for dong in profile.dongs:  # every 동 in the profile has shops in the sample
            assert vendors_in_dong(s, "서구", dong), dong


def test_an_import_touches_only_its_own_district(core_db):
    """A vendor file that also lists another district's rows must neither delete nor
    overwrite that district's data: those rows are reported and skipped (issue 7, finding 10)."""
    other = "시군구명,행정동,판매소명,소재지도로명주소\n동구,송림동,동구가게,동구 주소\n"
    with Session(core_db) as s, s.begin():
        import_vendors(s, other.encode(), default_district="동구")
    mixed = (
        "시군구명,행정동,판매소명,소재지도로명주소\n"
        "서구,청라1동,가게A,주소1\n"
        "동구,송림동,가짜가게,어딘가\n"
        ",가정1동,가게C,주소3\n"
    )  # no district named: the one being imported
    with Session(core_db) as s, s.begin():
        report = import_vendors(s, mixed.encode(), default_district="서구")
    assert report.imported == 2
    assert len(report.skipped) == 1 and report.skipped[0].startswith("line 3:") and "동구" in report.skipped[0]
    with Session(core_db) as s:
        assert [v.name for v in vendors_in_dong(s, "동구", "송림동")] == ["동구가게"]
        assert [v.name for v in vendors_in_dong(s, "서구", "청라동")] == ["가게A"]
    # and a fee file naming only another district changes nothing at all
    with pytest.raises(ImportFileError):
        with Session(core_db) as s, s.begin():
            import_fees(s, "시군구명,대형폐기물명,수수료\n동구,소파,1\n".encode(), default_district="서구")
    assert count(core_db, WasteBagVendor) == 3

"""Complaint categories as district data (issue 9, item 3): loading, recognising, seeding,
and a category added to the data file that works with no code change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from sotong.complaints import service
from sotong.complaints.categories import category_infos, infer_category, rank_categories
from sotong.complaints.residents import ResidentKey
from sotong.db import session_scope
from tests.e2e.stack import ROOT

SHIPPED = ROOT / "district" / "incheon-seogu"
ISSUE_CATEGORIES = {
    "무단투기",
    "불법주정차",
    "쓰레기 미수거",
    "가로등·보안등 고장",
    "도로 파손(포트홀)",
    "불법 광고물(현수막)",
    "소음",
    "동물(유기·사체)",
    "공원·시설물 파손",
    "제설",
    "기타",
}


def test_the_shipped_file_has_every_category_the_issue_names_with_its_form():
    infos = category_infos(SHIPPED)
    assert {c.name for c in infos} >= ISSUE_CATEGORIES
    labels = service.question_labels(SHIPPED)
    for c in infos:
        assert c.processing_days >= 1 and c.department and c.place.endswith("곳")
        assert {"address", "description"} <= set(c.asks) and set(c.asks) <= set(labels)
    assert [c.code for c in infos if c.fallback] == ["other"]
    assert "plate_number" in next(c for c in infos if c.code == "illegal_parking").asks


def test_seeding_routes_each_category_to_a_department(core_db):
    with session_scope(core_db) as s:
        views = {c.code: service.category_summary(s, c.code) for c in category_infos(SHIPPED)}
    assert views["streetlight"].department_name == "건설과"
    assert views["illegal_banner"].department_name == "도시경관과"
    assert views["snow_removal"].department_name == "안전총괄과"
    assert all(v.processing_days == 7 for v in views.values())


@pytest.mark.parametrize(
    "said, category",
    [
        ("집 앞에 쓰레기봉투가 계속 쌓여요. 신고하고 싶어요", "illegal_dumping"),  # the article's sentence
        ("가로등이 고장났어요", "streetlight"),
        ("골목 보안등이 깜빡거려요", "streetlight"),
        ("도로에 포트홀이 생겼어요", "road_damage"),
        ("도로 파손 신고", "road_damage"),  # not 시설물 파손
        ("쓰레기 수거 안 해 갔어요", "missed_pickup"),  # not 무단투기
        ("사거리에 불법 현수막", "illegal_banner"),
        ("윗집 공사 소음이 심해요", "noise"),
        ("길에 고양이 사체가 있어요", "animal"),
        ("놀이터 그네가 부서졌어요", "facility_damage"),
        ("눈 좀 치워 주세요", "snow_removal"),
        ("청라역 앞에 차가 이틀째 불법주차", "illegal_parking"),
    ],
)
def test_the_category_is_read_from_the_message(said, category):
    assert infer_category(said, "report_problem", SHIPPED) == category


def test_without_keywords_the_intent_then_the_catch_all_decides():
    assert infer_category("신고할게요", "report_illegal_parking", SHIPPED) == "illegal_parking"
    assert infer_category("신고할 게 있어요", "report_problem", SHIPPED) == "other"
    assert rank_categories("", SHIPPED) == [] and rank_categories("   ", SHIPPED) == []


def test_a_huge_message_is_read_only_at_its_start():
    assert infer_category("가" * 100_000 + " 가로등", "report_problem", SHIPPED) == "other"


def _district_copy(tmp_path, edit) -> Path:
    copy = tmp_path / "district"
    shutil.copytree(SHIPPED, copy)
    path = copy / "complaints.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return copy


def _add_graffiti(data):
    data["questions"]["wall_owner"] = "건물 이름"
    data["categories"].insert(
        0,
        {
            "code": "graffiti",
            "name": "낙서",
            "department": "landscape",
            "processing_days": 5,
            "place": "낙서가 있는 곳",
            "asks": ["address", "description", "wall_owner", "photo"],
            "keywords": ["낙서", "스프레이"],
        },
    )


def test_a_category_added_to_the_data_file_is_seeded_recognised_and_filed(core_db, tmp_path, now):
    district = _district_copy(tmp_path, _add_graffiti)
    assert infer_category("담벼락에 스프레이 낙서가 있어요", "report_problem", district) == "graffiti"
    with session_scope(core_db) as s:
        assert service.seed_district(s, district).categories == len(category_infos(SHIPPED)) + 1
    with session_scope(core_db) as s:
        filed = service.file_complaint(
            s,
            ResidentKey("kakao", "graffiti-1"),
            category="graffiti",
            address="서곶로 1",
            description="벽에 낙서",
            idempotency_key="g1",
            now=now,
        )
    view = filed.complaint
    assert view.category_name == "낙서" and view.routed_department_name == "도시경관과"


@pytest.mark.parametrize(
    "edit, problem",
    [
        (lambda d: d["categories"][0].update(asks=["address", "description", "shoe_size"]), "shoe_size"),
        (lambda d: d["categories"][0].update(processing_days=0), "processing_days"),
        (lambda d: d["categories"][0].pop("department"), "department"),
        (lambda d: d["categories"].append(dict(d["categories"][0])), "unique"),
    ],
)
def test_a_bad_category_entry_is_refused_with_its_reason(tmp_path, edit, problem):
    district = _district_copy(tmp_path, edit)
    with pytest.raises(ValueError, match=problem):
        category_infos(district)

"""The department directory (district/<name>/departments.yml): parsing, the keyword match, the
honest pointer's department for matters no catalogue topic covers, and one phone per department
across the district's files."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallbackMenu
from sotong.district import _load
from sotong.faq import index_for, load_catalogue
from sotong.faq.departments import DirectoryError, load_directory, parse_directory
from sotong.settings import PROJECT_ROOT
from tests.actions.conftest import make_tracker

DISTRICT = PROJECT_ROOT / "district" / "incheon-seogu"

SMALL = {
    "departments": [
        {"code": "animals", "name": "동물보호과", "phone": "032-000-9001", "keywords": ["동물등록", "유기견"]},
        {"code": "disabled", "name": "장애인복지과", "phone": "032-000-9002", "keywords": ["장애인"]},
        {"code": "transit", "name": "교통행정과", "phone": "032-000-9003", "keywords": ["장애인콜택시", "버스정류장"]},
    ]
}


def test_longest_keyword_wins_and_spacing_punctuation_and_case_are_ignored():
    d = parse_directory(SMALL, "test")
    assert d.match("강아지 동물 등록은 어디서 해요?").department.code == "animals"
    assert d.match("장애인 콜택시 부르고 싶어요").department.code == "transit"  # not 장애인복지과
    assert d.match("장애인 주차 표지").department.code == "disabled"
    assert d.match("오늘 날씨 어때") is None
    assert d.match("") is None and d.match("   ?!") is None


def test_every_problem_is_reported_at_once_naming_the_key():
    bad = {
        "departments": [
            {"code": "Bad Code", "name": "가과", "phone": "1", "keywords": ["개"]},
            {"code": "b", "name": "나과", "keywords": ["유기견"]},
            {"code": "c", "name": "나과", "phone": "3", "keywords": ["유기 견"], "duties": "가" * 200},
            "not a mapping",
        ]
    }
    with pytest.raises(DirectoryError) as err:
        parse_directory(bad, "departments.yml")
    text = "\n".join(err.value.problems)
    for expected in (
        "departments[0].code",
        "'개'",
        "departments[1].phone",
        "name used twice: 나과",
        "keyword '유기 견' is under both b and c",
        "departments[2].duties",
        "departments[3]",
    ):
        assert expected in text
    with pytest.raises(DirectoryError):
        parse_directory(["a list"], "departments.yml")


def test_missing_file_means_catalogue_only_and_an_edit_is_read_again(tmp_path):
    assert load_directory(tmp_path) is None
    path = tmp_path / "departments.yml"
    path.write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    assert load_directory(tmp_path).match("유기견 봤어요").department.phone == "032-000-9001"
    changed = {"departments": [dict(SMALL["departments"][0], phone="032-000-9999")]}
    path.write_text(yaml.safe_dump(changed, allow_unicode=True) + "\n# edited\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert load_directory(tmp_path).match("유기견 봤어요").department.phone == "032-000-9999"
    path.write_text("departments: [{code: broken", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 2 * 10**9))
    with pytest.raises(DirectoryError, match="not valid YAML"):
        load_directory(tmp_path)


def test_a_keyword_names_a_department_no_topic_covers_and_topics_still_decide_otherwise():
    idx = index_for(load_catalogue(DISTRICT))
    directory = parse_directory(SMALL, "test")
    g = idx.guess("강아지 동물등록 어디서 해요", directory=directory)
    assert (g.department, g.phone, g.keyword) == ("동물보호과", "032-000-9001", "동물등록") and g.civic
    without = idx.guess("재산세 고지서 다시 받고 싶어요", directory=directory)
    assert without.department.startswith("세무") and without.keyword is None
    assert not idx.guess("오늘 날씨 어때", directory=directory).civic


def test_the_sample_districts_directory_loads_and_gives_each_department_one_phone():
    """Every department the catalogue, profile.yml and complaints.yml name is in the directory with
    the same phone, so a resident never gets two numbers for one department."""
    directory = load_directory(DISTRICT)
    assert directory is not None and len(directory.departments) >= 30
    phones = {d.name: d.phone for d in directory.departments}
    named = [(t.department, t.phone, f"faq topic {t.id}") for t in load_catalogue(DISTRICT).topics.values()]
    for file in ("profile.yml", "complaints.yml"):
        for d in yaml.safe_load((DISTRICT / file).read_text(encoding="utf-8")).get("departments") or []:
            named.append((d["name"], d["phone"], f"{file} {d['code']}"))
    wrong = [
        f"{where}: {name} {phone} (directory: {phones.get(name)})"
        for name, phone, where in named
        if phones.get(name) != phone
    ]
    assert not wrong, "\n".join(wrong)


@pytest.fixture
def district(tmp_path, monkeypatch):
    copy = tmp_path / "district"
    shutil.copytree(DISTRICT, copy)
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(copy))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    _load.cache_clear()
    yield copy
    _load.cache_clear()


def fallback(text, domain):
    d = CollectingDispatcher()
    ActionFallbackMenu().answer(d, make_tracker(text, "out_of_scope"), domain)
    return d.messages


def test_the_bot_points_an_uncovered_matter_to_the_department_staff_listed(district, domain):
    (district / "departments.yml").write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    first = fallback("강아지 동물등록 어디서 해요", domain)[0]
    assert first["response"] == "utter_faq_unknown_department"
    assert (first["faq_department"], first["faq_phone"]) == ("동물보호과", "032-000-9001")
    # a broken edit keeps the last good directory instead of dropping the pointer
    (district / "departments.yml").write_text("departments: [{code: broken", encoding="utf-8")
    path = district / "departments.yml"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert fallback("강아지 동물등록 어디서 해요", domain)[0]["faq_department"] == "동물보호과"

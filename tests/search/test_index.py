"""Search over the real district catalogue: what residents type finds what they mean."""

from __future__ import annotations

import time

import pytest

from sotong.search import MAX_QUERY, search, search_index
from sotong.search.catalogue import load_services


def first(q: str) -> str:
    hits = search(q, 5)
    assert hits, f"nothing found for {q!r}"
    return hits[0].service.title


@pytest.mark.parametrize(
    "q, title",
    [
        ("ㅇㄱ", "여권 발급"),  # initials
        ("ㄷㅎㅍㄱㅁ", "대형폐기물 버리기"),
        ("여권", "여권 발급"),
        ("여궈", "여권 발급"),  # a final consonant slipped
        ("대형페기물", "대형폐기물 버리기"),  # a vowel typo
        ("전입신고어디서", "전입신고"),  # no spaces
        ("전입 신고", "전입신고"),  # a space too many
        ("일자리", "일자리 정보"),
        ("가로등고장", "가로등·보안등 고장 신고"),  # a report category
        ("종량제봉투", "쓰레기봉투 판매처"),  # a keyword from search.yml
        ("이사왔어요", "전입신고"),  # an FAQ example
    ],
)
def test_finds(q, title):
    assert first(q) == title


def test_nonsense_and_empty_find_nothing():
    assert search("qwxzqwxz") == []
    assert search("") == [] and search("   ") == [] and search("!!!") == []
    assert search("여권", limit=0) == []


def test_long_input_is_cut_not_refused():
    hits = search("여권 " * 1000)
    assert hits and hits[0].service.title == "여권 발급"
    assert MAX_QUERY <= 100


def test_every_service_finds_itself_by_title():
    catalogue = load_services()
    missing = [s.title for s in catalogue.services if s.id not in {h.service.id for h in search(s.title, 10)}]
    assert missing == []


def test_catalogue_covers_menu_reports_and_faq():
    catalogue = load_services()
    kinds = {s.kind for s in catalogue.services}
    assert kinds == {"menu", "report", "faq"}
    assert [s.id for s in catalogue.main()][:3] == ["ask_bulky_waste", "ask_waste_bag_vendor", "ask_passport"]
    assert len({s.id for s in catalogue.services}) == len(catalogue.services)  # ids unique


def test_fast():
    search_index()
    queries = ["ㅇㄱ", "여궈", "전입신고어디서", "주차", "쓰레기봉투", "가로등고장", "이사왔어요", "ㅈㅇ"] * 20
    times = []
    for q in queries:
        started = time.perf_counter()
        search(q)
        times.append(time.perf_counter() - started)
    times.sort()
    assert times[int(len(times) * 0.95)] < 0.05

"""Which fee-table item a resident named: exact, or a whole word — never a word inside another."""

from __future__ import annotations

import csv

from sotong.directory.lookup import fee_item_match, nearest_items
from tests.e2e.stack import ROOT

SHIPPED = sorted(
    {
        r["대형폐기물명"]
        for r in csv.DictReader((ROOT / "district" / "incheon-seogu" / "bulky_waste_fees.csv").open(encoding="utf-8"))
    }
)
WITHOUT_MASSAGE_CHAIR = [n for n in SHIPPED if n != "안마의자"]


def test_listed_items_match():
    for said, item in [
        ("소파", "소파"),
        ("장롱", "장롱"),
        ("냉장고", "냉장고"),
        ("안마의자", "안마의자"),
        ("헌 소파", "소파"),
        ("김치 냉장고", "김치냉장고"),
        ("TV 텔레비전", "텔레비전"),
    ]:
        assert fee_item_match(SHIPPED, said) == item, said


def test_item_inside_another_word_is_not_that_item():
    assert fee_item_match(WITHOUT_MASSAGE_CHAIR, "안마의자") is None  # not 의자
    assert fee_item_match(SHIPPED, "돌침대") is None  # not 침대
    assert fee_item_match(SHIPPED, "전기장판") is None
    assert fee_item_match(SHIPPED, "김치") is None  # not 김치냉장고
    assert fee_item_match(SHIPPED, "") is None


def test_nearest_items_are_offered_not_assumed():
    assert nearest_items(WITHOUT_MASSAGE_CHAIR, "안마의자")[0] == "의자"
    assert nearest_items(SHIPPED, "돌침대")[0] == "침대"
    assert nearest_items(SHIPPED, "전기장판") == []  # nothing alike: no silly suggestion
    assert len(nearest_items(SHIPPED, "냉장", limit=2)) == 2

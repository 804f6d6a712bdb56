"""A receipt number stays one token, whatever sticks to it (sotong/nlu/analyzers.py)."""

from __future__ import annotations

from sotong.nlu.analyzers import tokenize


def texts(text: str) -> list[str]:
    return [s.text for s in tokenize(text)]


def test_receipt_numbers_are_one_token_with_or_without_hyphen_and_particles():
    assert texts("접수번호 W5MB-2HRT이에요")[2:] == ["W5MB-2HRT", "이", "에요"]
    assert texts("k6dv9znq") == ["k6dv9znq"]
    assert texts("3FQN-XE6B 상태")[0] == "3FQN-XE6B"


def test_other_letters_and_digits_still_split_by_script():
    assert texts("TV2대") == ["TV", "2", "대"]
    assert texts("12가3456") == ["12", "가", "3456"]
    assert texts("thx") == ["thx"]
    assert texts("abcdefgh") == ["abcdefgh"]  # all letters: a word, not a receipt number

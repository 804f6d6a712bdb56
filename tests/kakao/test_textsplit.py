"""Text splitting and shortening: nothing lost, every piece within its limit."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.kakao.textsplit import ELLIPSIS, shorten, split_text

# Korean, Latin, digits, sentence punctuation, spaces, newlines and the odd emoji.
korean_text = st.lists(
    st.one_of(
        st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), min_size=1, max_size=40),
        st.sampled_from(list("abcXYZ0123 .,!?…\n\t()\"'") + ["요. ", "다. ", "\n\n", "😀", " "]),
    ),
    max_size=400,
).map("".join)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@settings(max_examples=300, deadline=None)
@given(text=korean_text, limit=st.integers(min_value=1, max_value=1000))
def test_split_keeps_all_content_within_limits(text: str, limit: int) -> None:
    pieces = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert all(p == p.strip() for p in pieces)
    # Only whitespace at cut points may go; everything else is there, in order.
    assert _squash("".join(pieces)) == _squash(text)
    position = 0
    for piece in pieces:
        position = text.index(piece, position) + len(piece)


@settings(max_examples=200, deadline=None)
@given(text=korean_text)
def test_split_at_kakao_text_limit(text: str) -> None:
    pieces = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in pieces)
    assert _squash("".join(pieces)) == _squash(text)


def test_short_text_is_one_piece() -> None:
    assert split_text("  안녕하세요.  ", 1000) == ["안녕하세요."]
    assert split_text("   ", 1000) == []


def test_cuts_at_sentence_end_not_mid_word() -> None:
    sentence = "쓰레기봉투는 가까운 편의점과 마트에서 살 수 있어요. "
    text = sentence * 40  # ~1,200 characters
    pieces = split_text(text, 1000)
    assert len(pieces) == 2
    assert pieces[0].endswith("있어요.")
    assert pieces[1].startswith("쓰레기봉투는")


def test_prefers_paragraph_breaks() -> None:
    first = "가" * 600
    second = "나나나. " * 100
    pieces = split_text(first + "\n\n" + second, 1000)
    assert pieces[0] == first


def test_hard_cut_only_for_a_run_longer_than_the_limit() -> None:
    pieces = split_text("가" * 2500, 1000)
    assert [len(p) for p in pieces] == [1000, 1000, 500]


@settings(max_examples=300, deadline=None)
@given(text=korean_text, limit=st.integers(min_value=1, max_value=60))
def test_shorten_always_fits(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(" ".join(text.split())) <= limit:
        assert short == " ".join(text.split())


@pytest.mark.parametrize(
    "title, expected",
    [
        ("여권 발급", "여권 발급"),
        ("대형폐기물 신고 (인터넷)", "대형폐기물 신고 (인터넷)"),  # exactly 14
        ("대형폐기물 배출 신고 (인터넷 접수)", "대형폐기물 배출 신고"),
        ("쓰레기봉투 판매소 위치 안내 받기", "쓰레기봉투 판매소 위치…"),
        ("가나다라마바사아자차카타파하거너", "가나다라마바사아자차카타파" + ELLIPSIS),
    ],
)
def test_shorten_label_readably(title: str, expected: str) -> None:
    assert shorten(title, 14) == expected
    assert len(shorten(title, 14)) <= 14

"""The Korean tokenizer's contract: exact offsets, particles split, nothing lost."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sotong.nlu.analyzers import ANALYZERS, tokenize

ALL = sorted(ANALYZERS)

# Text that looks like residents' messages: Hangul syllables and jamo, Latin,
# digits, emoji, punctuation and odd whitespace, plus arbitrary Unicode.
korean_ish = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
        st.characters(min_codepoint=0x3131, max_codepoint=0x318E),
        st.sampled_from(list("abcXYZ0123456789 \t\n?!.,~^ㅋㅎ😀🙏\u3000\u200b")),
    ),
    max_size=60,
)


def check_invariants(text, tokens):
    last_end = 0
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text, (text, tok)
        assert tok.text and not any(c.isspace() for c in tok.text)
        assert tok.start >= last_end, "tokens overlap or are out of order"
        last_end = tok.end
        assert tok.lemma


@pytest.mark.parametrize("analyzer", ALL)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(korean_ish, st.text(max_size=40)))
def test_offsets_are_exact_on_any_text(analyzer, text):
    check_invariants(text, tokenize(text, analyzer))


@pytest.mark.parametrize("analyzer", ALL)
@settings(max_examples=60, deadline=None)
@given(text=korean_ish)
def test_no_hangul_letter_is_dropped(analyzer, text):
    covered = "".join(t.text for t in tokenize(text, analyzer))
    hangul = [c for c in text if "\uac00" <= c <= "\ud7a3"]
    assert all(c in covered for c in hangul)


@pytest.mark.parametrize("analyzer", ALL)
@pytest.mark.parametrize(
    "text, entity",
    [
        ("소파를 버리려면 어떻게 해요?", "소파"),
        ("쇼파를버리고싶어요", "쇼파"),
        ("청라동에서 쓰레기봉투 어디서 사요", "청라동"),
        ("냉장고는 얼마예요", "냉장고"),
        ("이불을 버리려고요ㅠㅠ", "이불"),
    ],
)
def test_particles_split_so_entities_align(analyzer, text, entity):
    tokens = tokenize(text, analyzer)
    start = text.index(entity)
    starts = {t.start for t in tokens}
    ends = {t.end for t in tokens}
    assert start in starts and start + len(entity) in ends, [t.text for t in tokens]


@pytest.mark.parametrize("analyzer", ALL)
def test_mixed_scripts_jamo_and_emoji(analyzer):
    text = "TV2대 버려요ㅋㅋ 😀 ㄳ"
    got = [t.text for t in tokenize(text, analyzer)]
    assert "TV" in got and "2" in got and "😀" in got and "ㄳ" in got


@pytest.mark.parametrize("analyzer", ALL)
def test_blank_and_punctuation_only(analyzer):
    assert tokenize("", analyzer) == []
    assert tokenize("  \n ", analyzer) == []
    only = tokenize("?!", analyzer)
    assert [t.text for t in only] == ["?!"]


def test_lemma_holds_the_dictionary_form():
    tokens = {t.text: t.lemma for t in tokenize("버려줘 해요", "mecab")}
    assert tokens["버려"] == "버리다"
    assert tokens["해요"] == "하다"


def test_unknown_analyzer_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown Korean analyzer"):
        tokenize("안녕", "nope")

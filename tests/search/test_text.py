"""Korean text helpers: normalising, jamo, initials."""

from sotong.search.text import grams, initials, is_initials_query, jamo, normalize


def test_normalize_drops_spacing_punctuation_and_case():
    assert normalize(" 여권  발급!? ") == "여권발급"
    assert normalize("SUV 신고") == "suv신고"
    assert normalize("") == "" and normalize(None) == ""  # type: ignore[arg-type]


def test_jamo_and_initials():
    assert jamo("여권") == "ㅇㅕㄱㅝㄴ"
    assert jamo("가a") == "ㄱㅏa"
    assert initials("여권발급") == "ㅇㄱㅂㄱ"
    assert initials("주민등록 등본") == "ㅈㅁㄷㄹ ㄷㅂ"


def test_initials_query_only_bare_consonants():
    assert is_initials_query("ㅇㄱ") and is_initials_query("ㄲ")
    assert not is_initials_query("ㅇ권") and not is_initials_query("ㅏ") and not is_initials_query("")


def test_a_slipped_final_consonant_keeps_most_grams():
    typed, meant = grams("여궈"), grams("여권")
    assert typed <= meant
    assert grams("가") == {"ㄱㅏ"} and grams("") == frozenset()

"""The FAQ / near-scope / chit-chat test sets stay held out (tests/tools/check_understanding_overlap.py)."""

from __future__ import annotations

import yaml

from tests.tools import check_understanding_overlap as check


def test_held_out_sets_do_not_overlap_training_and_are_big_enough():
    assert check.main([]) == 0


def test_the_check_catches_a_copied_example(tmp_path, capsys):
    """Spaces and punctuation do not make a copy new; a real paraphrase passes."""
    faq_tests = tmp_path / "faq_test"
    faq_tests.mkdir()
    catalogue_example = (
        check.load_catalogue(check.ROOT / "district" / "incheon-seogu").topic("property_tax").examples[0]
    )
    squeezed, shouted = catalogue_example.replace(" ", ""), catalogue_example + "?!"
    paraphrase = "재산세는 대체 몇 월에 나오는 건가요"
    copied = {"area": "tax", "tests": {"property_tax": [paraphrase, squeezed, shouted]}}
    (faq_tests / "tax.yml").write_text(yaml.safe_dump(copied, allow_unicode=True), encoding="utf-8")
    assert check.main(["--faq-tests", str(faq_tests)]) == 1
    err = capsys.readouterr().err
    assert f"{squeezed!r} is in training" in err
    assert f"{shouted!r} is in training" in err
    assert paraphrase not in err

"""The FAQ / near-scope / chit-chat test sets stay held out (tests/tools/check_understanding_overlap.py)."""

from __future__ import annotations

import yaml

from tests.tools import check_understanding_overlap as check


def test_held_out_sets_do_not_overlap_training_and_are_big_enough():
    assert check.main([]) == 0


def test_the_check_catches_a_copied_example(tmp_path, capsys):
    faq_tests = tmp_path / "faq_test"
    faq_tests.mkdir()
    copied = {"area": "tax", "tests": {"property_tax": ["재산세 언제 내요?", "재 산 세 언제내요"]}}
    (faq_tests / "tax.yml").write_text(yaml.safe_dump(copied, allow_unicode=True), encoding="utf-8")
    catalogue_example = (
        check.load_catalogue(check.ROOT / "district" / "incheon-seogu").topic("property_tax").examples[0]
    )
    copied["tests"]["property_tax"].append(catalogue_example.replace(" ", ""))
    (faq_tests / "tax.yml").write_text(yaml.safe_dump(copied, allow_unicode=True), encoding="utf-8")
    assert check.main(["--faq-tests", str(faq_tests)]) == 1
    err = capsys.readouterr().err
    assert f"{catalogue_example.replace(' ', '')!r} is in training" in err
    assert "재산세 언제 내요" not in err  # an honest paraphrase is not flagged

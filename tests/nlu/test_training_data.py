"""The training data and the held-out test set stay honest: no overlap, enough examples."""

from tests.tools import check_nlu_overlap


def test_test_set_is_held_out_and_every_intent_has_enough_examples(capsys):
    status = check_nlu_overlap.main([])
    assert status == 0, capsys.readouterr().out

"""The Rasa component wraps the analyzers and keeps Rasa's Token contract."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from sotong.nlu.korean_tokenizer import KoreanTokenizer


def make(analyzer="mecab"):
    return KoreanTokenizer({**KoreanTokenizer.get_default_config(), "analyzer": analyzer})


def test_tokens_carry_offsets_and_lemmas():
    msg = Message(data={"text": "소파를 버리려면 어떻게 해요?"})
    tokens = make().tokenize(msg, "text")
    assert [t.text for t in tokens][:2] == ["소파", "를"]
    assert all(msg.get("text")[t.start : t.end] == t.text for t in tokens)
    assert tokens[2].lemma == "버리다"


def test_entity_annotation_aligns_in_training():
    msg = Message(
        data={
            "text": "쇼파를 버리고 싶어요",
            "intent": "ask_bulky_waste",
            "entities": [{"start": 0, "end": 2, "value": "소파", "entity": "waste_item"}],
        }
    )
    tok = make()
    tok.process_training_data(TrainingData([msg]))
    tokens = msg.get("text_tokens")
    assert tokens[0].text == "쇼파" and tokens[0].end == 2


def test_bad_analyzer_name_is_refused():
    with pytest.raises(ValueError):
        make("whitespace")

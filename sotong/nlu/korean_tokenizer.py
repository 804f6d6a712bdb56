"""KoreanTokenizer: a Rasa 3.x tokenizer component for Korean.

Rasa's WhitespaceTokenizer drops every Hangul word (its emoji regex covers the
Hangul block), so Korean needs its own tokenizer. This one splits particles and
endings from stems (``[소파](waste_item)를`` aligns), keeps exact character
offsets into the original text, and puts the analyzer's normalised form in
``lemma`` for the featurizers. The analyzer is chosen in config.yml::

    - name: sotong.nlu.korean_tokenizer.KoreanTokenizer
      analyzer: mecab        # mecab | kiwi | okt

All the Korean logic lives in ``sotong.nlu.analyzers``; note that Rasa's training
cache fingerprints only this class's source, so after changing the analyzers
train with ``--force`` (``make train`` does when those files change).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from sotong.nlu.analyzers import ANALYZERS, get_analyzer, tokenize


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class KoreanTokenizer(Tokenizer):
    """Tokenizes Korean (and mixed Korean/Latin/digit/emoji) text with a morphological analyzer."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "analyzer": "mecab",
            "drop_punctuation": True,
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["mecab_ko", "kiwipiepy", "konlpy"]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        self.analyzer_name = self._config["analyzer"]
        if self.analyzer_name not in ANALYZERS:
            raise ValueError(f"analyzer must be one of {sorted(ANALYZERS)}, not {self.analyzer_name!r}")
        get_analyzer(self.analyzer_name)  # load now, not on the first resident's message

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KoreanTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        segments = tokenize(text, self.analyzer_name, self._config["drop_punctuation"])
        tokens = [Token(s.text, s.start, end=s.end, lemma=s.lemma) for s in segments]
        return self._apply_token_pattern(tokens)

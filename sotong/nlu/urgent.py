"""Urgent words outrank whatever the classifier thought: a message with a keyword of an urgent
department (departments.yml `urgent: true`: 119/112, the crisis lines) is parsed as ``faq``,
whose action answers that department's topic before anything else (actions/faq.py
ActionAnswerFaq, answer_if_urgent).

Why here and not in each action: "죽고 싶어요 살려주세요" was classified as a report, and a
crisis message can land on any intent, including those answered by a response alone (greet,
thank). One override in the NLU covers every path, and the form actions check the same words
for a form in progress (actions/urgent.py).

The keywords are the district's data, read at parse time (re-read when staff save the file),
so the trained model does not need retraining when they change. The classifier's own guess is
kept in the parse (``urgent_override``) for the audit trail and the benchmark.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from sotong.faq.departments import current_directory
from sotong.settings import load_settings

URGENT_INTENT = "faq"  # its action answers the urgent department's topic first
OVERRIDE_KEY = "urgent_override"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UrgentWords(GraphComponent):
    """Runs last in the pipeline (after FallbackClassifier, so an unsure parse is overridden too)."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UrgentWords":
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        # as staff last saved it; the last good one when their last edit broke it
        directory = current_directory(load_settings().district_dir)
        if directory is None:
            return messages
        for message in messages:
            topic = directory.urgent_topic(message.get(TEXT) or "")
            if topic:
                override(message, topic)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # training examples keep their own intents


def override(message: Message, topic: str) -> None:
    guessed = message.get(INTENT) or {}
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != URGENT_INTENT]
    message.set(INTENT, {"name": URGENT_INTENT, "confidence": 1.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": URGENT_INTENT, "confidence": 1.0}, *ranking], add_to_output=True)
    message.set(OVERRIDE_KEY, {"topic": topic, "classified_as": guessed.get("name")}, add_to_output=True)

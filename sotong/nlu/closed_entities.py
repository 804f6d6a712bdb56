"""Drops entity guesses that cannot be right: a closed-class entity whose value is not one of
its classes, or a value that does not have its entity's fixed shape.

`passport_facet` is one of lost | documents | fees | processing | place after the synonym
mapper, and `complaint_field` one of address | description | category: the actions use
nothing else (actions/passport.py, actions/complaints/). DIET sometimes tags a particle or an
ending ("어떻게", "세요") as a facet, or a short Latin word ("thx") as a receipt number;
such a guess only confuses the dialogue and costs entity F1 (docs/benchmarks.md). It runs
after EntitySynonymMapper, so the values it checks are the canonical ones.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ClosedEntityFilter(GraphComponent):
    """config: ``classes: {entity: [allowed values]}``, ``shapes: {entity: regex the whole value matches}``."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"classes": {}, "shapes": {}}

    def __init__(self, config: dict[str, Any]) -> None:
        self.classes = {k: {str(v) for v in vs} for k, vs in (config.get("classes") or {}).items()}
        self.shapes = {k: re.compile(v) for k, v in (config.get("shapes") or {}).items()}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "ClosedEntityFilter":
        return cls(config)

    def keeps(self, entity: dict[str, Any]) -> bool:
        name, value = entity.get("entity"), str(entity.get("value"))
        if name in self.classes and value not in self.classes[name]:
            return False
        shape = self.shapes.get(str(name))
        return shape is None or bool(shape.fullmatch(value))

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            kept = [e for e in entities if self.keeps(e)]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data  # the annotations are the truth: nothing to filter

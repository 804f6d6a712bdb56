"""The closed-class entity filter (sotong/nlu/closed_entities.py) as config.yml configures it."""

from __future__ import annotations

import yaml
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

from sotong.nlu.closed_entities import ClosedEntityFilter
from sotong.settings import PROJECT_ROOT


def configured() -> ClosedEntityFilter:
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    names = [c["name"] for c in pipeline]
    at = names.index("sotong.nlu.closed_entities.ClosedEntityFilter")
    assert at > names.index("EntitySynonymMapper")  # it sees canonical values
    return ClosedEntityFilter({**ClosedEntityFilter.get_default_config(), **pipeline[at]})


def entity(name, value, extractor="DIETClassifier"):
    return {"entity": name, "value": value, "start": 0, "end": len(value), "extractor": extractor}


def test_guesses_outside_the_class_or_shape_are_dropped_the_rest_kept():
    keep = [
        entity("passport_facet", "documents"),
        entity("complaint_field", "address"),
        entity("complaint_id", "S7K2-9QXM", "RegexEntityExtractor"),
        entity("complaint_id", "s7k29qxm"),
        entity("dong", "가정동"),  # not a closed class: untouched
    ]
    drop = [
        entity("passport_facet", "어떻게"),
        entity("complaint_field", "사진"),
        entity("complaint_id", "thx"),
        entity("complaint_id", "S7K2"),  # a piece of a receipt number
    ]
    message = Message(data={"text": "x", ENTITIES: keep + drop})
    (out,) = configured().process([message])
    assert out.get(ENTITIES) == keep


def test_a_message_without_entities_is_left_alone():
    message = Message(data={"text": "안녕하세요"})
    (out,) = configured().process([message])
    assert not out.get(ENTITIES)

"""The edits the studio makes, each a pure function ``text -> new text`` of one YAML file.

- an NLU example added to (or removed from) an intent's ``examples: |`` block (data/nlu/*.yml);
- an example added to (or removed from) a FAQ topic's ``examples`` list (district/*/faq/*.yml);
- a FAQ answer or a response variant's ``text`` replaced;
- a new FAQ topic appended to an area file (or removed again).

Each goes through yaml_store.Document, so the rest of the file is untouched. A missing
target raises EditTargetMissing; the caller words it for staff.
"""

from __future__ import annotations

from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from sotong.studio.yaml_store import Document, folded, same_style


class EditTargetMissing(LookupError):
    """The intent, topic or response named is not in the file (any more)."""


def _nlu_block(doc: Document, intent: str) -> Any:
    for item in doc.data.get("nlu") or []:
        if isinstance(item, dict) and item.get("intent") == intent and isinstance(item.get("examples"), str):
            return item
    raise EditTargetMissing(f"intent {intent!r} has no examples block in {doc.name}")


def example_lines(block_text: str) -> list[str]:
    """The examples of a ``- example`` block, as written (annotations kept)."""
    return [line[2:].strip() for line in block_text.splitlines() if line.startswith("- ")]


def add_nlu_example(text: str, intent: str, example: str, name: str = "<nlu>") -> str:
    doc = Document(text, name)
    block = _nlu_block(doc, intent)
    old = str(block["examples"])
    if old and not old.endswith("\n"):
        old += "\n"
    block["examples"] = LiteralScalarString(f"{old}- {example}\n")
    return doc.render()


def remove_nlu_example(text: str, intent: str, example: str, name: str = "<nlu>") -> str:
    doc = Document(text, name)
    block = _nlu_block(doc, intent)
    lines = str(block["examples"]).splitlines(keepends=True)
    for i in range(len(lines) - 1, -1, -1):  # the last one: the studio appends
        if lines[i].startswith("- ") and lines[i][2:].strip() == example:
            del lines[i]
            block["examples"] = LiteralScalarString("".join(lines))
            return doc.render()
    raise EditTargetMissing(f"{example!r} is not an example of {intent!r}")


def _topic(doc: Document, topic_id: str) -> Any:
    for item in doc.data.get("topics") or []:
        if isinstance(item, dict) and item.get("id") == topic_id:
            return item
    raise EditTargetMissing(f"topic {topic_id!r} is not in {doc.name}")


def add_faq_example(text: str, topic_id: str, example: str, name: str = "<faq>") -> str:
    doc = Document(text, name)
    topic = _topic(doc, topic_id)
    if not isinstance(topic.get("examples"), list):
        raise EditTargetMissing(f"topic {topic_id!r} has no examples list")
    topic["examples"].append(example)
    return doc.render()


def remove_faq_example(text: str, topic_id: str, example: str, name: str = "<faq>") -> str:
    doc = Document(text, name)
    examples = _topic(doc, topic_id).get("examples") or []
    for i in range(len(examples) - 1, -1, -1):
        if str(examples[i]).strip() == example:
            del examples[i]
            return doc.render()
    raise EditTargetMissing(f"{example!r} is not an example of topic {topic_id!r}")


def _plain_load(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def faq_answer(text: str, topic_id: str, name: str = "<faq>") -> str:
    """A topic's answer as the bot says it (folded lines joined), read without ruamel (fast)."""
    for item in (_plain_load(text) or {}).get("topics") or []:
        if isinstance(item, dict) and item.get("id") == topic_id:
            return " ".join(str(item.get("answer", "")).split())
    raise EditTargetMissing(f"topic {topic_id!r} is not in {name}")


def set_faq_answer(text: str, topic_id: str, answer: str, name: str = "<faq>") -> str:
    doc = Document(text, name)
    topic = _topic(doc, topic_id)
    topic["answer"] = folded(answer)
    return doc.render()


def _variants(doc: Document, utter: str) -> Any:
    responses = doc.data.get("responses") or {}
    variants = responses.get(utter)
    if not isinstance(variants, list):
        raise EditTargetMissing(f"response {utter!r} is not in {doc.name}")
    return variants


def response_texts(text: str, utter: str, name: str = "<responses>") -> list[str | None]:
    variants = ((_plain_load(text) or {}).get("responses") or {}).get(utter)
    if not isinstance(variants, list):
        raise EditTargetMissing(f"response {utter!r} is not in {name}")
    return [v.get("text") if isinstance(v, dict) else None for v in variants]


def set_response_text(text: str, utter: str, index: int, new_text: str, name: str = "<responses>") -> str:
    doc = Document(text, name)
    variants = _variants(doc, utter)
    if not (0 <= index < len(variants)) or not isinstance(variants[index], dict) or "text" not in variants[index]:
        raise EditTargetMissing(f"response {utter!r} has no text variant {index}")
    old = variants[index]["text"]
    # Responses are written in double quotes with \n escapes: keep that for any multi-line text.
    variants[index]["text"] = DoubleQuotedScalarString(new_text) if "\n" in new_text else same_style(old, new_text)
    return doc.render()


def add_faq_topic(text: str, topic: dict[str, Any], name: str = "<faq>") -> str:
    doc = Document(text, name)
    topics = doc.data.get("topics")
    if not isinstance(topics, list):
        raise EditTargetMissing(f"{name} has no topics list")
    item = CommentedMap()
    item["id"] = topic["id"]
    item["title"] = topic["title"]
    item["answer"] = folded(topic["answer"])
    item["department"] = topic["department"]
    item["phone"] = DoubleQuotedScalarString(topic["phone"])
    examples = CommentedSeq(topic["examples"])
    item["examples"] = examples
    topics.append(item)
    return doc.render()


def remove_faq_topic(text: str, topic_id: str, name: str = "<faq>") -> str:
    doc = Document(text, name)
    topics = doc.data.get("topics") or []
    for i, item in enumerate(topics):
        if isinstance(item, dict) and item.get("id") == topic_id:
            del topics[i]
            return doc.render()
    raise EditTargetMissing(f"topic {topic_id!r} is not in {name}")

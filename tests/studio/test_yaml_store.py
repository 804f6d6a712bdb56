"""The write-back keeps every file byte for byte outside the edited block: tried on every
YAML file of the project (each kind of edit where it applies), and on the hard cases
(comments, emoji, ``null``s ruamel would rewrite, quotes, folded answers)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from sotong.settings import PROJECT_ROOT
from sotong.studio import edits
from sotong.studio.yaml_store import Document, UnsafeEdit, splice, version_of

NLU = sorted(p for p in (PROJECT_ROOT / "data" / "nlu").glob("*.yml") if p.name not in ("faq.yml", "lookups.yml")) + [
    PROJECT_ROOT / "data" / "nlu.yml"
]
FAQ = sorted((PROJECT_ROOT / "district" / "incheon-seogu" / "faq").glob("*.yml"))
RESPONSES = sorted((PROJECT_ROOT / "data" / "responses").glob("*.yml"))


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed, added) lines between two texts."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith("-") and not line.startswith("---"):
            removed.append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            added.append(line[1:])
    return removed, added


@pytest.mark.parametrize("path", NLU, ids=lambda p: p.name)
def test_an_example_added_to_each_intent_file_is_one_new_line(path: Path):
    text = path.read_text(encoding="utf-8")
    intents = [i["intent"] for i in yaml.safe_load(text)["nlu"] if "intent" in i and isinstance(i.get("examples"), str)]
    assert intents, path
    for intent in intents[:3] + intents[-1:]:
        after = edits.add_nlu_example(text, intent, "새로 배운 문장이에요")
        removed, added = changed_lines(text, after)
        assert removed == [] and len(added) == 1 and added[0].strip() == "- 새로 배운 문장이에요"
        # indented like the example above it
        lines = after.splitlines()
        at = lines.index(added[0])
        assert lines[at - 1].startswith(added[0][: len(added[0]) - len(added[0].lstrip())] + "- ")
        examples = next(i["examples"] for i in yaml.safe_load(after)["nlu"] if i.get("intent") == intent)
        assert examples.endswith("- 새로 배운 문장이에요\n")
        # and removing it gives back the very same bytes
        assert edits.remove_nlu_example(after, intent, "새로 배운 문장이에요") == text


@pytest.mark.parametrize("path", FAQ, ids=lambda p: p.name)
def test_faq_edits_touch_only_their_topic(path: Path):
    text = path.read_text(encoding="utf-8")
    topics = yaml.safe_load(text)["topics"]
    first, last = topics[0]["id"], topics[-1]["id"]
    after = edits.add_faq_example(text, last, "이건 새 예문: 따옴표가 필요해요 # 주석 아님")
    removed, added = changed_lines(text, after)
    assert removed == [] and added == ["      - '이건 새 예문: 따옴표가 필요해요 # 주석 아님'"]
    assert yaml.safe_load(after)["topics"][-1]["examples"][-1] == "이건 새 예문: 따옴표가 필요해요 # 주석 아님"
    assert edits.remove_faq_example(after, last, "이건 새 예문: 따옴표가 필요해요 # 주석 아님") == text

    old_answer = edits.faq_answer(text, first)
    new_answer = "새 답변이에요. " + old_answer[:200]
    after = edits.set_faq_answer(text, first, new_answer)
    removed, added = changed_lines(text, after)
    assert removed and all(line.startswith("      ") for line in removed + added)  # only the answer's lines
    assert " ".join(yaml.safe_load(after)["topics"][0]["answer"].split()) == new_answer
    assert max(len(line) for line in added) < 90  # folded like the hand-written answers
    # every other topic is the same data as before
    assert yaml.safe_load(after)["topics"][1:] == topics[1:]
    back = edits.set_faq_answer(after, first, old_answer)
    assert " ".join(yaml.safe_load(back)["topics"][0]["answer"].split()) == old_answer


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_a_response_text_edit_changes_one_line(path: Path):
    text = path.read_text(encoding="utf-8")
    responses = yaml.safe_load(text)["responses"]
    name = next(n for n, v in responses.items() if isinstance(v[0], dict) and "text" in v[0])
    after = edits.set_response_text(text, name, 0, "바뀐 문장이에요.\n두 줄이에요 📢")
    removed, added = changed_lines(text, after)
    assert len(removed) == 1 and len(added) == 1
    assert added[0].endswith('- text: "바뀐 문장이에요.\\n두 줄이에요 📢"')
    assert yaml.safe_load(after)["responses"][name][0]["text"] == "바뀐 문장이에요.\n두 줄이에요 📢"
    assert {k: v for k, v in yaml.safe_load(after)["responses"].items() if k != name} == {
        k: v for k, v in responses.items() if k != name
    }


def test_an_emoji_line_elsewhere_stays_as_written():
    # data/responses/complaints.yml has "📢" which ruamel alone would write as "\U0001F4E2".
    text = (PROJECT_ROOT / "data" / "responses" / "complaints.yml").read_text(encoding="utf-8")
    assert "📢" in text
    name = next(iter(yaml.safe_load(text)["responses"]))
    after = edits.set_response_text(text, name, 0, "고친 문장이에요")
    assert "📢" in after and "\\U0001F4E2" not in after
    assert len(changed_lines(text, after)[1]) == 1


def test_rules_with_nulls_keep_them_when_a_neighbour_changes():
    text = "rules:\n  - rule: a\n    steps:\n      - active_loop: null\n  - rule: b\n    steps:\n      - intent: x\n"
    doc = Document(text)
    doc.data["rules"][1]["steps"].append({"action": "utter_b"})
    after = doc.render()
    assert after == text + "      - action: utter_b\n"


def test_comments_quotes_and_blank_lines_survive():
    text = (
        "# top comment\n"
        'version: "3.1"\n'
        "\n"
        "nlu:\n"
        "# before the intent\n"
        "- intent: ask_x   # trailing comment\n"
        "  examples: |\n"
        "    - 하나\n"
        "    - 둘\n"
        "\n"
        "# between\n"
        "- intent: ask_y\n"
        "  examples: |\n"
        "    - 셋\n"
    )
    after = edits.add_nlu_example(text, "ask_x", "넷")
    assert after == text.replace("    - 둘\n", "    - 둘\n    - 넷\n")
    after = edits.add_nlu_example(text, "ask_y", "다섯")
    assert after == text + "    - 다섯\n"


def test_a_hunk_where_ruamel_disagrees_with_the_file_is_refused():
    original = "a: 1\nb: 'x'\nc: 3\n"
    base = 'a: 1\nb: "x"\nc: 3\n'  # pretend ruamel re-quoted b
    assert splice(original, base, 'a: 2\nb: "x"\nc: 3\n') == "a: 2\nb: 'x'\nc: 3\n"
    with pytest.raises(UnsafeEdit):
        splice(original, base, 'a: 1\nb: "y"\nc: 3\n')


def test_a_missing_target_is_named():
    text = (PROJECT_ROOT / "data" / "nlu" / "passport.yml").read_text(encoding="utf-8")
    with pytest.raises(edits.EditTargetMissing):
        edits.add_nlu_example(text, "no_such_intent", "x")
    with pytest.raises(edits.EditTargetMissing):
        edits.remove_nlu_example(text, "ask_passport", "없는 예문")


def test_a_new_topic_is_appended_in_the_catalogue_style():
    path = FAQ[0]
    text = path.read_text(encoding="utf-8")
    topic = {
        "id": "new_topic",
        "title": "새 주제",
        "answer": "새 주제의 답변이에요. " * 8,
        "department": "민원여권과",
        "phone": "032-000-0000",
        "examples": [f"새 주제 예문 {i}" for i in range(8)],
    }
    after = edits.add_faq_topic(text, topic)
    assert after.startswith(text)
    loaded = yaml.safe_load(after)["topics"][-1]
    assert loaded["id"] == "new_topic" and loaded["phone"] == "032-000-0000" and len(loaded["examples"]) == 8
    assert '    phone: "032-000-0000"\n' in after and "    answer: >-\n" in after
    assert edits.remove_faq_topic(after, "new_topic") == text


def test_versions_differ_with_content():
    assert version_of("a") != version_of("b") and len(version_of("a")) == 16

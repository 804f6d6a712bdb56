"""The FAQ catalogue: loading, validation (clear errors naming file and key), look-ups."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import yaml

from sotong.faq import CatalogueError, load_catalogue
from sotong.faq.catalogue import MAX_TITLE, parse_files
from sotong.settings import PROJECT_ROOT

EXAMPLES = [
    "전입신고 어떻게 해요",
    "전입신고 어디서 해",
    "이사왔는데 주소 옮기려면",
    "전입신고기한",
    "전입신고 온라인으로 돼요?",
    "전입 신고 서류",
    "전입신고 늦으면 과태료",
    "주소이전신고",
]


def topic(tid: str, **over):
    t = {
        "id": tid,
        "title": "전입신고",
        "answer": "이사한 날부터 14일 이내에 신고해요.",
        "department": "민원여권과",
        "phone": "032-000-1100",
        "sample": True,
        "examples": [f"{e} {tid}" for e in EXAMPLES],
    }
    t.update(over)
    return t


def write(folder: Path, area: str, topics, **over) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"area": area, "title": "민원서류", "topics": topics}
    doc.update(over)
    path = folder / f"{area}.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def test_shipped_catalogue_is_valid_and_large_enough():
    catalogue = load_catalogue(PROJECT_ROOT / "district" / "incheon-seogu")
    assert len(catalogue.topics) >= 120
    assert all(len(t.examples) >= 8 for t in catalogue.topics.values())
    assert all(len(t.related) <= 3 for t in catalogue.topics.values())


def test_topics_related_and_lookup(tmp_path):
    write(tmp_path / "faq", "civil", [topic("move_in", related=["seal"]), topic("seal", title="인감증명서")])
    c = load_catalogue(tmp_path)
    assert c.topic("move_in").department == "민원여권과"
    assert [t.id for t in c.related("move_in")] == ["seal"]
    assert c.topic("nope") is None and c.related("nope") == []
    assert c.departments() == {"민원여권과": "032-000-1100"}


def test_no_faq_folder_is_an_empty_catalogue(tmp_path):
    assert load_catalogue(tmp_path).topics == {}


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"title": "가" * (MAX_TITLE + 1)}, "'title' is 15 characters"),
        ({"answer": "가" * 401}, "'answer' is 401 characters"),
        ({"phone": ""}, "'phone' is missing or empty"),
        ({"examples": EXAMPLES[:3]}, "'examples' has 3 sentences (min 8)"),
        ({"id": "Move-In"}, "'id' must be lower-case ascii snake_case"),
        ({"related": ["a", "b", "c", "d"]}, "'related' has 4 ids (max 3)"),
        ({"online": {"name": "정부24", "url": "http://www.gov.kr"}}, "https:// 'url'"),
        ({"sample": "yes"}, "'sample' must be true or false"),
        ({"answr": "오타"}, "unknown key 'answr'"),
    ],
)
def test_each_problem_names_file_topic_and_key(tmp_path, bad, message):
    path = write(tmp_path / "faq", "civil", [topic("move_in", **bad)])
    with pytest.raises(CatalogueError) as err:
        parse_files([path])
    assert "civil.yml: topics[0] (id " in str(err.value)
    assert message in str(err.value)


def test_duplicate_ids_across_files_and_unknown_related(tmp_path):
    a = write(tmp_path / "faq", "civil", [topic("move_in", related=["ghost"])])
    b = write(tmp_path / "faq", "tax", [topic("move_in", examples=[f"세금 {e}" for e in EXAMPLES])])
    with pytest.raises(CatalogueError) as err:
        parse_files([a, b])
    problems = err.value.problems
    assert any("tax.yml: topic id 'move_in' is already used in civil.yml" in p for p in problems)
    assert any("relates to unknown topic 'ghost'" in p for p in problems)
    # drafts (while an area is still being written) drop the dangling id instead
    c = parse_files([a], drafts=True)
    assert c.topic("move_in").related == ()


def test_same_example_in_two_topics_is_a_labelling_error(tmp_path):
    path = write(tmp_path / "faq", "civil", [topic("a"), topic("b", examples=topic("a")["examples"])])
    with pytest.raises(CatalogueError, match="is also an example of 'a'"):
        parse_files([path])


@pytest.mark.parametrize(
    "content, message",
    [
        ("area: [unclosed", "cannot read it as YAML"),
        ("- just a list", "must be a mapping"),
        ("area: other\ntitle: x\ntopics: []", "must equal the file name"),
    ],
)
def test_malformed_files(tmp_path, content, message):
    (tmp_path / "faq").mkdir()
    path = tmp_path / "faq" / "civil.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueError, match=message):
        parse_files([path])


def test_edits_are_picked_up_without_restart(tmp_path):
    path = write(tmp_path / "faq", "civil", [topic("move_in")])
    assert load_catalogue(tmp_path).topic("move_in").phone == "032-000-1100"
    write(tmp_path / "faq", "civil", [topic("move_in", phone="032-000-1199")])
    later = time.time() + 5
    os.utime(path, (later, later))  # a same-second edit must not be missed
    assert load_catalogue(tmp_path).topic("move_in").phone == "032-000-1199"

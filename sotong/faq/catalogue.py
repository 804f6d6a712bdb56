"""The district's FAQ catalogue: ``district/<name>/faq/<area>.yml``, one file per area.

Staff edit these files; the bot answers from them at run time, so a corrected answer,
phone number or link goes live without retraining (only new or changed *examples*
need a retrain). Loading validates everything and reports every problem at once, each
naming its file and key, because the person reading the error is a staff member
editing YAML, not a developer.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

# Limits from the catalogue format (docs: /work/notes/faq-format.md, README "FAQ catalogue").
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TITLE = 14  # a KakaoTalk quick reply shows at most 14 characters
MAX_ANSWER = 400  # a short answer; KakaoTalk simpleText allows 1000, leave room for the frame
MIN_EXAMPLES = 8  # the issue asks ≥ 8 resident-style training utterances per topic
MAX_RELATED = 3
MAX_EXAMPLE = 200
REQUIRED = ("id", "title", "answer", "department", "phone", "examples")
KNOWN_TOPIC_KEYS = set(REQUIRED) | {"online", "sample", "related"}


class CatalogueError(ValueError):
    """The catalogue files have problems; ``problems`` lists each as 'file: key: what'."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("FAQ catalogue has %d problem(s):\n  %s" % (len(self.problems), "\n  ".join(self.problems)))


@dataclass(frozen=True)
class OnlineRoute:
    name: str
    url: str


@dataclass(frozen=True)
class Topic:
    id: str
    area: str
    title: str
    answer: str
    department: str
    phone: str
    examples: tuple[str, ...]
    related: tuple[str, ...] = ()
    online: OnlineRoute | None = None
    sample: bool = False
    source: str = ""


@dataclass(frozen=True)
class Area:
    id: str
    title: str
    topic_ids: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True)
class Catalogue:
    areas: tuple[Area, ...]
    topics: dict[str, Topic] = field(default_factory=dict)

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def related(self, topic_id: str) -> list[Topic]:
        """The topic's own related list, in the order staff wrote it."""
        t = self.topics.get(topic_id)
        return [self.topics[r] for r in t.related if r in self.topics] if t else []

    def in_area(self, area_id: str) -> list[Topic]:
        return [t for t in self.topics.values() if t.area == area_id]

    def departments(self) -> dict[str, str]:
        """Department name -> phone, first phone written wins (files are read in name order)."""
        out: dict[str, str] = {}
        for t in self.topics.values():
            out.setdefault(t.department, t.phone)
        return out


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _topic(raw: Any, area: str, where: str, problems: list[str]) -> Topic | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: a topic must be a mapping with {', '.join(REQUIRED)}")
        return None
    tid = str(raw.get("id", "")).strip()
    where = f"{where} (id {tid or '?'})"
    before = len(problems)
    for key in REQUIRED:
        if raw.get(key) in (None, "", []):
            problems.append(f"{where}: '{key}' is missing or empty")
    for key in sorted(set(raw) - KNOWN_TOPIC_KEYS):
        problems.append(f"{where}: unknown key '{key}' (known: {', '.join(sorted(KNOWN_TOPIC_KEYS))})")
    if tid and not ID_PATTERN.match(tid):
        problems.append(f"{where}: 'id' must be lower-case ascii snake_case")
    title, answer = _text(raw.get("title")), _text(raw.get("answer"))
    if len(title) > MAX_TITLE:
        problems.append(f"{where}: 'title' is {len(title)} characters (max {MAX_TITLE}): {title!r}")
    if len(answer) > MAX_ANSWER:
        problems.append(f"{where}: 'answer' is {len(answer)} characters (max {MAX_ANSWER})")
    examples = raw.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, (str, int)) for e in examples):
        problems.append(f"{where}: 'examples' must be a list of sentences")
        examples = []
    examples = [_text(e) for e in examples if _text(e)]
    if raw.get("examples") and len(examples) < MIN_EXAMPLES:
        problems.append(f"{where}: 'examples' has {len(examples)} sentences (min {MIN_EXAMPLES})")
    for e in examples:
        if len(e) > MAX_EXAMPLE:
            problems.append(f"{where}: example longer than {MAX_EXAMPLE} characters: {e[:30]!r}…")
    related = raw.get("related") or []
    if not isinstance(related, list):
        problems.append(f"{where}: 'related' must be a list of topic ids")
        related = []
    if len(related) > MAX_RELATED:
        problems.append(f"{where}: 'related' has {len(related)} ids (max {MAX_RELATED})")
    online = None
    if raw.get("online") is not None:
        o = raw["online"]
        if not isinstance(o, dict) or not o.get("name") or not str(o.get("url", "")).startswith("https://"):
            problems.append(f"{where}: 'online' needs a 'name' and an https:// 'url'")
        else:
            online = OnlineRoute(_text(o["name"]), str(o["url"]).strip())
    if not isinstance(raw.get("sample", False), bool):
        problems.append(f"{where}: 'sample' must be true or false")
    if len(problems) > before:
        return None
    return Topic(
        id=tid,
        area=area,
        title=title,
        answer=answer,
        department=_text(raw["department"]),
        phone=_text(raw["phone"]),
        examples=tuple(examples),
        related=tuple(str(r).strip() for r in related),
        online=online,
        sample=bool(raw.get("sample", False)),
        source=where.split(":")[0],
    )


def _read(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        with path.open(encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.append(f"{path.name}: cannot read it as YAML: {str(exc).splitlines()[0]}")
        return None
    if not isinstance(raw, dict):
        problems.append(f"{path.name}: must be a mapping with 'area', 'title' and 'topics'")
        return None
    return raw


def parse_files(paths: Iterable[Path], drafts: bool = False) -> Catalogue:
    """Validate and combine catalogue files; raise CatalogueError listing every problem.

    ``drafts`` drops 'related' ids that name no topic instead of failing: for building
    while an area is still being written (never used when serving).
    """
    problems: list[str] = []
    areas: list[Area] = []
    topics: dict[str, Topic] = {}
    example_owner: dict[str, str] = {}
    for path in sorted(paths):
        raw = _read(path, problems)
        if raw is None:
            continue
        area = str(raw.get("area", "")).strip()
        if area != path.stem:
            problems.append(f"{path.name}: 'area' is {area!r}, must equal the file name {path.stem!r}")
        if not _text(raw.get("title")):
            problems.append(f"{path.name}: 'title' (the area's name) is missing")
        items = raw.get("topics")
        if not isinstance(items, list) or not items:
            problems.append(f"{path.name}: 'topics' must be a non-empty list")
            continue
        ids = []
        for i, item in enumerate(items):
            t = _topic(item, path.stem, f"{path.name}: topics[{i}]", problems)
            if t is None:
                continue
            if t.id in topics:
                problems.append(f"{path.name}: topic id '{t.id}' is already used in {topics[t.id].source}")
                continue
            for e in t.examples:
                key = "".join(e.split()).casefold()
                if key in example_owner and example_owner[key] != t.id:
                    problems.append(
                        f"{path.name}: example {e!r} of '{t.id}' is also an example of '{example_owner[key]}'"
                    )
                example_owner.setdefault(key, t.id)
            topics[t.id] = t
            ids.append(t.id)
        areas.append(Area(area or path.stem, _text(raw.get("title")), tuple(ids), path.name))
    for t in topics.values():
        for r in t.related:
            if r == t.id:
                problems.append(f"{t.source}: topic '{t.id}' lists itself in 'related'")
            elif r not in topics and not drafts:
                problems.append(f"{t.source}: topic '{t.id}' relates to unknown topic '{r}'")
    if problems:
        raise CatalogueError(problems)
    if drafts:
        topics = {k: replace(t, related=tuple(r for r in t.related if r in topics)) for k, t in topics.items()}
    return Catalogue(tuple(areas), topics)


def catalogue_files(district_dir: Path) -> list[Path]:
    return sorted((Path(district_dir) / "faq").glob("*.yml"))


_cache: dict[str, tuple[tuple[tuple[str, float, int], ...], Catalogue]] = {}
_lock = threading.Lock()


def load_catalogue(district_dir: Path, drafts: bool = False) -> Catalogue:
    """The district's catalogue, re-read whenever a file changed (staff edits go live at once).

    An empty catalogue (no faq folder) is valid: a district may start without one.
    """
    files = catalogue_files(district_dir)
    stamp = tuple((str(p), p.stat().st_mtime, p.stat().st_size) for p in files)
    key = f"{Path(district_dir).resolve()}|{drafts}"
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] == stamp:
            return hit[1]
    catalogue = parse_files(files, drafts=drafts)
    with _lock:
        _cache[key] = (stamp, catalogue)
    return catalogue

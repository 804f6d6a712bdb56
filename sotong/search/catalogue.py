"""The services a resident can open from the page: one list for search, the quick menu,
favourites and recommendations.

Built from data that already exists, so a title is written once: the chat's main menu
(data/responses/menu.yml), the report categories (district complaints.yml), the FAQ
topics (district faq/*.yml) and the extra search words (district search.yml). Re-read
when any of those files changes, like the FAQ catalogue.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from sotong.complaints.categories import category_infos
from sotong.faq.catalogue import catalogue_files, load_catalogue
from sotong.settings import PROJECT_ROOT, load_settings

MENU_FILE = PROJECT_ROOT / "data" / "responses" / "menu.yml"
SEARCH_FILE = "search.yml"

MENU, REPORT, FAQ = "menu", "report", "faq"


@dataclass(frozen=True)
class Service:
    """One thing the page can open: tapping it sends ``payload`` to the chat."""

    id: str  # ask_passport | report:noise | faq:move_in_report
    kind: str  # menu | report | faq
    title: str
    payload: str  # a Rasa intent message: /ask_passport, /faq{"faq_topic": "..."}
    terms: tuple[str, ...]  # what search matches besides the title
    area: str = ""  # the FAQ area's title, for grouping on the page

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "kind": self.kind, "title": self.title, "payload": self.payload, "area": self.area}


@dataclass(frozen=True)
class ServiceCatalogue:
    services: tuple[Service, ...]

    def get(self, service_id: str) -> Service | None:
        return self._by_id().get(service_id)

    def main(self) -> list[Service]:
        """The chat's main menu, in its order: the quick menu's first screen."""
        return [s for s in self.services if s.kind == MENU]

    def _by_id(self) -> dict[str, Service]:
        cached = self.__dict__.get("_index")
        if cached is None:
            cached = {s.id: s for s in self.services}
            object.__setattr__(self, "_index", cached)
        return cached


def _menu_buttons(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    variations = (data.get("responses") or {}).get("utter_main_menu") or [{}]
    return list(variations[0].get("buttons") or [])


def _intent(payload: str) -> str:
    return payload.lstrip("/").split("{", 1)[0]


def build_catalogue(district_dir: Path, menu_file: Path = MENU_FILE) -> ServiceCatalogue:
    extra_path = Path(district_dir) / SEARCH_FILE
    extra = (yaml.safe_load(extra_path.read_text(encoding="utf-8")) or {}) if extra_path.exists() else {}
    keywords: dict[str, list[str]] = {k: [str(w) for w in v or ()] for k, v in (extra.get("keywords") or {}).items()}
    report_title = str(extra.get("report_title") or "{name}")
    categories = category_infos(district_dir)
    by_intent = {c.intent: c for c in categories if c.intent}

    services: list[Service] = []
    for button in _menu_buttons(menu_file):
        intent = _intent(str(button["payload"]))
        words = list(keywords.get(intent, ()))
        if intent in by_intent:  # 무단투기 신고: the category's own keywords find it too
            words += list(by_intent[intent].keywords)
        services.append(Service(intent, MENU, str(button["title"]), str(button["payload"]), tuple(words)))
    menu_intents = {s.id for s in services}
    for c in categories:
        if c.intent in menu_intents or not c.active:
            continue
        payload = "/report_problem" + json.dumps({"complaint_category": c.code}, ensure_ascii=False)
        title = report_title.format(name=c.name)
        services.append(Service(f"report:{c.code}", REPORT, title, payload, (c.name, *c.keywords)))
    faq = load_catalogue(district_dir)
    for area in faq.areas:
        for topic_id in area.topic_ids:
            t = faq.topics[topic_id]
            payload = "/faq" + json.dumps({"faq_topic": t.id}, ensure_ascii=False)
            services.append(Service(f"faq:{t.id}", FAQ, t.title, payload, t.examples, area.title))
    return ServiceCatalogue(tuple(services))


_cache: dict[str, tuple[tuple, ServiceCatalogue]] = {}
_lock = threading.Lock()


def _stamp(district_dir: Path) -> tuple:
    files = [MENU_FILE, Path(district_dir) / SEARCH_FILE, Path(district_dir) / "complaints.yml"]
    files += catalogue_files(district_dir)
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files if p.exists())


def load_services(district_dir: Path | None = None) -> ServiceCatalogue:
    """The district's catalogue, rebuilt only when one of its files changed."""
    district_dir = Path(district_dir or load_settings().district_dir)
    stamp = _stamp(district_dir)
    key = str(district_dir.resolve())
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] == stamp:
            return hit[1]
    catalogue = build_catalogue(district_dir)
    with _lock:
        _cache[key] = (stamp, catalogue)
    return catalogue

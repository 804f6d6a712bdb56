"""Where the studio finds what it edits: the project's own files, read as they are now.

- intents with their examples (data/nlu.yml, data/nlu/*.yml — not the generated
  data/nlu/faq.yml, whose examples come from the FAQ catalogue);
- entities and forms (domain.yml);
- responses (data/responses/*.yml);
- the FAQ catalogue (district/<name>/faq/*.yml, sotong.faq.catalogue).

The root is the project (SOTONG_STUDIO_ROOT, default the checkout) and the district the
configured one (SOTONG_DISTRICT_DIR), so tests work on a copy. Files are re-read on every
call: staff may have edited them by hand in between, and they are small.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from sotong.faq.catalogue import Catalogue, catalogue_files, load_catalogue
from sotong.settings import PROJECT_ROOT, load_settings
from sotong.studio.grouping import normalise

GENERATED_MARK = "# GENERATED"
# Intents staff do not teach here: the FAQ's examples live in the catalogue, nlu_fallback is Rasa's.
NOT_TAUGHT = {"faq", "nlu_fallback"}
_ANNOTATION = re.compile(r"\[([^\]\[]+)\](?:\(([^)(]+)\)|(\{[^}{]*\}))")


def plain(example: str) -> str:
    """An example without its entity annotations: ``[소파](waste_item)를`` → ``소파를``."""
    return _ANNOTATION.sub(lambda m: m.group(1), example)


def entity_marks(example: str) -> list[tuple[str, str]]:
    """(surface text, entity) of each annotation; a JSON annotation's entity from its "entity" key."""
    out = []
    for m in _ANNOTATION.finditer(example):
        if m.group(2) is not None:
            entity = m.group(2).split(":")[0].split("@")[0].strip()
        else:
            found = re.search(r'"entity"\s*:\s*"([^"]+)"', m.group(3) or "")
            entity = found.group(1) if found else ""
        out.append((m.group(1), entity))
    return out


def _load(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class IntentFile:
    intent: str
    path: Path
    examples: tuple[str, ...]


class Project:
    """The project's files as the studio sees them (one instance per request)."""

    def __init__(self, root: Path | None = None, district_dir: Path | None = None) -> None:
        self.root = (root or Path(os.environ.get("SOTONG_STUDIO_ROOT") or PROJECT_ROOT)).resolve()
        self.district_dir = (district_dir or load_settings().district_dir).resolve()
        lock = os.environ.get("SOTONG_STUDIO_LOCK")
        self.lock_path = Path(lock) if lock else self.root / "var" / "studio.lock"

    def rel(self, path: Path) -> str:
        """A path as a developer names it (relative to the project), for pages and the change log."""
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def resolve(self, rel: str) -> Path:
        """A stored relative path back to a file, never outside the project or the district."""
        path = (self.root / rel).resolve()
        if not (path.is_relative_to(self.root) or path.is_relative_to(self.district_dir)) or path.suffix != ".yml":
            raise ValueError(f"not a project YAML file: {rel}")
        return path

    # -- NLU ------------------------------------------------------------------------------------

    def nlu_files(self) -> list[Path]:
        files = [self.root / "data" / "nlu.yml", *sorted((self.root / "data" / "nlu").glob("*.yml"))]
        return [p for p in files if p.exists() and not p.read_text(encoding="utf-8").startswith(GENERATED_MARK)]

    @cached_property
    def intents(self) -> dict[str, IntentFile]:
        """Each taught intent: all its examples (every block, every file), and where new ones go —
        the file holding most of them (edits.add_nlu_example appends to its first block there)."""
        examples: dict[str, list[str]] = {}
        per_file: dict[str, dict[Path, int]] = {}
        for path in self.nlu_files():
            for item in (_load(path) or {}).get("nlu") or []:
                if not isinstance(item, dict) or "intent" not in item or not isinstance(item.get("examples"), str):
                    continue
                name = str(item["intent"])
                lines = [line[2:].strip() for line in item["examples"].splitlines() if line.startswith("- ")]
                examples.setdefault(name, []).extend(lines)
                counts = per_file.setdefault(name, {})
                counts[path] = counts.get(path, 0) + len(lines)
        domain_intents = set(self.domain.get("intents") or [])
        return {
            name: IntentFile(name, max(per_file[name], key=lambda p: per_file[name][p]), tuple(found))
            for name, found in sorted(examples.items())
            if name not in NOT_TAUGHT and name in domain_intents
        }

    @cached_property
    def domain(self) -> dict[str, Any]:
        return _load(self.root / "domain.yml") or {}

    @cached_property
    def entities(self) -> tuple[str, ...]:
        return tuple(str(e) for e in self.domain.get("entities") or [])

    def required_slots(self) -> dict[str, tuple[str, ...]]:
        forms = self.domain.get("forms") or {}
        return {
            str(name): tuple(str(s) for s in (spec or {}).get("required_slots") or [])
            for name, spec in forms.items()
            if isinstance(spec, dict)
        }

    # -- FAQ ------------------------------------------------------------------------------------

    def faq_files(self) -> list[Path]:
        return catalogue_files(self.district_dir)

    def catalogue(self) -> Catalogue:
        return load_catalogue(self.district_dir)  # cached until a file changes

    def faq_file(self, topic_id: str) -> Path | None:
        topic = self.catalogue().topic(topic_id)
        return self.district_dir / "faq" / f"{topic.area}.yml" if topic else None

    # -- responses ------------------------------------------------------------------------------

    def response_files(self) -> dict[str, Path]:
        out: dict[str, Path] = {}
        for path in sorted((self.root / "data" / "responses").glob("*.yml")):
            for name in (_load(path) or {}).get("responses") or {}:
                out.setdefault(str(name), path)
        return out

    def responses(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = {}
        for path in sorted((self.root / "data" / "responses").glob("*.yml")):
            for name, variants in ((_load(path) or {}).get("responses") or {}).items():
                if isinstance(variants, list):
                    out.setdefault(str(name), [v for v in variants if isinstance(v, dict)])
        return out

    # -- who owns an example ----------------------------------------------------------------------

    @cached_property
    def _owners(self) -> dict[str, str]:
        owners: dict[str, str] = {}
        for topic in self.catalogue().topics.values():
            for e in topic.examples:
                owners.setdefault(normalise(e), f"faq:{topic.id}")
        for intent in self.intents.values():
            for e in intent.examples:
                owners[normalise(plain(e))] = f"intent:{intent.intent}"
        return owners

    def example_owner(self, example: str) -> str | None:
        """``intent:<name>`` or ``faq:<topic>`` already holding this sentence (spacing, case ignored)."""
        return self._owners.get(normalise(plain(example)))

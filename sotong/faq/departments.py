"""The district's department directory (``district/<name>/departments.yml``): who handles what.

The honest pointer ("그건 아직 제가 안내하지 못해요 … OO과에 물어보세요") needs a department
for questions no catalogue topic covers — animal registration, 공시지가, 노점상 — and the
catalogue only knows the departments that own a topic. Each department here lists the
words residents type for its matters; a message containing one of them is pointed there.
Staff fix a wrong pointer by adding a keyword, not by asking for code.

Matching ignores spaces, punctuation and case (residents write "동물 등록" and "동물등록"),
and the longest matching keyword wins: "장애인콜택시" says more than "장애인". The file is
optional: a district without one gets the catalogue-only guess.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FILE_NAME = "departments.yml"
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MIN_KEYWORD = 2  # one syllable (개, 차) sits inside too many unrelated words
MAX_KEYWORD = 30
MAX_DUTIES = 120

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def squash(text: str) -> str:
    return _DROP.sub("", text or "").casefold()


class DirectoryError(ValueError):
    """departments.yml has problems; ``problems`` lists each as 'file: key: what'."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("department directory has %d problem(s):\n  %s" % (len(problems), "\n  ".join(problems)))


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    phone: str
    duties: str = ""
    keywords: tuple[str, ...] = ()
    external: bool = False  # a national body (국세청 126 …), not part of the 구청


@dataclass(frozen=True)
class Match:
    department: Department
    keyword: str  # the keyword as staff wrote it, for the log and the benchmark


@dataclass(frozen=True)
class DepartmentDirectory:
    departments: tuple[Department, ...] = ()

    def by_name(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name == name), None)

    def match(self, text: str) -> Match | None:
        """The department whose keyword found in ``text`` is longest (ties: written first)."""
        said = squash(text)
        if not said:
            return None
        best: Match | None = None
        best_len = 0
        for d in self.departments:
            for k in d.keywords:
                key = squash(k)
                if len(key) > best_len and key in said:
                    best, best_len = Match(d, k), len(key)
        return best


def _department(raw: Any, where: str, problems: list[str]) -> Department | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with code, name, phone, keywords")
        return None
    code, name, phone = (str(raw.get(k) or "").strip() for k in ("code", "name", "phone"))
    if not CODE_PATTERN.match(code):
        problems.append(f"{where}.code: {code!r} must be lower-case letters, digits and _")
    if not name:
        problems.append(f"{where}.name: missing")
    if not phone:
        problems.append(f"{where}.phone: missing")
    duties = str(raw.get("duties") or "").strip()
    if len(duties) > MAX_DUTIES:
        problems.append(f"{where}.duties: {len(duties)} characters, at most {MAX_DUTIES}")
    keywords = raw.get("keywords") or []
    if not isinstance(keywords, list):
        problems.append(f"{where}.keywords: must be a list")
        keywords = []
    for k in keywords:
        if not MIN_KEYWORD <= len(squash(str(k))) <= MAX_KEYWORD:
            problems.append(f"{where}.keywords: {k!r} must be {MIN_KEYWORD}-{MAX_KEYWORD} letters")
    return Department(code, name, phone, duties, tuple(str(k) for k in keywords), bool(raw.get("external")))


def parse_directory(raw: Any, source: str) -> DepartmentDirectory:
    """Build the directory from parsed YAML, or raise DirectoryError listing every problem."""
    if not isinstance(raw, dict) or not isinstance(raw.get("departments"), list):
        raise DirectoryError([f"{source}: needs a top-level 'departments:' list"])
    problems: list[str] = []
    found: list[Department] = []
    for i, entry in enumerate(raw["departments"]):
        d = _department(entry, f"{source}: departments[{i}]", problems)
        if d is not None:
            found.append(d)
    owner: dict[str, str] = {}
    for label, values in (("code", [d.code for d in found]), ("name", [d.name for d in found])):
        dupes = sorted({v for v in values if values.count(v) > 1})
        if dupes:
            problems.append(f"{source}: {label} used twice: {', '.join(dupes)}")
    for d in found:
        for k in d.keywords:
            key = squash(k)
            if owner.get(key, d.code) != d.code:
                problems.append(f"{source}: keyword {k!r} is under both {owner[key]} and {d.code}")
            owner.setdefault(key, d.code)
    if problems:
        raise DirectoryError(problems)
    return DepartmentDirectory(tuple(found))


_cache: dict[str, tuple[tuple[float, int], DepartmentDirectory]] = {}
_lock = threading.Lock()


def load_directory(district_dir: Path) -> DepartmentDirectory | None:
    """The district's directory, re-read when staff change the file; None when there is none."""
    path = Path(district_dir) / FILE_NAME
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    stamp = (st.st_mtime, st.st_size)
    with _lock:
        hit = _cache.get(str(path))
    if hit and hit[0] == stamp:
        return hit[1]
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DirectoryError([f"{path}: not valid YAML ({exc})"]) from None
    directory = parse_directory(raw, str(path))
    with _lock:
        _cache[str(path)] = (stamp, directory)
    return directory

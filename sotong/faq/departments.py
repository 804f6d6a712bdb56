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

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

FILE_NAME = "departments.yml"
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
MIN_KEYWORD = 2  # one syllable (개, 차) sits inside too many unrelated words
MAX_KEYWORD = 30
MAX_DUTIES = 120
# A question longer than this is matched on its start: keywords name the matter early, and
# matching stays cheap on a pasted page.
MAX_MATCHED = 500
# Urgent words are looked for further: a crisis at the end of a long message still counts.
MAX_URGENT_MATCHED = 4000
# An urgent keyword this long is found inside a word too ("너무힘들어서죽고싶어요" has no space
# before 죽고싶); shorter ones only at a word start (자살 is inside 부자살림).
URGENT_ANYWHERE = 3
PHONE_PATTERN = re.compile(r"^[0-9][0-9-]{1,14}$")

_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def squash(text: str) -> str:
    """Spaces, punctuation and case removed, full-width forms folded (ＣＣＴＶ = cctv)."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "")).casefold()


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
    # a catalogue topic that answers this department's matters outright (정신건강: the topic
    # with the 24-hour crisis lines), instead of "I can't answer, call them"
    topic: str | None = None
    # its keywords outrank whatever the resident was doing (a report half-filled included): an
    # emergency or a suicidal crisis; needs a topic to answer with
    urgent: bool = False


@dataclass(frozen=True)
class Match:
    department: Department
    keyword: str  # the keyword as staff wrote it, for the log and the benchmark
    # Found where a word begins ("길고양이 중성화", "동물 등록은"), not inside one ("의견인데요" holds
    # 견인): Korean adds particles at a word's end, so a word-start match is the resident's word.
    at_word_start: bool = True


@dataclass(frozen=True)
class DepartmentDirectory:
    departments: tuple[Department, ...] = ()
    sample: bool = False  # placeholder names and phones: the answer says so
    # (squashed keyword, keyword as written, department), longest first: the first hit wins
    _keys: tuple[tuple[str, str, Department], ...] = field(default=(), repr=False, compare=False)
    # the same for urgent departments only: checked on every message (sotong/nlu/urgent.py)
    _urgent_keys: tuple[tuple[str, str, Department], ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        keys = [(squash(k), k, d) for d in self.departments for k in d.keywords]
        # stable sort: among keywords of equal length, the department written first wins
        object.__setattr__(self, "_keys", tuple(sorted(keys, key=lambda x: -len(x[0]))))
        object.__setattr__(self, "_urgent_keys", tuple(k for k in self._keys if k[2].urgent))

    def by_name(self, name: str) -> Department | None:
        return next((d for d in self.departments if d.name == name), None)

    def is_sample(self, department: Department) -> bool:
        """Whether the answer must say the department's name or phone is sample data (국세청 126 is real)."""
        return self.sample and not department.external

    def urgent_topic(self, text: str) -> str | None:
        """The topic of an urgent department whose keyword is in ``text`` (불났어요, 죽고 싶어요;
        see URGENT_ANYWHERE), whatever longer keyword of another department is also there."""
        text = (text or "")[:MAX_URGENT_MATCHED]
        said = squash(text)
        for key, _, department in self._urgent_keys:
            if key in said and (len(key) >= URGENT_ANYWHERE or _at_word_start(key, said, text)):
                return department.topic
        return None

    def match(self, text: str) -> Match | None:
        """The department whose keyword found in ``text`` is longest (ties: written first)."""
        text = (text or "")[:MAX_MATCHED]
        said = squash(text)
        if not said:
            return None
        for key, keyword, department in self._keys:
            if key in said:
                return Match(department, keyword, _at_word_start(key, said, text))
        return None


def _at_word_start(key: str, said: str, text: str) -> bool:
    """Whether ``key`` occurs in ``said`` (``squash(text)``) where a word of ``text`` begins."""
    starts = _word_starts(text)
    return any(said.startswith(key, at) for at in starts)


def _word_starts(text: str) -> set[int]:
    """Where each word of ``text`` begins, as offsets into ``squash(text)``."""
    starts, pos = set(), 0
    for word in _DROP.split(unicodedata.normalize("NFKC", text)):
        if word:
            starts.add(pos)
            pos += len(word.casefold())
    return starts


def _text_field(raw: dict, key: str, where: str, problems: list[str], required: bool = True) -> str:
    value = raw.get(key)
    if value is None or value == "":
        if required:
            problems.append(f"{where}.{key}: missing")
        return ""
    if not isinstance(value, str):
        problems.append(f'{where}.{key}: must be text in quotes, e.g. {key}: "..." (got {value!r})')
        return ""
    return value.strip()


def _department(raw: Any, where: str, problems: list[str]) -> Department | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: must be a mapping with code, name, phone, keywords")
        return None
    code, name, phone = (_text_field(raw, k, where, problems) for k in ("code", "name", "phone"))
    if code and not CODE_PATTERN.match(code):
        problems.append(f"{where}.code: {code!r} must be lower-case letters, digits and _")
    if phone and not PHONE_PATTERN.match(phone):
        problems.append(f"{where}.phone: {phone!r} must be digits and dashes, in quotes")
    duties = _text_field(raw, "duties", where, problems, required=False)
    if len(duties) > MAX_DUTIES:
        problems.append(f"{where}.duties: {len(duties)} characters, at most {MAX_DUTIES}")
    topic = _text_field(raw, "topic", where, problems, required=False) or None
    external, urgent = raw.get("external", False), raw.get("urgent", False)
    for key, flag in (("external", external), ("urgent", urgent)):
        if not isinstance(flag, bool):
            problems.append(f"{where}.{key}: must be true or false (got {flag!r})")
    if urgent is True and not topic:
        problems.append(f"{where}.urgent: needs a topic to answer with")
    keywords = raw.get("keywords") or []
    if not isinstance(keywords, list):
        problems.append(f"{where}.keywords: must be a list in brackets, e.g. [word1, word2]")
        keywords = []
    for k in keywords:
        if not isinstance(k, str):
            problems.append(f"{where}.keywords: {k!r} must be a word, not {type(k).__name__}")
        elif not MIN_KEYWORD <= len(squash(k)) <= MAX_KEYWORD:
            problems.append(f"{where}.keywords: {k!r} must be {MIN_KEYWORD}-{MAX_KEYWORD} letters")
    words = tuple(k for k in keywords if isinstance(k, str))
    return Department(code, name, phone, duties, words, external is True, topic, urgent is True)


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
    sample = raw.get("sample", False)
    if not isinstance(sample, bool):
        problems.append(f"{source}: sample: must be true or false (got {sample!r})")
    if problems:
        raise DirectoryError(problems)
    return DepartmentDirectory(tuple(found), sample is True)


_cache: dict[str, tuple[tuple[float, int], DepartmentDirectory | DirectoryError]] = {}
_lock = threading.Lock()
# current_directory: the last directory that loaded, and the problem last logged, per folder
_last_good: dict[str, DepartmentDirectory | None] = {}
_reported: dict[str, str] = {}


def load_directory(district_dir: Path) -> DepartmentDirectory | None:
    """The district's directory, re-read when staff change the file; None when there is none.

    A broken file raises DirectoryError (also for a file saved in another encoding); the
    failure is remembered until the file changes, so it is not re-parsed on every question.
    """
    path = Path(district_dir) / FILE_NAME
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    stamp = (st.st_mtime, st.st_size)
    with _lock:
        hit = _cache.get(str(path))
    if hit and hit[0] == stamp:
        if isinstance(hit[1], DirectoryError):
            raise DirectoryError(hit[1].problems)  # a fresh one: re-raising one object grows its traceback
        return hit[1]
    try:
        result: DepartmentDirectory | DirectoryError = parse_directory(_read(path), str(path))
    except DirectoryError as exc:
        result = exc
    with _lock:
        _cache[str(path)] = (stamp, result)
    if isinstance(result, DirectoryError):
        raise DirectoryError(result.problems)
    return result


def current_directory(district_dir: Path) -> DepartmentDirectory | None:
    """``load_directory`` for serving: never raises. When staff's last edit broke the file, the
    last good directory keeps answering (urgent words included) and the problem is logged once
    per broken version, not once per message."""
    folder = str(district_dir)
    try:
        found = load_directory(district_dir)
    except Exception as exc:  # DirectoryError, OSError, or a parser's own failure: never break a turn
        problem = str(exc) or type(exc).__name__
        with _lock:
            last, reported = _last_good.get(folder), _reported.get(folder)
            _reported[folder] = problem
        if problem != reported:
            log.error("department directory not reloaded, serving the last good one: %s", problem)
        return last
    with _lock:
        _last_good[folder] = found
        _reported.pop(folder, None)
    return found


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DirectoryError([f"{path}: not UTF-8 text; save it as UTF-8 (Notepad: Save As, Encoding UTF-8)"]) from None
    except yaml.YAMLError as exc:
        raise DirectoryError([f"{path}: not valid YAML ({exc})"]) from None

"""Round-trip edits of the project's own YAML files (data/, district/, domain.yml).

A staff edit must look like a developer's: one changed block in ``git diff``, every comment,
key order, quote style and blank line elsewhere kept byte for byte. ruamel.yaml's round-trip
mode keeps almost everything, but not quite all (an emoji in a double-quoted string comes
back as ``\\U0001F4E2``, a ``null`` as nothing). So a document is edited in ruamel, and only
the lines the edit changed are carried into the original text:

    base = dump(load(original))      # ruamel's rendering of the untouched file
    new  = dump(edited document)     # the same, edited
    result = original + the line hunks that turn ``base`` into ``new``

A hunk that falls where ``base`` and the original disagree is refused (UnsafeEdit) rather
than guessed. The indentation style is detected per file (the one that round-trips it).

Writes are atomic (temporary file + rename) under one lock file, so two staff saving at
once are applied one after the other, each to the file as the other left it.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import FoldedScalarString

# (mapping, sequence, offset): "- item" flush with its key (Rasa's data files) or indented.
INDENTS = ((2, 2, 0), (2, 4, 2), (4, 4, 2), (4, 2, 0))
WIDTH = 4096  # never re-wrap a long line: folding is set explicitly (fold_at)
_ASTRAL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\U([0-9A-Fa-f]{8})")


class UnsafeEdit(Exception):
    """The edit cannot be applied without touching lines outside the edited block."""


def version_of(text: str) -> str:
    """A file's version as the pages carry it (sha-256 of its text, shortened)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _yaml(indent: tuple[int, int, int]) -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True  # type: ignore[assignment]
    y.width = WIDTH  # type: ignore[assignment]
    y.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return y


def _dump(y: YAML, data: Any) -> str:
    out = io.StringIO()
    y.dump(data, out)
    return out.getvalue()


def _unescape_astral(line: str) -> str:
    """``\\U0001F4E2`` back to 📢 (ruamel escapes characters beyond the BMP in quoted strings)."""

    def back(m: re.Match[str]) -> str:
        code = int(m.group(2), 16)
        return m.group(1) + (chr(code) if 0x10000 <= code <= 0x10FFFF else m.group(0)[len(m.group(1)) :])

    return _ASTRAL_ESCAPE.sub(back, line)


def _line_map(original: list[str], base: list[str]) -> dict[int, int]:
    """base line index -> original line index, for lines both renderings agree on (and their ends)."""
    mapping: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, original, base, autojunk=False)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size + 1):  # + 1: the boundary after a block is a valid insert point
            mapping.setdefault(b + k, a + k)
    return mapping


def splice(original: str, base: str, new: str) -> str:
    """The original text with the line hunks that turn ``base`` into ``new``."""
    if base == new:
        return original
    orig_lines, base_lines = original.splitlines(keepends=True), base.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    same = orig_lines == base_lines
    mapping = None if same else _line_map(orig_lines, base_lines)
    result = list(orig_lines)
    ops = difflib.SequenceMatcher(None, base_lines, new_lines, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in reversed(ops):
        if tag == "equal":
            continue
        if mapping is None:
            o1, o2 = i1, i2
        else:
            if i1 not in mapping or i2 not in mapping or mapping[i2] - mapping[i1] != i2 - i1:
                raise UnsafeEdit("the edit touches lines ruamel renders differently from the file")
            o1, o2 = mapping[i1], mapping[i2]
            if orig_lines[o1:o2] != base_lines[i1:i2]:
                raise UnsafeEdit("the edit touches lines ruamel renders differently from the file")
        result[o1:o2] = [_unescape_astral(line) for line in new_lines[j1:j2]]
    return "".join(result)


class Document:
    """One YAML file loaded for editing: change ``data`` in place, then ``render()``."""

    def __init__(self, text: str, name: str = "<yaml>") -> None:
        self.name = name
        self.original = text
        best: tuple[float, tuple[int, int, int], Any, str] | None = None
        # ruamel is slow on big files: try the likely indentation first, the others only if it fails
        for indent in sorted(INDENTS, key=lambda i: i != _guess_indent(text)):
            y = _yaml(indent)
            data = y.load(text)
            base = _dump(y, data)  # dumping leaves the document as it was
            if base == text:
                best = (1.0, indent, data, base)
                break
            score = difflib.SequenceMatcher(None, text.splitlines(), base.splitlines(), autojunk=False).ratio()
            if best is None or score > best[0]:
                best = (score, indent, data, base)
        assert best is not None
        _, self.indent, self.data, self._base = best
        self._y = _yaml(self.indent)

    def render(self) -> str:
        return splice(self.original, self._base, _dump(self._y, self.data))


def _guess_indent(text: str) -> tuple[int, int, int]:
    """From the first block sequence under a key: ``- x`` flush with the key, or indented by 2."""
    lines = text.splitlines()
    for prev, line in zip(lines, lines[1:]):
        stripped = prev.rstrip()
        if stripped.endswith(":") and not stripped.lstrip().startswith("#") and line.lstrip().startswith("- "):
            key_col = len(prev) - len(prev.lstrip())
            dash_col = len(line) - len(line.lstrip())
            return (2, 2, 0) if dash_col == key_col else (2, 4, 2)
    return INDENTS[0]


def folded(text: str, width: int = 64) -> FoldedScalarString:
    """A ``>-`` block scalar wrapped at spaces near ``width``, as the catalogue's answers are written."""
    value = FoldedScalarString(text)
    folds, line_start = [], 0
    last_space = -1
    for i, ch in enumerate(text):
        if ch == "\n":
            line_start, last_space = i + 1, -1
            continue
        if ch == " " and 0 < i < len(text) - 1 and text[i - 1] != " " and text[i + 1] not in " \n":
            last_space = i
        if i - line_start >= width and last_space > line_start:
            folds.append(last_space)
            line_start, last_space = last_space + 1, -1
    if folds:
        value.fold_pos = folds
    return value


def same_style(old: Any, new_text: str) -> Any:
    """``new_text`` in the scalar style ``old`` was written in (quotes, block style)."""
    if isinstance(old, FoldedScalarString):
        return folded(new_text)
    cls = type(old)
    if isinstance(old, str) and cls is not str:
        return cls(new_text)
    return new_text


# -- files ------------------------------------------------------------------------------------


def read_text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def write_atomic(path: Path, text: str) -> None:
    """Replace the file in one rename, keeping its permissions (a reader never sees half)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    # A hidden name without .yml: Rasa and the catalogue read only *.yml, never this.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextmanager
def write_lock(lock_path: Path) -> Iterator[None]:
    """One studio write at a time across processes (an flock, released if the process dies)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

"""Teaching the bot: an inbox message becomes a training example, an answer is rewritten.

Each operation checks what staff typed (InvalidTeach names the field and the problem),
writes through sotong.studio.changes (attributed, audited, revertible) and marks the
inbox messages it settles. Roles: trainers and admins teach; only admins add a FAQ topic.

Checks, because the result goes live (answers) or into the next model (examples):
- an example is one line of at most 200 characters, with no personal data left
  (masking.looks_personal — also refuses the ``***`` of a masked message), entity
  annotations only for entities the domain knows, not already an example elsewhere;
- a FAQ answer or topic must keep the whole catalogue valid (sotong.faq.catalogue);
- a response text at most 1,000 characters (KakaoTalk simpleText) and only the
  ``{placeholders}`` the response already had (the action fills those, no others).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from sotong.faq.catalogue import ID_PATTERN, MAX_ANSWER, MAX_EXAMPLE, MIN_EXAMPLES, CatalogueError, parse_files
from sotong.staff.errors import Forbidden
from sotong.staff.principal import ADMIN, TRAINER, StaffPrincipal
from sotong.studio import changes, edits
from sotong.studio.change_models import DISMISSED, TAUGHT, StudioChange
from sotong.studio.masking import looks_personal, mask
from sotong.studio.project import Project, entity_marks, plain
from sotong.studio.yaml_store import version_of

KAKAO_TEXT_LIMIT = 1000
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidTeach(ValueError):
    def __init__(self, field: str, problem: str, detail: str = "") -> None:
        super().__init__(f"{field}: {problem} {detail}".strip())
        self.field, self.problem, self.detail = field, problem, detail


def require_teacher(who: StaffPrincipal) -> None:
    if who.role not in (ADMIN, TRAINER):
        raise Forbidden("the studio is for trainers and admins")


def clean_line(value: str, field: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidTeach(field, "empty")
    if len(text) > limit:
        raise InvalidTeach(field, "too_long", str(limit))
    if _CONTROL.search(text):
        raise InvalidTeach(field, "control")
    return text


def check_example(project: Project, example: str, *, entities_allowed: bool) -> str:
    text = clean_line(example, "example", MAX_EXAMPLE)
    if text.startswith(("/", "-", "#")):
        raise InvalidTeach("example", "syntax")
    marks = entity_marks(text)
    if marks and not entities_allowed:
        raise InvalidTeach("example", "no_entities")
    if ("[" in text or "]" in text) and len(re.findall(r"[\[\]]", text)) != 2 * len(marks):
        raise InvalidTeach("example", "syntax")
    unknown = sorted({e for _, e in marks if e not in project.entities})
    if unknown:
        raise InvalidTeach("example", "unknown_entity", ", ".join(unknown))
    if looks_personal(plain(text)):
        raise InvalidTeach("example", "personal", mask(plain(text)))
    owner = project.example_owner(text)
    if owner:
        raise InvalidTeach("example", "duplicate", owner)
    return text


def check_catalogue(project: Project):
    """A check for ``changes.write``: the catalogue with the new file text must still load."""

    def check(path: Path, new_text: str) -> None:
        if path.parent != project.district_dir / "faq":
            return
        with tempfile.TemporaryDirectory() as tmp:
            copies = []
            for f in project.faq_files():
                target = Path(tmp) / f.name
                if f == path:
                    target.write_text(new_text, encoding="utf-8")
                else:
                    shutil.copyfile(f, target)
                copies.append(target)
            try:
                parse_files(copies)
            except CatalogueError as exc:
                raise InvalidTeach("catalogue", "invalid", "; ".join(exc.problems)[:500]) from None

    return check


def _settler(session: Session, who: StaffPrincipal, event_ids: Sequence[int]):
    """The inbox messages a change answers, marked taught in the same transaction."""

    def settle(change: StudioChange) -> None:
        if event_ids:
            changes.review(session, who, event_ids, TAUGHT, change.id)

    return settle


def assign(
    session: Session,
    project: Project,
    who: StaffPrincipal,
    target: str,
    example: str,
    *,
    event_ids: Sequence[int] = (),
    ip: str | None = None,
) -> StudioChange:
    """Add ``example`` to an intent (``intent:<name>``) or a FAQ topic (``faq:<id>``)."""
    require_teacher(who)
    kind, _, name = target.partition(":")
    if kind == "intent" and name in project.intents:
        text = check_example(project, example, entities_allowed=True)
        path = project.intents[name].path
        change = changes.write(
            session, project, who, kind=changes.NLU_EXAMPLE, path=path,
            edit=lambda t: edits.add_nlu_example(t, name, text, project.rel(path)),
            check=None, payload={"intent": name, "example": text},
            summary=f"{name} ← {text}", ip=ip, settle=_settler(session, who, event_ids),
        )  # fmt: skip
    elif kind == "faq" and project.faq_file(name) is not None:
        text = check_example(project, example, entities_allowed=False)
        faq_path = project.faq_file(name)
        assert faq_path is not None
        change = changes.write(
            session, project, who, kind=changes.FAQ_EXAMPLE, path=faq_path,
            edit=lambda t: edits.add_faq_example(t, name, text, project.rel(faq_path)),
            check=check_catalogue(project), payload={"topic": name, "example": text},
            summary=f"FAQ {name} ← {text}", ip=ip, settle=_settler(session, who, event_ids),
        )  # fmt: skip
    else:
        raise InvalidTeach("target", "unknown")
    return change


def dismiss(session: Session, who: StaffPrincipal, event_ids: Sequence[int], *, ip: str | None = None) -> int:
    from sotong.staff import audit

    require_teacher(who)
    count = changes.review(session, who, event_ids, DISMISSED, None)
    audit.record(session, who, "studio_dismiss", target=f"event:{event_ids[0]}" if event_ids else None,
                 detail=f"{count} message(s)", ip=ip)  # fmt: skip
    return count


def edit_faq_answer(
    session: Session, project: Project, who: StaffPrincipal, topic_id: str, answer: str, expected: str,
    *, ip: str | None = None,
) -> StudioChange:  # fmt: skip
    """Replace a topic's answer; ``expected`` is the version of the answer the page showed."""
    require_teacher(who)
    path = project.faq_file(topic_id)
    if path is None:
        raise InvalidTeach("topic", "unknown")
    new = clean_line(answer, "answer", MAX_ANSWER)
    holder: dict[str, str] = {}

    def edit(text: str) -> str:
        old = edits.faq_answer(text, topic_id)
        if version_of(old) != expected:
            raise changes.ChangeConflict("the answer was changed since the page was loaded", old)
        holder["old"] = old
        return edits.set_faq_answer(text, topic_id, new, project.rel(path))

    change = changes.write(
        session, project, who, kind=changes.FAQ_ANSWER, path=path, edit=edit,
        check=check_catalogue(project), payload={"topic": topic_id}, summary=f"FAQ {topic_id} 답변", ip=ip,
    )  # fmt: skip
    change.payload = {"topic": topic_id, "old": holder["old"], "new": new}
    return change


def check_response_text(old_variants: Sequence[str | None], new: str) -> str:
    text = (new or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidTeach("text", "empty")
    if len(text) > KAKAO_TEXT_LIMIT:
        raise InvalidTeach("text", "too_long", str(KAKAO_TEXT_LIMIT))
    if _CONTROL.search(text):
        raise InvalidTeach("text", "control")
    allowed = {p for v in old_variants if v for p in _PLACEHOLDER.findall(v)}
    extra = sorted(set(_PLACEHOLDER.findall(text)) - allowed)
    if extra:
        raise InvalidTeach("text", "placeholder", ", ".join(extra))
    return text


def edit_response(
    session: Session, project: Project, who: StaffPrincipal, response: str, index: int, text: str, expected: str,
    *, ip: str | None = None,
) -> StudioChange:  # fmt: skip
    """Replace one variant's text of a response in data/responses/."""
    require_teacher(who)
    path = project.response_files().get(response)
    if path is None:
        raise InvalidTeach("response", "unknown")
    holder: dict[str, str] = {}

    def edit(current: str) -> str:
        variants = edits.response_texts(current, response)
        if not (0 <= index < len(variants)) or variants[index] is None:
            raise InvalidTeach("response", "unknown")
        old = variants[index] or ""
        if version_of(old) != expected:
            raise changes.ChangeConflict("the text was changed since the page was loaded", old)
        holder["old"] = old
        holder["new"] = check_response_text(variants, text)
        return edits.set_response_text(current, response, index, holder["new"], project.rel(path))

    change = changes.write(
        session, project, who, kind=changes.RESPONSE_TEXT, path=path, edit=edit, check=None,
        payload={"response": response, "index": index}, summary=f"{response} 문장", ip=ip,
    )  # fmt: skip
    change.payload = {"response": response, "index": index, "old": holder["old"], "new": holder["new"]}
    return change


def new_faq_topic(
    session: Session, project: Project, who: StaffPrincipal, *, area: str, topic_id: str, title: str, answer: str,
    department: str, phone: str, examples: Sequence[str], event_ids: Sequence[int] = (), ip: str | None = None,
) -> StudioChange:  # fmt: skip
    """A new FAQ topic in an area file (admins only): at least MIN_EXAMPLES examples."""
    require_teacher(who)
    if not who.is_admin:
        raise Forbidden("only admins add topics")
    path = project.district_dir / "faq" / f"{area}.yml"
    if path not in project.faq_files():
        raise InvalidTeach("area", "unknown")
    if not ID_PATTERN.match(topic_id or "") or len(topic_id) > 60:
        raise InvalidTeach("topic_id", "syntax")
    if project.catalogue().topic(topic_id) is not None:
        raise InvalidTeach("topic_id", "exists")
    lines = [e for e in (examples or []) if e and e.strip()]
    checked = list(dict.fromkeys(check_example(project, e, entities_allowed=False) for e in lines))
    if len(checked) < MIN_EXAMPLES:
        raise InvalidTeach("examples", "too_few", str(MIN_EXAMPLES))
    topic = {
        "id": topic_id,
        "title": clean_line(title, "title", 14),
        "answer": clean_line(answer, "answer", MAX_ANSWER),
        "department": clean_line(department, "department", 40),
        "phone": clean_line(phone, "phone", 20),
        "examples": checked,
    }
    change = changes.write(
        session, project, who, kind=changes.FAQ_TOPIC, path=path,
        edit=lambda t: edits.add_faq_topic(t, topic, project.rel(path)),
        check=check_catalogue(project), payload={"topic": topic}, summary=f"새 FAQ 주제 {topic_id}: {topic['title']}",
        ip=ip, settle=_settler(session, who, event_ids),
    )  # fmt: skip
    return change

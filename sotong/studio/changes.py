"""The change log of the studio: every edit attributed, listed, undone, and handed to publishing.

``write`` is the one place a studio edit reaches a file: under the write lock it reads the
file as it is now, applies the edit function, checks the result, writes it atomically and
records the change (and the audit line) in the caller's transaction. An edit function
raising leaves the file alone.

``revert`` undoes a change with the inverse edit on the file as it is *now* (other edits
since are kept), or refuses with ChangeConflict when the edited value moved on since.

For publishing (sotong.studio.publish): ``pending_changes`` lists what no published model
has yet, ``mark_published`` records that a release took them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.staff import audit
from sotong.staff.errors import Forbidden
from sotong.staff.principal import StaffPrincipal
from sotong.studio import edits
from sotong.studio.change_models import StudioChange, StudioReview
from sotong.studio.project import Project
from sotong.studio.yaml_store import read_text, version_of, write_atomic, write_lock

NLU_EXAMPLE, FAQ_EXAMPLE, FAQ_ANSWER, RESPONSE_TEXT, FAQ_TOPIC, REVERT = (
    "nlu_example",
    "faq_example",
    "faq_answer",
    "response_text",
    "faq_topic",
    "revert",
)
NEEDS_TRAINING = {NLU_EXAMPLE: True, FAQ_EXAMPLE: True, FAQ_ANSWER: False, RESPONSE_TEXT: True, FAQ_TOPIC: True}


class ChangeConflict(Exception):
    """The file moved on: the value is not what the page showed (or the change is gone)."""

    def __init__(self, problem: str, current: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.current = current


class ChangeNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ChangeView:
    id: int
    kind: str
    summary: str
    payload: dict[str, Any]
    files: tuple[str, ...]
    needs_training: bool
    created_by: str
    created_at: datetime
    reverts_id: int | None
    reverted_by_id: int | None
    published_at: datetime | None
    release_ref: str | None


def _view(c: StudioChange) -> ChangeView:
    return ChangeView(
        c.id,
        c.kind,
        c.summary,
        dict(c.payload or {}),
        tuple(f["path"] for f in c.files or []),
        bool(c.needs_training),
        c.created_by,
        c.created_at,
        c.reverts_id,
        c.reverted_by_id,
        c.published_at,
        c.release_ref,
    )


def write(
    session: Session,
    project: Project,
    who: StaffPrincipal,
    *,
    kind: str,
    path: Path,
    edit: Callable[[str], str],
    check: Callable[[Path, str], None] | None,
    payload: dict[str, Any],
    summary: str,
    ip: str | None,
    needs_training: bool | None = None,
    reverts: StudioChange | None = None,
    settle: Callable[[StudioChange], None] | None = None,
) -> StudioChange:
    """Apply ``edit`` to ``path`` and record it; ``check(path, new_text)`` may refuse the result.

    ``settle(change)`` records what else goes with it (the inbox messages it answers) before
    the file is written, so a database refusal leaves the file as it was.
    """
    with write_lock(project.lock_path):
        before = read_text(path)
        after = edit(before)
        if after == before:
            raise ChangeConflict("nothing to change")
        if check is not None:
            check(path, after)
        change = StudioChange(
            kind=kind,
            summary=summary[:300],
            payload=payload,
            files=[{"path": project.rel(path), "before": version_of(before), "after": version_of(after)}],
            needs_training=NEEDS_TRAINING.get(kind, True) if needs_training is None else needs_training,
            created_by=who.username,
            created_at=to_db(now_utc()),
            reverts_id=reverts.id if reverts else None,
        )
        session.add(change)
        session.flush()
        if reverts is not None:
            reverts.reverted_by_id = change.id
        audit.record(session, who, f"studio_{kind}", target=f"change:{change.id}", detail=summary, ip=ip)
        if settle is not None:
            settle(change)
        session.flush()  # a database refusal shows before the file is touched
        write_atomic(path, after)
    return change


def get(session: Session, change_id: int) -> ChangeView:
    change = session.get(StudioChange, change_id)
    if change is None:
        raise ChangeNotFound(change_id)
    return _view(change)


def recent(session: Session, limit: int = 200) -> list[ChangeView]:
    rows = session.execute(select(StudioChange).order_by(StudioChange.id.desc()).limit(limit)).scalars()
    return [_view(c) for c in rows]


def pending_changes(session: Session) -> list[ChangeView]:
    """Changes no published model has taken yet, oldest first (reverts and reverted ones too:
    the pair nets out in the files, and the release notes should say both happened)."""
    rows = session.execute(
        select(StudioChange).where(StudioChange.published_at.is_(None)).order_by(StudioChange.id)
    ).scalars()
    return [_view(c) for c in rows]


def mark_published(session: Session, change_ids: Iterable[int], release_ref: str, at: datetime | None = None) -> int:
    """Record that the release ``release_ref`` took these changes; returns how many were pending."""
    ids = list(change_ids)
    if not ids:
        return 0
    rows = session.execute(
        select(StudioChange).where(StudioChange.id.in_(ids), StudioChange.published_at.is_(None))
    ).scalars()
    count = 0
    for c in rows:
        c.published_at, c.release_ref = to_db(at or now_utc()), release_ref[:60]
        count += 1
    return count


# -- revert ----------------------------------------------------------------------------------------


def _inverse(change: StudioChange) -> tuple[Callable[[str], str], str]:
    p = dict(change.payload or {})
    kind = change.kind
    if kind == NLU_EXAMPLE:
        return (lambda t: edits.remove_nlu_example(t, p["intent"], p["example"])), f"예문 되돌림: {p['example']}"
    if kind == FAQ_EXAMPLE:
        return (lambda t: edits.remove_faq_example(t, p["topic"], p["example"])), f"예문 되돌림: {p['example']}"
    if kind == FAQ_ANSWER:

        def answer_back(t: str) -> str:
            if edits.faq_answer(t, p["topic"]) != p["new"]:
                raise ChangeConflict("the answer was changed again since", edits.faq_answer(t, p["topic"]))
            return edits.set_faq_answer(t, p["topic"], p["old"])

        return answer_back, f"답변 되돌림: {p['topic']}"
    if kind == RESPONSE_TEXT:

        def response_back(t: str) -> str:
            now = edits.response_texts(t, p["response"])
            current = now[p["index"]] if p["index"] < len(now) else None
            if current != p["new"]:
                raise ChangeConflict("the response was changed again since", current)
            return edits.set_response_text(t, p["response"], p["index"], p["old"])

        return response_back, f"응답 되돌림: {p['response']}"
    if kind == FAQ_TOPIC:
        return (lambda t: edits.remove_faq_topic(t, p["topic"]["id"])), f"새 주제 되돌림: {p['topic']['id']}"
    raise ChangeConflict("this kind of change cannot be reverted")


def revert(
    session: Session,
    project: Project,
    who: StaffPrincipal,
    change_id: int,
    *,
    ip: str | None,
    check: Callable[[Path, str], None] | None = None,
) -> StudioChange:
    """Undo change ``change_id`` as a new change; its inbox messages come back to the inbox."""
    change = session.get(StudioChange, change_id)
    if change is None:
        raise ChangeNotFound(change_id)
    if change.kind == FAQ_TOPIC and not who.is_admin:
        raise Forbidden("only admins remove a topic")  # as only admins add one
    if change.reverted_by_id is not None or change.kind == REVERT:
        raise ChangeConflict("already reverted" if change.reverted_by_id else "a revert is not reverted")
    inverse, summary = _inverse(change)

    def guarded(text: str) -> str:
        try:
            return inverse(text)
        except edits.EditTargetMissing as exc:
            raise ChangeConflict(f"the change is no longer in the file: {exc}") from None

    done = write(
        session,
        project,
        who,
        kind=REVERT,
        path=project.resolve(change.files[0]["path"]),
        edit=guarded,
        check=check,
        payload={"reverts": change.id, "kind": change.kind},
        summary=summary,
        ip=ip,
        needs_training=bool(change.needs_training),
        reverts=change,
    )
    session.execute(delete(StudioReview).where(StudioReview.change_id == change.id))
    return done


def review(
    session: Session, who: StaffPrincipal, event_ids: Sequence[int], decision: str, change_id: int | None
) -> int:
    """Mark inbox messages as dealt with (ids already reviewed are left as they are)."""
    seen = set(session.execute(select(StudioReview.event_id).where(StudioReview.event_id.in_(event_ids))).scalars())
    now = to_db(now_utc())
    fresh = [i for i in dict.fromkeys(event_ids) if i not in seen]
    for event_id in fresh:
        session.add(
            StudioReview(
                event_id=event_id, decision=decision, change_id=change_id, reviewed_by=who.username, reviewed_at=now
            )
        )
    return len(fresh)

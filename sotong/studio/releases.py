"""Reading the studio's trainings and releases (what the publish page shows), as plain data.

A training whose worker stopped beating (crashed, machine restarted) is shown as failed
and no longer blocks a new one: ``STALE_AFTER`` without a heartbeat.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.studio.release_models import ACTIVE_STATES, FAILED, StudioRelease, StudioTraining

STALE_AFTER = timedelta(seconds=120)
STALE_PROBLEM = "worker_stopped"


@dataclass(frozen=True)
class TrainingView:
    id: int
    created_by: str
    created_at: datetime
    status: str
    stage: str
    progress: int
    started_at: datetime | None
    finished_at: datetime | None
    model_file: str | None
    model_sha256: str | None
    report: dict[str, Any] | None
    problem: str | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATES

    def as_json(self) -> dict[str, Any]:
        """What the page polls: no report, no file names."""
        return {
            "id": self.id,
            "status": self.status,
            "stage": self.stage,
            "progress": self.progress,
            "problem": self.problem,
            "finished": not self.active,
        }


@dataclass(frozen=True)
class ReleaseView:
    id: int
    seq: int
    kind: str
    training_id: int | None
    model_file: str
    model_sha256: str
    base_id: int | None
    at: datetime
    by: str


def _is_stale(row: StudioTraining, now: datetime) -> bool:
    return row.status in ACTIVE_STATES and row.heartbeat_at < to_db(now) - STALE_AFTER


def _training_view(row: StudioTraining, now: datetime) -> TrainingView:
    stale = _is_stale(row, now)
    return TrainingView(
        id=row.id,
        created_by=row.created_by,
        created_at=row.created_at,
        status=FAILED if stale else row.status,
        stage=row.stage,
        progress=row.progress,
        started_at=row.started_at,
        finished_at=row.finished_at,
        model_file=row.model_file,
        model_sha256=row.model_sha256,
        report=row.report,
        problem=STALE_PROBLEM if stale else row.problem,
    )


def _release_view(row: StudioRelease) -> ReleaseView:
    return ReleaseView(
        row.id, row.seq, row.kind, row.training_id, row.model_file, row.model_sha256, row.base_id, row.at, row.by
    )


def training(session: Session, training_id: int, now: datetime | None = None) -> TrainingView | None:
    row = session.get(StudioTraining, training_id)
    return _training_view(row, now or now_utc()) if row else None


def recent_trainings(session: Session, limit: int = 10, now: datetime | None = None) -> list[TrainingView]:
    rows = session.execute(select(StudioTraining).order_by(StudioTraining.id.desc()).limit(limit)).scalars()
    return [_training_view(r, now or now_utc()) for r in rows]


def active_training(session: Session, now: datetime | None = None) -> TrainingView | None:
    """The training under way, if any (a stale one is marked failed here, once)."""
    when = now or now_utc()
    rows = session.execute(select(StudioTraining).where(StudioTraining.status.in_(ACTIVE_STATES))).scalars().all()
    found = None
    for row in rows:
        if _is_stale(row, when):
            row.status, row.problem, row.finished_at = FAILED, STALE_PROBLEM, to_db(when)
        else:
            found = _training_view(row, when)
    return found


def live_release(session: Session) -> ReleaseView | None:
    row = session.execute(select(StudioRelease).order_by(StudioRelease.seq.desc()).limit(1)).scalar_one_or_none()
    return _release_view(row) if row else None


def release(session: Session, release_id: int) -> ReleaseView | None:
    row = session.get(StudioRelease, release_id)
    return _release_view(row) if row else None


def history(session: Session, limit: int = 20) -> list[ReleaseView]:
    rows = session.execute(select(StudioRelease).order_by(StudioRelease.seq.desc()).limit(limit)).scalars()
    return [_release_view(r) for r in rows]


def rollback_target(session: Session) -> ReleaseView | None:
    """What "되돌리기" would put live: the release below the live one on the stack."""
    live = live_release(session)
    return release(session, live.base_id) if live and live.base_id else None


def files_in_use(session: Session, keep: int) -> set[str]:
    """Model files that must stay: the newest ``keep`` releases', and every one a rollback can
    still reach from the live release."""
    names = {r.model_file for r in history(session, keep + 1)}
    step = live_release(session)
    while step is not None:
        names.add(step.model_file)
        step = release(session, step.base_id) if step.base_id else None
    return names


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

"""Tables of the studio's publish side. Times are naive UTC, as everywhere in the core.

``studio_training`` is one run of validate → train → evaluate, started by a trainer or an
admin: its progress (polled by the page), its outcome and the report comparing the
candidate model with the one that was live when it ran.

``studio_release`` is one change of the model Rasa serves: a publish, a rollback, or the
``baseline`` row recorded at the first publish for the model `make train` had made (so
that one can be rolled back to). Rows are never changed; ``seq`` orders them and is
unique, so two admins publishing over the same live model cannot both win. ``base_id``
is what a rollback from this release goes back to (a stack: publish pushes, rollback pops).
"""

from __future__ import annotations

from sqlalchemy import JSON, CheckConstraint, Column, DateTime, ForeignKey, Integer, String, Text

from sotong.db import Base

QUEUED, RUNNING, READY, REFUSED, FAILED = "queued", "running", "ready", "refused", "failed"
TRAINING_STATES = (QUEUED, RUNNING, READY, REFUSED, FAILED)
ACTIVE_STATES = (QUEUED, RUNNING)

BASELINE, PUBLISH, ROLLBACK = "baseline", "publish", "rollback"
RELEASE_KINDS = (BASELINE, PUBLISH, ROLLBACK)


class StudioTraining(Base):
    __tablename__ = "studio_training"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'ready', 'refused', 'failed')", name="status_known"),
    )

    id = Column(Integer, primary_key=True)
    created_by = Column(String(40), nullable=False)  # staff username
    created_at = Column(DateTime, nullable=False)
    status = Column(String(12), nullable=False, index=True)
    stage = Column(String(20), nullable=False)  # waiting, building, validating, training, evaluating, testing, done
    progress = Column(Integer, nullable=False, default=0)  # 0..100
    heartbeat_at = Column(DateTime, nullable=False)  # the worker is alive while this moves
    started_at = Column(DateTime, nullable=True)  # when it got the training lock
    finished_at = Column(DateTime, nullable=True)
    model_file = Column(String(255), nullable=True)  # file name in <models>/releases/
    model_sha256 = Column(String(64), nullable=True)
    report = Column(JSON, nullable=True)  # sotong.studio.evaluation report (figures, verdict)
    problem = Column(Text, nullable=True)  # why it failed or was refused, for staff (short)


class StudioRelease(Base):
    __tablename__ = "studio_release"
    __table_args__ = (CheckConstraint("kind IN ('baseline', 'publish', 'rollback')", name="kind_known"),)

    id = Column(Integer, primary_key=True)
    seq = Column(Integer, nullable=False, unique=True)
    kind = Column(String(10), nullable=False)
    training_id = Column(Integer, ForeignKey("studio_training.id"), nullable=True)
    model_file = Column(String(255), nullable=False)  # file name in <models>/releases/
    model_sha256 = Column(String(64), nullable=False)
    base_id = Column(Integer, ForeignKey("studio_release.id"), nullable=True)
    at = Column(DateTime, nullable=False)
    by = Column(String(40), nullable=False)

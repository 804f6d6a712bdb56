"""Starting a training and recording its progress (학습: validate → train → evaluate).

The work itself runs in a separate process, ``python -m scripts.studio_train --training N``
(Rasa loads TensorFlow and takes minutes; the web app must stay responsive and a restart
of the web app must not kill a training). That worker writes its stage, progress and
heartbeat into ``studio_training``; the page polls the row. One training at a time: they
all share the machine's two cores, and `flock` on SOTONG_TRAIN_LOCK serialises them with
developers' `make train` too (the stage is "waiting" meanwhile).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.staff import audit
from sotong.staff.principal import StaffPrincipal
from sotong.studio.release_models import QUEUED, RUNNING, StudioTraining
from sotong.studio.release_settings import StudioSettings
from sotong.studio.releases import active_training

# Stage → where the progress bar starts; training fills the range up to "evaluating".
STAGES = {
    "queued": 0,
    "waiting": 1,
    "building": 3,
    "validating": 5,
    "training": 10,
    "evaluating": 85,
    "testing": 93,
    "done": 100,
}
_EPOCHS = re.compile(r"Epochs:\s+(\d{1,3})%")
_EPOCH_COMPONENTS = ("DIETClassifier", "TEDPolicy", "ResponseSelector", "UnexpecTEDIntentPolicy")


class TrainingBusy(Exception):
    """Another training is under way (its id is ``training_id``)."""

    def __init__(self, training_id: int) -> None:
        super().__init__(f"training {training_id} is under way")
        self.training_id = training_id


def start_training(session: Session, who: StaffPrincipal, *, ip: str | None = None, now: datetime | None = None) -> int:
    """A new queued training, audited; raises TrainingBusy while one runs."""
    when = to_db(now or now_utc())
    busy = active_training(session, when)
    if busy is not None:
        raise TrainingBusy(busy.id)
    row = StudioTraining(
        created_by=who.username,
        created_at=when,
        status=QUEUED,
        stage="queued",
        progress=0,
        heartbeat_at=when,
    )
    session.add(row)
    session.flush()
    audit.record(session, who, "studio.train", target=f"training:{row.id}", ip=ip, now=when)
    return row.id


def worker_command(training_id: int) -> list[str]:
    return [sys.executable, "-m", "scripts.studio_train", "--training", str(training_id)]


def spawn_worker(training_id: int, settings: StudioSettings, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start the worker in its own session (it outlives a web app restart); output to its log."""
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    log = settings.work_dir / f"training-{training_id}.log"
    child_env = dict(env or os.environ)
    child_env.setdefault("PYTHONPATH", str(Path(__file__).resolve().parents[2]))
    with log.open("ab") as out:
        proc = subprocess.Popen(
            worker_command(training_id),
            cwd=Path(__file__).resolve().parents[2],
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # Reap it when it ends (no zombie left in a long-running web app); nobody waits on the thread.
    threading.Thread(target=proc.wait, name=f"studio-training-{training_id}", daemon=True).start()
    return proc


def epoch_components(config: dict[str, Any]) -> int:
    """How many epoch progress bars a full training of this Rasa config prints."""
    parts = list(config.get("pipeline") or []) + list(config.get("policies") or [])
    return sum(1 for p in parts if isinstance(p, dict) and str(p.get("name", "")).endswith(_EPOCH_COMPONENTS))


def training_fraction(log_text: str, bars: int) -> float:
    """0..1 from Rasa's tqdm lines ("Epochs:  45%|…"): finished bars plus the current one.

    A bar that drops back to a lower percentage is the next component starting; cached
    components print no bar, so the fraction may jump — it never goes past 1."""
    done, current = 0, 0
    for match in _EPOCHS.finditer(log_text):
        pct = min(int(match.group(1)), 100)
        if pct < current:
            done += 1
        current = pct
    if bars <= 0:
        return 0.0
    return min((done + current / 100) / bars, 1.0)


def stage_progress(stage: str, fraction: float = 0.0) -> int:
    """The bar's percentage for a stage, ``fraction`` of the way to the next stage."""
    names = list(STAGES)
    start = STAGES[stage]
    following = STAGES[names[names.index(stage) + 1]] if stage != "done" else 100
    return int(start + (following - start) * max(0.0, min(fraction, 1.0)))


def set_stage(session: Session, training_id: int, stage: str, fraction: float = 0.0) -> None:
    """The worker reports a stage (and beats); progress never moves backwards."""
    row = session.get(StudioTraining, training_id)
    if row is None:
        raise LookupError(f"no training {training_id}")
    now = to_db(now_utc())
    row.status, row.stage, row.heartbeat_at = RUNNING, stage, now
    row.progress = max(row.progress or 0, stage_progress(stage, fraction))
    if stage != "waiting" and row.started_at is None:
        row.started_at = now


def beat(session: Session, training_id: int) -> None:
    row = session.get(StudioTraining, training_id)
    if row is not None:
        row.heartbeat_at = to_db(now_utc())


def finish(
    session: Session,
    training_id: int,
    status: str,
    *,
    report: dict[str, Any] | None = None,
    problem: str | None = None,
    model_file: str | None = None,
    model_sha256: str | None = None,
) -> None:
    row = session.get(StudioTraining, training_id)
    if row is None:
        raise LookupError(f"no training {training_id}")
    now = to_db(now_utc())
    row.status, row.stage, row.progress = status, "done", 100
    row.heartbeat_at = row.finished_at = now
    row.report, row.problem = report, (problem or None) and problem[:2000]
    row.model_file, row.model_sha256 = model_file, model_sha256

"""Publishing a candidate model (배포) and rolling back (되돌리기), with no downtime.

Rasa swaps models on ``PUT /model`` (its HTTP API, behind SOTONG_RASA_TOKEN): it loads the
new model in a worker thread while the old one keeps answering (scripts/rasa_model_load.py), then
switches. With replicas (`make run-prod`) every replica is loaded in turn. Every published model is kept
in ``<models>/releases/``; the live one is also copied to the file `make run` serves, so a
restart keeps it. The first publish records the model `make train` had made as the
``baseline`` release, so it can be rolled back to.

The changes staff taught that the candidate was trained on are marked published with it
(sotong.studio.changes). Refused: a training that did not finish ready, one whose figures fail the verdict with the
margin in force now, one evaluated against another model than the live one ("stale": the
comparison no longer says anything), and a form made before the live release changed
(two admins at once: the second gets PublishConflict). A file lock serialises publishes
across the web app's processes. Every publish and rollback is in the audit log.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests
from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.staff import audit
from sotong.staff.principal import StaffPrincipal
from sotong.studio import releases
from sotong.studio.changes import mark_published
from sotong.studio.evaluation import verdict
from sotong.studio.release_models import BASELINE, PUBLISH, READY, ROLLBACK, StudioRelease
from sotong.studio.release_settings import StudioSettings

LOAD_TIMEOUT = 300  # Rasa loads the model before it answers PUT /model (TensorFlow graphs)


class RasaUnavailable(Exception):
    """Rasa could not be reached or refused to load the model; nothing changed."""


class NotPublishable(Exception):
    """``reason``: not_found, not_ready, refused, stale, missing_file, nothing_to_roll_back."""

    def __init__(self, reason: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.details = details


class PublishConflict(Exception):
    """The live release changed since the form was shown, or another publish is under way."""


@dataclass(frozen=True)
class RasaModelApi:
    """Rasa's HTTP API for models. ``url`` is where Rasa answers (behind nginx: any replica);
    ``replicas`` lists each replica's own URL (SOTONG_RASA_REPLICA_URLS), so a publish reaches
    every one of them, not whichever nginx picks."""

    url: str
    token: str
    timeout: float = LOAD_TIMEOUT
    replicas: tuple[str, ...] = ()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def _put(self, url: str, model: Path) -> None:
        try:
            resp = requests.put(
                f"{url.rstrip('/')}/model",
                json={"model_file": str(model)},
                headers=self._headers(),
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise RasaUnavailable(f"Rasa at {url} not reachable: {type(exc).__name__}") from None
        if resp.status_code != 204:
            raise RasaUnavailable(f"Rasa at {url} answered {resp.status_code}: {resp.text[:300]}")

    def load(self, model: Path, previous: Path | None = None) -> None:
        """Load ``model`` on every replica, one at a time (each keeps answering while it loads:
        scripts/rasa_model_load.py). When one refuses, those already switched go back to
        ``previous``, so the replicas never serve different models for long."""
        switched: list[str] = []
        for url in self.replicas or (self.url,):
            try:
                self._put(url, model)
            except RasaUnavailable:
                for done in switched if previous is not None else ():
                    try:
                        self._put(done, previous)  # type: ignore[arg-type]
                    except RasaUnavailable:
                        pass  # it restarts on the served file, which is still the previous model
                raise
            switched.append(url)

    def served_model(self) -> str | None:
        """The model file Rasa serves now (``GET /status``), None when unknown."""
        try:
            resp = requests.get(f"{self.url.rstrip('/')}/status", headers=self._headers(), timeout=10)
        except requests.RequestException:
            return None
        return resp.json().get("model_file") if resp.status_code == 200 else None


@contextmanager
def _publish_lock(settings: StudioSettings) -> Iterator[None]:
    settings.releases_dir.mkdir(parents=True, exist_ok=True)
    with (settings.releases_dir / ".publish.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PublishConflict("another publish is under way") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _check_expected(live: releases.ReleaseView | None, expected_live_id: int | None) -> None:
    if (live.id if live else None) != expected_live_id:
        raise PublishConflict("the live release changed")


def current_model_sha(session: Session, settings: StudioSettings) -> str | None:
    """What is live now: the live release, or before any publish the served file."""
    live = releases.live_release(session)
    if live is not None:
        return live.model_sha256
    return releases.sha256_of(settings.serving_model) if settings.serving_model.exists() else None


def _install_serving_copy(model: Path, settings: StudioSettings, stamp: datetime) -> None:
    """Copy ``model`` over the served file atomically, dated ``stamp`` (what `make train`'s
    up-to-date check reads: data edited after it is newer, so make retrains)."""
    serving = settings.serving_model
    serving.parent.mkdir(parents=True, exist_ok=True)
    partial = serving.with_name(serving.name + ".publishing")
    shutil.copyfile(model, partial)
    seconds = stamp.timestamp() if stamp.tzinfo else (stamp - datetime(1970, 1, 1)).total_seconds()
    os.utime(partial, (seconds, seconds))
    os.replace(partial, serving)


def _keep_baseline(settings: StudioSettings) -> tuple[str, str] | None:
    """Copy the served model into releases/ (file name, sha256), before the first publish."""
    if not settings.serving_model.exists():
        return None
    sha = releases.sha256_of(settings.serving_model)
    name = f"baseline-{sha[:12]}.tar.gz"
    if not (settings.releases_dir / name).exists():
        shutil.copyfile(settings.serving_model, settings.releases_dir / name)
    return name, sha


def publish(
    session: Session,
    training_id: int,
    who: StaffPrincipal,
    *,
    api: RasaModelApi,
    settings: StudioSettings,
    expected_live_id: int | None,
    ip: str | None = None,
) -> releases.ReleaseView:
    with _publish_lock(settings):
        candidate = releases.training(session, training_id)
        if candidate is None:
            raise NotPublishable("not_found")
        if candidate.status != READY or not candidate.model_file or not candidate.model_sha256:
            raise NotPublishable("not_ready")
        judged = verdict(candidate.report, settings.max_f1_drop)
        if not judged.publishable:
            raise NotPublishable("refused", judged.reasons)
        live = releases.live_release(session)
        _check_expected(live, expected_live_id)
        if (candidate.report or {}).get("baseline", {}).get("sha256") != current_model_sha(session, settings):
            raise NotPublishable("stale")
        model = settings.releases_dir / candidate.model_file
        if not model.exists():
            raise NotPublishable("missing_file")
        baseline = _keep_baseline(settings) if live is None else None
        # Nothing is written before Rasa has the model (a refused load must leave no trace), and
        # the reads' transaction ends first: on SQLite it holds the database's write lock, and Rasa's
        # own turns (tracker store, actions) would wait on it for the whole load.
        session.commit()
        api.load(model, previous=settings.serving_model)
        _install_serving_copy(model, settings, candidate.started_at or candidate.created_at)
        below = session.get(StudioRelease, live.id) if live else None
        if baseline is not None:
            below = StudioRelease(
                seq=1, kind=BASELINE, model_file=baseline[0], model_sha256=baseline[1], at=to_db(now_utc()),
                by=who.username,
            )  # fmt: skip
            session.add(below)
            session.flush()
        row = StudioRelease(
            seq=(below.seq if below else 0) + 1,
            kind=PUBLISH,
            training_id=candidate.id,
            model_file=candidate.model_file,
            model_sha256=candidate.model_sha256,
            base_id=below.id if below else None,
            at=to_db(now_utc()),
            by=who.username,
        )
        session.add(row)
        session.flush()
        old_f1 = ((candidate.report or {}).get("old") or {}).get("macro_f1")
        new_f1 = (candidate.report or {}).get("new", {}).get("macro_f1")
        detail = f"training {candidate.id}: {candidate.model_file}, macro-F1 {old_f1} -> {new_f1}"
        audit.record(session, who, "studio.publish", target=f"release:{row.seq}", detail=detail, ip=ip)
        taught = [c["id"] for c in (candidate.report or {}).get("changes") or [] if isinstance(c, dict)]
        mark_published(session, taught, f"release:{row.seq}")
        prune(session, settings, keep_also={candidate.model_file})
        return releases.release(session, row.id)  # type: ignore[return-value]


def rollback(
    session: Session,
    who: StaffPrincipal,
    *,
    api: RasaModelApi,
    settings: StudioSettings,
    expected_live_id: int | None,
    ip: str | None = None,
) -> releases.ReleaseView:
    with _publish_lock(settings):
        live = releases.live_release(session)
        _check_expected(live, expected_live_id)
        target = releases.rollback_target(session)
        if live is None or target is None:
            raise NotPublishable("nothing_to_roll_back")
        model = settings.releases_dir / target.model_file
        if not model.exists():
            raise NotPublishable("missing_file")
        session.commit()  # as in publish(): no database lock held while Rasa loads
        api.load(model, previous=settings.serving_model)
        # Dated now: `make run` must not retrain over a rollback from the (unchanged) data.
        _install_serving_copy(model, settings, now_utc())
        row = StudioRelease(
            seq=live.seq + 1,
            kind=ROLLBACK,
            training_id=target.training_id,
            model_file=target.model_file,
            model_sha256=target.model_sha256,
            base_id=target.base_id,
            at=to_db(now_utc()),
            by=who.username,
        )
        session.add(row)
        session.flush()
        detail = f"{live.model_file} -> {target.model_file}"
        audit.record(session, who, "studio.rollback", target=f"release:{row.seq}", detail=detail, ip=ip)
        return releases.release(session, row.id)  # type: ignore[return-value]


def prune(session: Session, settings: StudioSettings, keep_also: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """Delete model files nothing can reach any more: not among the newest releases, not on
    the rollback stack, not the newest or a running training's candidate."""
    keep = releases.files_in_use(session, settings.keep) | set(keep_also)
    keep |= {t.model_file for t in releases.recent_trainings(session, limit=1) if t.model_file}
    active = releases.active_training(session)
    if active is not None:
        keep.add(f"training-{active.id}.tar.gz")
    removed = []
    for path in sorted(settings.releases_dir.glob("*.tar.gz")):
        if path.name not in keep:
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed

"""Trainings, publishing and rolling back (sotong.studio.training/publish/releases) on SQLite
and PostgreSQL, against a fake Rasa HTTP API on a real loopback port."""

# ruff: noqa: F811  (the fixtures imported from publish_kit are parameters here)
from __future__ import annotations

import fcntl
from datetime import timedelta

import pytest
from sqlalchemy import select

from sotong.db import session_scope
from sotong.deadlines import now_utc
from sotong.staff import audit
from sotong.studio import publish as pub
from sotong.studio import releases, training
from sotong.studio.release_models import FAILED, REFUSED, StudioRelease, StudioTraining
from sotong.studio.release_settings import load_studio_settings
from tests.studio.publish_kit import FakeRasa, fake_rasa, finished_training, people, studio  # noqa: F401


def _api(fake):
    return pub.RasaModelApi(fake.url, fake.token, timeout=10)


def _publish(engine, tid, fake, settings, expected, who):
    with session_scope(engine) as s:
        return pub.publish(s, tid, who, api=_api(fake), settings=settings, expected_live_id=expected)


def _rollback(engine, fake, settings, expected, who):
    with session_scope(engine) as s:
        return pub.rollback(s, who, api=_api(fake), settings=settings, expected_live_id=expected)


def _actions(engine):
    with session_scope(engine) as s:
        return [(e.action, e.target) for e in reversed(audit.recent(s)) if e.action.startswith("studio.")]


def test_one_training_at_a_time_and_a_dead_worker_frees_the_slot(core_db, studio, people):
    with session_scope(core_db) as s:
        first = training.start_training(s, people.trainer)
    with pytest.raises(training.TrainingBusy) as busy, session_scope(core_db) as s:
        training.start_training(s, people.admin)
    assert busy.value.training_id == first
    # The worker stops beating (killed, machine restarted): shown as failed, no longer blocks.
    later = now_utc() + releases.STALE_AFTER + timedelta(seconds=5)
    with session_scope(core_db) as s:
        assert releases.training(s, first, now=later).status == FAILED
        second = training.start_training(s, people.trainer, now=later)
    with session_scope(core_db) as s:
        row = s.get(StudioTraining, first)
        assert (row.status, row.problem) == (FAILED, releases.STALE_PROBLEM)
        assert releases.active_training(s, later).id == second
    assert _actions(core_db) == [("studio.train", f"training:{first}"), ("studio.train", f"training:{second}")]


def test_progress_only_moves_forward_and_finish_records_the_outcome(core_db, studio, people):
    with session_scope(core_db) as s:
        tid = training.start_training(s, people.trainer)
    with session_scope(core_db) as s:
        training.set_stage(s, tid, "training", 0.5)
        training.set_stage(s, tid, "training", 0.2)  # a cached component printed a lower bar
        view = releases.training(s, tid)
        assert (view.status, view.stage, view.progress) == ("running", "training", 47)
        assert view.as_json() == {
            "id": tid,
            "status": "running",
            "stage": "training",
            "progress": 47,
            "problem": None,
            "finished": False,
        }
        training.finish(s, tid, REFUSED, problem="validation", report={"validation": {"warnings": ["W"]}})
    with session_scope(core_db) as s:
        view = releases.training(s, tid)
        assert (view.status, view.progress, view.problem, view.active) == (REFUSED, 100, "validation", False)


def test_publish_swaps_the_model_keeps_the_old_one_and_rolls_back(core_db, studio, fake_rasa, people):
    first = finished_training(core_db, studio, people.trainer, "model one")
    one = _publish(core_db, first, fake_rasa, studio, None, people.admin)
    assert fake_rasa.loads == ["model one"]
    assert fake_rasa.served == str(studio.releases_dir / f"training-{first}.tar.gz")
    assert studio.serving_model.read_text() == "model one"  # `make run` after a restart serves it too
    # The model `make train` had made is kept as the baseline release, so it can come back.
    with session_scope(core_db) as s:
        kinds = [(r.seq, r.kind) for r in releases.history(s)]
        assert kinds == [(2, "publish"), (1, "baseline")]
        baseline = releases.rollback_target(s)
    assert (studio.releases_dir / baseline.model_file).read_text() == "baseline model"

    second = finished_training(core_db, studio, people.trainer, "model two")
    two = _publish(core_db, second, fake_rasa, studio, one.id, people.admin)
    assert two.base_id == one.id and studio.serving_model.read_text() == "model two"

    back = _rollback(core_db, fake_rasa, studio, two.id, people.admin)
    assert (back.kind, back.model_file) == ("rollback", one.model_file)
    assert studio.serving_model.read_text() == "model one"
    back_again = _rollback(core_db, fake_rasa, studio, back.id, people.admin)
    assert studio.serving_model.read_text() == "baseline model" and back_again.base_id is None
    with pytest.raises(pub.NotPublishable) as nothing:
        _rollback(core_db, fake_rasa, studio, back_again.id, people.admin)
    assert nothing.value.reason == "nothing_to_roll_back"
    assert fake_rasa.loads == ["model one", "model two", "model one", "baseline model"]
    assert [a for a, _ in _actions(core_db)] == ["studio.train", "studio.publish"] * 2 + ["studio.rollback"] * 2


def test_refused_candidates_never_reach_rasa(core_db, studio, fake_rasa, people):
    dropped = finished_training(core_db, studio, people.trainer, "worse", old_f1=0.90, new_f1=0.85)
    with pytest.raises(pub.NotPublishable) as refused:
        _publish(core_db, dropped, fake_rasa, studio, None, people.admin)
    assert (refused.value.reason, refused.value.details) == ("refused", ("f1_drop",))
    broken = finished_training(core_db, studio, people.trainer, "breaks a story", failed=["여권 분실"])
    with pytest.raises(pub.NotPublishable) as refused:
        _publish(core_db, broken, fake_rasa, studio, None, people.admin)
    assert refused.value.details == ("conversation_failed",)
    invalid = finished_training(core_db, studio, people.trainer, "x", status=REFUSED)
    with pytest.raises(pub.NotPublishable) as not_ready:
        _publish(core_db, invalid, fake_rasa, studio, None, people.admin)
    assert not_ready.value.reason == "not_ready"
    with pytest.raises(pub.NotPublishable) as missing:
        _publish(core_db, 999_999, fake_rasa, studio, None, people.admin)
    assert missing.value.reason == "not_found"
    assert fake_rasa.loads == [] and studio.serving_model.read_text() == "baseline model"
    with session_scope(core_db) as s:
        assert releases.live_release(s) is None


def test_the_margin_in_force_at_publish_time_decides(core_db, studio, fake_rasa, monkeypatch, people):
    tid = finished_training(core_db, studio, people.trainer, "a bit worse", old_f1=0.90, new_f1=0.87)
    with pytest.raises(pub.NotPublishable):
        _publish(core_db, tid, fake_rasa, studio, None, people.admin)
    monkeypatch.setenv("SOTONG_STUDIO_MAX_F1_DROP", "0.05")
    _publish(core_db, tid, fake_rasa, load_studio_settings(), None, people.admin)
    assert fake_rasa.loads == ["a bit worse"]


def test_a_candidate_evaluated_against_another_model_is_stale(core_db, studio, fake_rasa, people):
    first = finished_training(core_db, studio, people.trainer, "model one")
    second = finished_training(core_db, studio, people.trainer, "model two")  # compared with the baseline too
    one = _publish(core_db, first, fake_rasa, studio, None, people.admin)
    with pytest.raises(pub.NotPublishable) as stale:
        _publish(core_db, second, fake_rasa, studio, one.id, people.admin)
    assert stale.value.reason == "stale"
    assert fake_rasa.loads == ["model one"]


def test_two_admins_one_live_model(core_db, studio, fake_rasa, people):
    first = finished_training(core_db, studio, people.trainer, "model one")
    _publish(core_db, first, fake_rasa, studio, None, people.admin)
    second = finished_training(core_db, studio, people.trainer, "model two", baseline_sha=None)
    # The second admin's form still says "nothing published yet".
    with pytest.raises(pub.PublishConflict):
        _publish(core_db, second, fake_rasa, studio, None, people.admin)
    with pytest.raises(pub.PublishConflict):
        _rollback(core_db, fake_rasa, studio, None, people.admin)
    # Another publish under way: the lock is held by another open file (flock locks belong to
    # the open file, so this conflicts as another process would), and the publish is refused
    # at once rather than queued behind it.
    with (studio.releases_dir / ".publish.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with session_scope(core_db) as s:
            live_id = releases.live_release(s).id
        with pytest.raises(pub.PublishConflict):
            _publish(core_db, second, fake_rasa, studio, live_id, people.admin)
    assert fake_rasa.loads == ["model one"]


def test_rasa_refusing_the_model_changes_nothing(core_db, studio, fake_rasa, people):
    tid = finished_training(core_db, studio, people.trainer, "model one")
    fake_rasa.fail_with = 500
    with pytest.raises(pub.RasaUnavailable):
        _publish(core_db, tid, fake_rasa, studio, None, people.admin)
    assert studio.serving_model.read_text() == "baseline model"
    with session_scope(core_db) as s:
        assert s.execute(select(StudioRelease)).first() is None  # not even the baseline row
    assert [a for a, _ in _actions(core_db)] == ["studio.train"]
    fake_rasa.fail_with = None
    fake_rasa.stop()  # not listening at all
    with pytest.raises(pub.RasaUnavailable):
        _publish(core_db, tid, fake_rasa, studio, None, people.admin)


def test_old_models_are_pruned_but_the_rollback_path_is_kept(core_db, studio, fake_rasa, monkeypatch, people):
    monkeypatch.setenv("SOTONG_STUDIO_KEEP", "1")
    settings = load_studio_settings()
    live = None
    for n in range(4):
        tid = finished_training(core_db, settings, people.trainer, f"model {n}", baseline_sha="serving")
        live = _publish(core_db, tid, fake_rasa, settings, live.id if live else None, people.admin)
    refused = finished_training(core_db, settings, people.trainer, "refused", status=REFUSED)
    with session_scope(core_db) as s:
        removed = pub.prune(s, settings)
    assert removed == []  # every published model is still on the rollback stack; the newest training stays
    kept = sorted(p.name for p in settings.releases_dir.glob("*.tar.gz"))
    assert len(kept) == 6 and f"training-{refused}.tar.gz" in kept
    # Roll back twice: the two models popped off the stack are no longer reachable.
    back = _rollback(core_db, fake_rasa, settings, live.id, people.admin)
    back = _rollback(core_db, fake_rasa, settings, back.id, people.admin)
    later = finished_training(core_db, settings, people.trainer, "later", baseline_sha="serving")
    with session_scope(core_db) as s:
        removed = pub.prune(s, settings)
    assert f"training-{refused}.tar.gz" in removed and f"training-{later}.tar.gz" not in removed
    with session_scope(core_db) as s:
        for step in [releases.live_release(s), releases.rollback_target(s)]:
            assert (settings.releases_dir / step.model_file).exists()


def test_publishing_marks_the_changes_the_candidate_was_trained_on(core_db, studio, fake_rasa, people):
    from sotong.studio.change_models import StudioChange
    from sotong.studio.changes import pending_changes

    def change(summary):
        with session_scope(core_db) as s:
            row = StudioChange(
                kind="nlu_example", summary=summary, payload={}, files=[], needs_training=True,
                created_by="teacher", created_at=now_utc().replace(tzinfo=None),
            )  # fmt: skip
            s.add(row)
            s.flush()
            return {"id": row.id, "summary": summary, "by": "teacher"}

    taught = change("greet ← 안녕하슈")
    tid = finished_training(core_db, studio, people.trainer, "model one")
    later = change("goodbye ← 잘 있어유")  # written after the training read the files
    with session_scope(core_db) as s:
        row = s.get(StudioTraining, tid)
        row.report = dict(row.report, changes=[taught])
    live = _publish(core_db, tid, fake_rasa, studio, None, people.admin)
    with session_scope(core_db) as s:
        assert [c.id for c in pending_changes(s)] == [later["id"]]
        published = s.get(StudioChange, taught["id"])
        assert published.release_ref == f"release:{live.seq}" and published.published_at is not None


def test_a_publish_reaches_every_replica_or_none(core_db, studio, fake_rasa, people):
    """With replicas (SOTONG_RASA_REPLICA_URLS) each one loads the model; when the second refuses,
    the first goes back to the model it served, so the replicas never stay split."""
    other = FakeRasa(token=fake_rasa.token).start()
    try:
        both = pub.RasaModelApi(fake_rasa.url, fake_rasa.token, timeout=10, replicas=(fake_rasa.url, other.url))
        first = finished_training(core_db, studio, people.trainer, "model one")
        with session_scope(core_db) as s:
            one = pub.publish(s, first, people.admin, api=both, settings=studio, expected_live_id=None)
        assert fake_rasa.loads == other.loads == ["model one"]

        other.fail_with = 500
        second = finished_training(core_db, studio, people.trainer, "model two")
        with pytest.raises(pub.RasaUnavailable), session_scope(core_db) as s:
            pub.publish(s, second, people.admin, api=both, settings=studio, expected_live_id=one.id)
        assert fake_rasa.loads == ["model one", "model two", "model one"]  # switched, then put back
        assert fake_rasa.served == str(studio.serving_model) and studio.serving_model.read_text() == "model one"
        with session_scope(core_db) as s:
            assert releases.live_release(s).id == one.id
    finally:
        other.stop()


def test_replica_urls_come_from_the_environment(monkeypatch):
    from web.settings import rasa_replica_urls

    monkeypatch.setenv("SOTONG_RASA_REPLICA_URLS", "http://127.0.0.1:5105/, http://127.0.0.1:5106 ftp://x javascript:1")
    assert rasa_replica_urls() == ("http://127.0.0.1:5105", "http://127.0.0.1:5106")
    monkeypatch.delenv("SOTONG_RASA_REPLICA_URLS")
    assert rasa_replica_urls() == ()


def test_no_database_lock_is_held_while_rasa_loads_the_model(core_db, studio, fake_rasa, people):
    """Rasa keeps answering during a publish, and each answer writes (tracker store, actions): on
    SQLite a transaction left open by the publish would make every one of them wait for the load."""
    written: list[str] = []

    def a_resident_turn() -> None:
        try:
            _turn()
        except Exception as exc:  # the fake Rasa's thread: report it to the test
            written.append(repr(exc)[:300])

    def _turn() -> None:
        with core_db.begin() as conn:  # BEGIN IMMEDIATE on SQLite (sotong.db): needs the write lock
            conn.exec_driver_sql("SELECT 1")
        written.append("turn")

    fake_rasa.while_loading = a_resident_turn
    one = _publish(core_db, finished_training(core_db, studio, people.trainer, "model one"), fake_rasa, studio, None,
                   people.admin)  # fmt: skip
    _rollback(core_db, fake_rasa, studio, one.id, people.admin)
    assert written == ["turn", "turn"]

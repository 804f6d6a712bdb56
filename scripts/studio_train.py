"""The studio's training worker: ``python -m scripts.studio_train --training N``.

Started by the console (sotong.studio.training.spawn_worker) in its own session. Under the
machine's training lock (SOTONG_TRAIN_LOCK, the one `flock … make train` takes) it runs what
`make train` and `make test` would for the project (SOTONG_STUDIO_ROOT, default this
checkout):

1. building   — ``sotong.faq.build``: data/nlu/faq.yml from the district's FAQ catalogue
2. validating — the project's scripts/validate.py (`make validate`'s checks)
3. training   — ``rasa train`` into <models>/releases/training-N.tar.gz (progress from its log)
4. evaluating — the live model and the candidate on tests/nlu_test.yml + tests/nlu/faq_test
5. testing    — tests/conversations with ``rasa test core --fail-on-prediction-errors``

and records the outcome in ``studio_training``: ready, refused (validation, macro-F1 drop
beyond SOTONG_STUDIO_MAX_F1_DROP, a failed conversation) or failed (an error). A heartbeat
every few seconds lets the page tell a dead worker from a slow one.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import yaml

from sotong.db import session_scope
from sotong.settings import load_settings
from sotong.studio import evaluation, releases, training
from sotong.studio.changes import pending_changes
from sotong.studio.release_models import FAILED, READY, REFUSED
from sotong.studio.release_settings import StudioSettings, load_studio_settings

BIN = Path(sys.executable).parent
TRAIN_TIMEOUT = 3600
BEAT_EVERY = 10.0
POLL_EVERY = 3.0


def say(msg: str) -> None:
    print(f"[studio_train {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Worker:
    def __init__(self, training_id: int, settings: StudioSettings) -> None:
        self.id = training_id
        self.settings = settings
        self.stopped = threading.Event()
        self.timings: dict[str, float] = {}
        self.changes: list[dict[str, Any]] = []

    # --- bookkeeping -------------------------------------------------------
    def stage(self, name: str, fraction: float = 0.0) -> None:
        with session_scope() as s:
            training.set_stage(s, self.id, name, fraction)

    def _beat(self) -> None:
        while not self.stopped.wait(BEAT_EVERY):
            try:
                with session_scope() as s:
                    training.beat(s, self.id)
            except Exception as exc:  # a busy database must not kill the training
                say(f"heartbeat failed: {exc}")

    def finish(self, status: str, **fields: Any) -> None:
        with session_scope() as s:
            training.finish(s, self.id, status, **fields)
        say(f"training {self.id}: {status} {fields.get('problem') or ''}")

    # --- steps ---------------------------------------------------------------
    def validate(self) -> list[str]:
        """The WARNING lines of the project's validate script; [] when it passed."""
        script = self.settings.project / "scripts" / "validate.py"
        done = subprocess.run(
            [str(BIN / "python"), str(script)], cwd=self.settings.project, capture_output=True, text=True, timeout=900
        )
        if done.returncode == 0:
            return []
        lines = [ln for ln in (done.stdout + done.stderr).splitlines() if ln.startswith(("WARNING", "ERROR"))]
        return lines[:50] or [(done.stdout + done.stderr).strip()[-800:]]

    def train(self) -> Path:
        p, out = self.settings.project, self.settings.releases_dir
        out.mkdir(parents=True, exist_ok=True)
        name = f"training-{self.id}"
        cmd = [str(BIN / "rasa"), "train", "--config", str(self.settings.config), "--domain", str(p / "domain.yml")]
        cmd += ["--data", str(p / "data"), "--out", str(out), "--fixed-model-name", name]
        log = self.settings.work_dir / f"rasa-train-{self.id}.log"
        config = yaml.safe_load(self.settings.config.read_text(encoding="utf-8")) or {}
        bars = training.epoch_components(config)
        started = time.monotonic()
        with log.open("wb") as sink:
            proc = subprocess.Popen(cmd, cwd=p, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            while proc.poll() is None:
                if time.monotonic() - started > TRAIN_TIMEOUT:
                    proc.kill()
                    raise RuntimeError(f"rasa train took longer than {TRAIN_TIMEOUT} s")
                time.sleep(POLL_EVERY)
                self.stage("training", training.training_fraction(log.read_text(errors="replace"), bars))
        self.timings["train_s"] = round(time.monotonic() - started, 1)
        if proc.returncode != 0:
            raise RuntimeError(f"rasa train exited with {proc.returncode}:\n{log.read_text(errors='replace')[-1500:]}")
        return out / f"{name}.tar.gz"

    def old_model(self) -> tuple[Path | None, str | None]:
        with session_scope() as s:
            live = releases.live_release(s)
        if live is not None:
            return self.settings.releases_dir / live.model_file, live.model_sha256
        serving = self.settings.serving_model
        return (serving, releases.sha256_of(serving)) if serving.exists() else (None, None)

    def evaluate(self, candidate: Path) -> dict[str, Any]:
        from scripts.studio_eval import predict_intents, run_conversation_tests

        tests = self.settings.project / "tests"
        items = evaluation.load_nlu_tests(tests / "nlu_test.yml") + evaluation.load_faq_tests(
            tests / "nlu" / "faq_test"
        )
        texts = [i.text for i in items]
        old_path, old_sha = self.old_model()
        started = time.monotonic()
        old_pred = None
        if old_path is not None and old_path.exists():
            old_pred = predict_intents(old_path, texts, lambda f: self.stage("evaluating", f / 2))
        new_pred = predict_intents(candidate, texts, lambda f: self.stage("evaluating", 0.5 + f / 2))
        self.timings["evaluate_s"] = round(time.monotonic() - started, 1)
        report: dict[str, Any] = {
            "baseline": {"model_file": old_path.name if old_path else None, "sha256": old_sha},
            "tests": {"nlu": sum(i.source == "nlu" for i in items), "faq": sum(i.source != "nlu" for i in items)},
            "old": evaluation.score(items, old_pred) if old_pred is not None else None,
            "new": evaluation.score(items, new_pred),
            "changed": evaluation.changed_answers(items, old_pred, new_pred) if old_pred is not None else [],
        }
        self.stage("testing")
        started = time.monotonic()
        work = self.settings.work_dir
        report["conversations"] = run_conversation_tests(
            self.settings.project, candidate, work / f"conversations-{self.id}", work / f"conversations-{self.id}.log"
        )
        self.timings["conversations_s"] = round(time.monotonic() - started, 1)
        return report

    # --- the whole run ---------------------------------------------------------
    def run(self) -> int:
        self.settings.work_dir.mkdir(parents=True, exist_ok=True)
        beat = threading.Thread(target=self._beat, daemon=True)
        beat.start()
        try:
            self.stage("waiting")
            self.settings.train_lock.parent.mkdir(parents=True, exist_ok=True)
            with self.settings.train_lock.open("a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
                return self._run_locked()
        except Exception as exc:
            say(traceback.format_exc())
            self.finish(FAILED, problem="error", report={"error": f"{type(exc).__name__}: {exc}"[-2000:]})
            return 1
        finally:
            self.stopped.set()

    def _run_locked(self) -> int:
        from sotong.faq.build import build

        self.stage("building")
        # Read before the files: every change listed here is in what gets trained.
        with session_scope() as s:
            self.changes = [{"id": c.id, "summary": c.summary, "by": c.created_by} for c in pending_changes(s)]
        build(load_settings().district_dir, self.settings.project / "data")
        self.stage("validating")
        warnings = self.validate()
        if warnings:
            report = {"validation": {"warnings": warnings}, "changes": self.changes}
            self.finish(REFUSED, problem="validation", report=report)
            return 0
        self.stage("training")
        candidate = self.train()
        report = self.evaluate(candidate)
        report["validation"] = {"warnings": []}
        report["changes"] = self.changes
        report["timings"] = self.timings
        report["max_f1_drop"] = self.settings.max_f1_drop
        judged = evaluation.verdict(report, self.settings.max_f1_drop)
        report["verdict"] = {
            "publishable": judged.publishable,
            "reasons": list(judged.reasons),
            "f1_drop": judged.f1_drop,
        }
        self.finish(
            READY if judged.publishable else REFUSED,
            problem=",".join(judged.reasons) or None,
            report=report,
            model_file=candidate.name,
            model_sha256=releases.sha256_of(candidate),
        )
        return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--training", type=int, required=True)
    args = ap.parse_args(argv)
    # For Rasa here and in its subprocesses: quiet TensorFlow, and no telemetry leaving the machine.
    os.environ.update(RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3", SQLALCHEMY_SILENCE_UBER_WARNING="1")
    return Worker(args.training, load_studio_settings()).run()


if __name__ == "__main__":
    sys.exit(main())

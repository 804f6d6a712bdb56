"""Measuring one model for the understanding benchmark: train it (the candidate, or the
ResponseSelector comparison), serve it, time the parses, score what a resident would get."""

from __future__ import annotations

import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devkit import BIN
from devkit.nlu_server import serve_and_parse
from devkit.procs import child_env, run_timed
from devkit.timing import latency_figures
from scripts.bench.understanding_score import score

TRAIN_TIMEOUT = 2400
SERVE_TIMEOUT = 1200
# Depend on the catalogue code, not on the model: reported for the candidate only.
CATALOGUE_FIGURES = (
    "faq_selector_top1",
    "faq_selector_top3",
    "near_civic_guess",
    "near_department_hit",
    "near_department_hit_topics_only",
    "chit_civic_guess",
    "chit_maybe_guess",
)


def say(msg: str) -> None:
    print(f"[bench_understanding {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def train_candidate(config: Path, domain: Path, data: Sequence[Path], tmp: Path) -> tuple[Path, float]:
    """`rasa train --force` (NLU + dialogue) into a fresh dir with an empty cache."""
    say("candidate: rasa train --force (NLU + dialogue), fresh cache")
    out = tmp / "models"
    cmd = [str(BIN / "rasa"), "train", "--force", "--config", str(config), "--domain", str(domain), "--data"]
    cmd += [*map(str, data), "--out", str(out), "--fixed-model-name", "candidate"]
    secs = run_timed(cmd, child_env(RASA_CACHE_DIRECTORY=str(tmp / "train-cache")), tmp / "train.log", TRAIN_TIMEOUT)
    say(f"candidate trained in {secs:.1f} s")
    return out / "candidate.tar.gz", secs


def train_rs(config: Path, data_dirs: Sequence[Path], tmp: Path) -> tuple[Path, float]:
    """`rasa train nlu` of the same NLU data with retrieval intents faq/<topic> and a ResponseSelector."""
    import rasa.shared.data
    import rasa.shared.utils.io

    from sotong.faq.build import build
    from sotong.settings import load_settings

    data = tmp / "rs-data"
    files = [
        Path(f) for d in data_dirs for f in rasa.shared.data.get_data_files([str(d)], rasa.shared.data.is_nlu_file)
    ]
    for i, f in enumerate(sorted(set(files))):
        if f.name != "faq.yml":
            (data / "nlu").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, data / "nlu" / f"{i:02d}-{f.name}")
    build(load_settings().district_dir, data, retrieval=True)
    cfg = rasa.shared.utils.io.read_yaml_file(config)
    at = next(i for i, c in enumerate(cfg["pipeline"]) if c.get("name") == "FallbackClassifier")
    rs = {"name": "ResponseSelector", "retrieval_intent": "faq", "epochs": 60, "constrain_similarities": True}
    cfg["pipeline"].insert(at, dict(rs, random_seed=42))
    rasa.shared.utils.io.write_yaml(cfg, tmp / "config-rs.yml")
    say("responseselector: rasa train nlu (same data, retrieval intents, + ResponseSelector 60 epochs)")
    cmd = [str(BIN / "rasa"), "train", "nlu", "--config", str(tmp / "config-rs.yml"), "--nlu", str(data)]
    cmd += ["--out", str(tmp / "rs-models"), "--fixed-model-name", "rs"]
    secs = run_timed(cmd, child_env(RASA_CACHE_DIRECTORY=str(tmp / "rs-cache")), tmp / "rs-train.log", TRAIN_TIMEOUT)
    say(f"responseselector: trained in {secs:.1f} s")
    return tmp / "rs-models" / "rs.tar.gz", secs


def evaluate(name: str, model: Path, tests: Sequence[dict[str, Any]], tmp: Path) -> dict[str, Any]:
    """Serve ``model``, parse every test utterance (warm-up, then timed) and score the parses."""
    say(f"{name}: serving {model.name}, parsing {len(tests)} utterances twice")
    # On a shared, loaded machine a model has taken over 6 min to load (devkit's default is 5).
    res = serve_and_parse(model, [t["text"] for t in tests], tmp / f"serve-{name}", start_timeout=SERVE_TIMEOUT)
    res.update(latency_figures(res.pop("latencies_ms")))
    m = score(tests, res.pop("preds"))
    if name != "candidate":
        for key in CATALOGUE_FIGURES:
            m.pop(key, None)
    m.update(res)
    say(f"{name}: macro-F1 {m['macro_f1']:.3f}, FAQ top-1 {m.get('faq_top1')}, near wrong {m.get('near_wrong_rate')}")
    return m

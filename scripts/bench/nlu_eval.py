"""Measuring one NLU pipeline: train it, serve it, time the parses, take its memory, score it."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rasa.shared.utils.io

from devkit import BIN
from devkit.nlu_server import serve_and_parse
from devkit.procs import child_env, run_timed, tail
from devkit.timing import latency_figures
from scripts.bench.nlu_score import misses, score

# Bounded timeouts (seconds).
TRAIN_TIMEOUT = {"quick": 900, "full": 2400}
FULL_TRAIN_TIMEOUT = 3600
SERVER_START_TIMEOUT = 300
IMPORT_TIMEOUT = 180


def say(msg: str) -> None:
    print(f"[bench_nlu {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def sub_env(cache_dir: Path) -> dict[str, str]:
    """A child's environment with a fresh Rasa cache: nothing reused between runs."""
    return child_env(RASA_CACHE_DIRECTORY=str(cache_dir))


def bench_pipeline(
    spec: dict[str, Any], data_dir: Path, tests: Sequence[dict[str, Any]], syn: dict[str, str], tmp: Path, mode: str
) -> dict[str, Any]:
    name = spec["name"]
    work = tmp / name
    work.mkdir()
    env = sub_env(work / "rasa-cache")
    res: dict[str, Any] = {
        "name": name,
        "tokenizer": spec["tokenizer"],
        "epochs": spec["epochs"],
        "loadavg_before": os.getloadavg()[0],
        "has_fallback_classifier": spec["has_fallback"],
        "config": rasa.shared.utils.io.read_yaml_file(spec["config"])["pipeline"],
    }

    say(f"{name}: training (rasa train nlu, DIET {spec['epochs']} epochs)")
    out_dir = work / "models"
    cmd = [
        str(BIN / "rasa"),
        "train",
        "nlu",
        "--config",
        str(spec["config"]),
        "--nlu",
        str(data_dir),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
    ]
    res["train_s"] = run_timed(cmd, env, work / "train.log", TRAIN_TIMEOUT[mode])
    model = out_dir / f"{name}.tar.gz"
    if not model.exists():
        raise RuntimeError(f"training produced no {model}\n{tail(work / 'train.log')}")
    res["model_mb"] = model.stat().st_size / 2**20
    say(f"{name}: trained in {res['train_s']:.1f} s")

    served = serve_and_parse(
        model,
        [t["text"] for t in tests],
        work,
        env,
        SERVER_START_TIMEOUT,
        on_ready=lambda load_s: say(f"{name}: server up in {load_s:.1f} s; warming with {len(tests)} parses"),
    )
    preds = served.pop("preds")
    res.update(latency_figures(served.pop("latencies_ms")))
    res.update(served)
    res["metrics"] = score(tests, preds, syn)
    res["intent_accuracy"] = res["metrics"]["intent_accuracy"]
    res["intent_macro_f1"] = res["metrics"]["intent_macro_f1"]
    res["entity_f1"] = res["metrics"]["entity_span"]["f1"]
    res["entity_value_f1"] = res["metrics"]["entity_value"]["f1"]
    res.update(misses(tests, preds))
    say(
        f"{name}: p50 {res['parse_p50_ms']:.1f} ms, p95 {res['parse_p95_ms']:.1f} ms, "
        f"intent F1 {res['intent_macro_f1']:.3f}, entity F1 {fmt(res['entity_f1'])}, "
        f"RSS {res['peak_rss_mb']:.0f} MB"
    )
    return res


def time_imports(tmp: Path) -> float | None:
    """Bare `import rasa.core.agent` (pulls in TensorFlow) in a fresh interpreter, for context."""
    try:
        return run_timed(
            [str(BIN / "python"), "-c", "import rasa.core.agent, tensorflow"],
            sub_env(tmp / "import-cache"),
            tmp / "import.log",
            IMPORT_TIMEOUT,
        )
    except RuntimeError as exc:
        say(f"import timing failed: {exc}")
        return None


def full_train(config: Path, tmp: Path) -> dict[str, Any]:
    """`rasa train --force` (NLU + dialogue) with ``config``, the live domain and stories, fresh cache."""
    say("full rasa train --force (NLU + dialogue) with config.yml")
    work = tmp / "full-train"
    work.mkdir()
    secs = run_timed(
        [
            str(BIN / "rasa"),
            "train",
            "--force",
            "--config",
            str(config),
            "--out",
            str(work / "models"),
            "--fixed-model-name",
            "full",
        ],
        sub_env(work / "rasa-cache"),
        work / "train.log",
        FULL_TRAIN_TIMEOUT,
    )
    say(f"full train: {secs:.1f} s")
    return {"train_s": secs}

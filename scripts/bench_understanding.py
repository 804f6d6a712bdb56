"""Understanding benchmark (issue 9): the release candidate vs. the previous release, same run.

On the held-out sets — tests/nlu_test.yml (services, chit-chat, entities), tests/nlu/faq_test/*.yml
(FAQ topics; gold intent ``faq`` + topic) and tests/nlu/near_scope_test.yml (구청 questions the bot
does not cover; the right outcome is a refusal) — measures, as served:

* intent macro-F1 over every intent of nlu_test + FAQ tests (FAQ tests count as ``faq``),
* FAQ top-1: the served answer is the right topic (intent ``faq``, no fallback, the catalogue
  selector's top-1 right and at or above sotong/faq/selector.py's MIN_SCORE),
* near-scope answered with a wrong service: any service intent or an *answered* FAQ topic,
* chit-chat handled (greet … show_menu, out_of_scope), entity F1 (exact span + type),
* full ``rasa train --force`` time, parse p50/p95 (nearest rank) and the server's peak RSS.

``--calibrate`` adds the table the topic threshold was picked from: catalogue examples scored
by selectors fitted without them, and the out-of-domain training questions (never the tests).

Writes its block of docs/benchmarks.md (between the bench:understanding markers) and the raw
figures to results/bench_understanding.json. The parts live in scripts/bench/understanding_*.py
(test sets, FAQ serving, scoring, evaluation, report); serving, timing and the document in devkit/.

    PYTHONPATH=. .venv/bin/python -m scripts.bench_understanding [--model M] [--previous P] [--calibrate]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devkit import ROOT
from devkit.benchdoc import replace_block
from devkit.machine import describe as machine_info
from devkit.machine import loadavg
from scripts.bench.understanding_data import load_all_tests, set_sizes
from scripts.bench.understanding_eval import evaluate, say, train_candidate, train_rs
from scripts.bench.understanding_faq import calibrate, faq_threshold
from scripts.bench.understanding_report import MARK_END, MARK_START, render
from scripts.bench_nlu import versions


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--config", type=Path, default=ROOT / "config.yml")
    ap.add_argument("--domain", type=Path, default=ROOT / "domain.yml")
    ap.add_argument("--data", type=Path, nargs="+", default=[ROOT / "data"])
    ap.add_argument("--model", type=Path, help="evaluate this candidate model instead of training one")
    ap.add_argument(
        "--train-s",
        type=float,
        help="with --model: its full `rasa train --force` wall time (fresh cache), measured when it was trained",
    )
    ap.add_argument(
        "--previous",
        type=Path,
        default=ROOT / "models/sotong.tar.gz",
        help="the previous release (copied to a temp dir at start); 'none' to skip",
    )
    ap.add_argument("--test", type=Path, default=ROOT / "tests/nlu_test.yml")
    ap.add_argument("--faq-tests", type=Path, default=ROOT / "tests/nlu/faq_test")
    ap.add_argument("--near-scope", type=Path, default=ROOT / "tests/nlu/near_scope_test.yml")
    ap.add_argument(
        "--calibrate", action="store_true", help="also calibrate the FAQ threshold on held-out training data"
    )
    ap.add_argument("--ood-train", type=Path, default=ROOT / "tests/nlu/out_of_domain_train.yml")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=ROOT / "results/bench_understanding.json")
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument(
        "--rs",
        action="store_true",
        help="also train and evaluate the same pipeline with Rasa's "
        "ResponseSelector (retrieval intents faq/<topic>) for the design comparison",
    )
    ap.add_argument(
        "--rs-model",
        type=Path,
        help="also evaluate this model with Rasa's ResponseSelector "
        "(trained from `python -m sotong.faq.build --retrieval` data) for the design comparison",
    )
    return ap.parse_args(argv)


def measure(args: argparse.Namespace, tmp: Path, report: dict[str, Any]) -> None:
    """Fill ``report`` with the calibration and every model's figures (temp files under ``tmp``)."""
    previous = None
    if str(args.previous) != "none" and args.previous.exists():
        previous = tmp / "previous.tar.gz"
        shutil.copyfile(args.previous, previous)  # others may retrain it while we run
    tests = load_all_tests(args.test, args.faq_tests, args.near_scope)
    report["data"] = set_sizes(tests)
    if args.calibrate:
        report["calibration"] = calibrate(args.ood_train)
    if args.model:
        model, train_s = args.model, args.train_s
        report["candidate_desc"] = f"`{args.model}` (given, not trained here" + (
            f"; its `rasa train --force` with a fresh cache, timed when it was trained: {train_s:.0f} s)"
            if train_s
            else ")"
        )
    else:
        model, train_s = train_candidate(args.config, args.domain, args.data, tmp)
        report["candidate_desc"] = (
            f"trained here from `{args.config.name}`, domain `{args.domain.name}`, "
            f"data {', '.join(f'`{p}`' for p in args.data)}"
        )
    report["models"]["candidate"] = dict(evaluate("candidate", model, tests, tmp), train_s=train_s)
    if previous:
        shown = args.previous.relative_to(ROOT) if args.previous.is_relative_to(ROOT) else args.previous
        report["previous_desc"] = f"`{shown}` as found at the start (the previous release)"
        report["models"]["previous"] = evaluate("previous", previous, tests, tmp)
    else:
        report["previous_desc"] = "not measured"
    if args.rs and not args.rs_model:
        args.rs_model, report["rs_train_s"] = train_rs(args.config, args.data, tmp)
    if args.rs_model:
        report["rs_desc"] = (
            f"`{args.rs_model.name}`: the same pipeline plus Rasa's ResponseSelector "
            "(retrieval intents faq/<topic>), topic = its top-1 without threshold"
        )
        report["models"]["responseselector"] = evaluate("responseselector", args.rs_model, tests, tmp)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so the finally blocks stop our servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, load0 = time.perf_counter(), loadavg()
    tmp = Path(tempfile.mkdtemp(prefix="bench_und_"))
    report: dict[str, Any] = {"models": {}, "threshold": faq_threshold()}
    try:
        measure(args, tmp, report)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.update(
        date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        machine=machine_info(),
        versions=versions(),
        loadavg_start=load0,
        loadavg_end=loadavg(),
        runtime_s=time.perf_counter() - started,
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    if not args.no_doc:
        replace_block(args.doc, MARK_START, MARK_END, render(report))
    say(f"wrote {args.json}" + ("" if args.no_doc else f" and {args.doc}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

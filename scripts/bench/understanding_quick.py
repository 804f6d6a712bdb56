"""A quick look at the understanding figures while editing NLU data: train the NLU only (or take
a model), parse every held-out utterance in-process and score it as the benchmark does.

Not the benchmark (no timing, no previous release, no document): `scripts.bench_understanding`
is. This is for seeing, in ~4 minutes instead of ~11, which intents and topics still go wrong.

    PYTHONPATH=. .venv/bin/python -m scripts.bench.understanding_quick [--model M] [--out O]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from devkit import ROOT
from scripts.bench.understanding_data import load_all_tests
from scripts.bench.understanding_score import score


def train(out: Path, config: Path) -> Path:
    from rasa.model_training import train_nlu

    from sotong.faq.build import build
    from sotong.settings import load_settings

    build(load_settings().district_dir, ROOT / "data")  # data/nlu/faq.yml from the catalogue
    start = time.monotonic()
    path = train_nlu(str(config), str(ROOT / "data"), str(out), fixed_model_name="quick")
    print(f"NLU training took {time.monotonic() - start:.0f} s ({config})")
    return Path(path)


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    return [await agent.parse_message(t) for t in texts]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", type=Path)
    ap.add_argument("--config", type=Path, default=ROOT / "config.yml", help="pipeline to train (A/B a change)")
    ap.add_argument("--out", type=Path, default=ROOT / "results/understanding_quick.json")
    args = ap.parse_args()
    model = args.model or train(Path(tempfile.mkdtemp(prefix="und_quick_")), args.config)
    tests = load_all_tests(
        ROOT / "tests/nlu_test.yml", ROOT / "tests/nlu/faq_test", ROOT / "tests/nlu/near_scope_test.yml"
    )
    preds = asyncio.run(parse_all(model, [t["text"] for t in tests]))
    m = score(tests, preds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    raw = [
        {"test": t, "pred": {k: p.get(k) for k in ("intent", "entities", "intent_ranking")}}
        for t, p in zip(tests, preds)
    ]
    args.out.write_text(
        json.dumps({"model": str(model), "metrics": m, "raw": raw}, ensure_ascii=False, indent=1, default=str)
    )
    for k in (
        "near_department_hit",
        "near_department_hit_topics_only",
        "macro_f1",
        "macro_f1_open_set",
        "open_set_worst",
        "faq_top1",
        "near_wrong_rate",
        "entity_f1",
        "chit_acc",
        "faq_refused",
        "worst",
    ):
        print(k, m.get(k))
    print("model", model)


if __name__ == "__main__":
    main()

"""Which pipelines the NLU benchmark compares: config.yml as chosen, the same pipeline with each
other Korean analyzer, and Rasa's stock pipeline as the baseline."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import rasa.shared.utils.io

ANALYZERS = ("mecab", "kiwi", "okt")
STOCK_KEEP = (
    "WhitespaceTokenizer",
    "RegexFeaturizer",
    "LexicalSyntacticFeaturizer",
    "CountVectorsFeaturizer",
    "DIETClassifier",
    "EntitySynonymMapper",
)
QUICK_EPOCHS = 5


def tokenizer_index(pipeline: list[dict[str, Any]]) -> int:
    for i, comp in enumerate(pipeline):
        if "Tokenizer" in str(comp.get("name", "")):
            return i
    raise SystemExit("config.yml has no tokenizer in its pipeline")


def diet_epochs(pipeline: list[dict[str, Any]]) -> int:
    for comp in pipeline:
        if comp.get("name") == "DIETClassifier":
            return int(comp.get("epochs", 300))  # DIET's own default
    raise SystemExit("config.yml has no DIETClassifier")


def cap_epochs(pipeline: list[dict[str, Any]], cap: int) -> None:
    for comp in pipeline:
        if comp.get("name") in ("DIETClassifier", "ResponseSelector"):
            comp["epochs"] = min(int(comp.get("epochs", 300)), cap)


def stock_pipeline(epochs: int) -> list[dict[str, Any]]:
    """Rasa's stock pipeline (the one Rasa uses when config.yml has none), minus ResponseSelector
    and FallbackClassifier, DIET at ``epochs``. Located without importing rasa.engine (that would
    pull in TensorFlow)."""
    path = Path(rasa.shared.__file__).parent.parent / "engine/recipes/config_files/default_config.yml"
    stock = rasa.shared.utils.io.read_yaml_file(path)
    pipeline = [dict(c) for c in stock["pipeline"] if c.get("name") in STOCK_KEEP]
    for comp in pipeline:
        if comp.get("name") == "DIETClassifier":
            comp["epochs"] = epochs
    return pipeline


def build_configs(config_bytes: bytes, tmp: Path, quick: bool) -> tuple[list[dict[str, Any]], str]:
    """Pipeline specs {name, tokenizer, config (a file), cfg, epochs, has_fallback}, and the chosen analyzer."""
    base_cfg = rasa.shared.utils.io.read_yaml(config_bytes.decode("utf-8"))
    pipeline = base_cfg["pipeline"]
    ti = tokenizer_index(pipeline)
    chosen_analyzer = str(pipeline[ti].get("analyzer", "mecab"))
    epochs = diet_epochs(pipeline)
    specs: list[dict[str, Any]] = []

    def write(name: str, cfg: dict[str, Any]) -> Path:
        path = tmp / f"config-{name}.yml"
        rasa.shared.utils.io.write_yaml(cfg, path)
        return path

    # (a) chosen: a byte-for-byte snapshot of config.yml (others may edit it while we run);
    # in --quick a copy with DIET capped.
    if quick:
        cfg = copy.deepcopy(base_cfg)
        cap_epochs(cfg["pipeline"], QUICK_EPOCHS)
        path = write("chosen", cfg)
    else:
        cfg, path = base_cfg, tmp / "config-chosen.yml"
        path.write_bytes(config_bytes)
    specs.append({"name": "chosen", "tokenizer": f"KoreanTokenizer ({chosen_analyzer})", "config": path, "cfg": cfg})

    # (b, c) the same pipeline with each other analyzer.
    for analyzer in ANALYZERS:
        if analyzer == chosen_analyzer:
            continue
        cfg = copy.deepcopy(base_cfg)
        cfg["pipeline"][ti]["analyzer"] = analyzer
        if quick:
            cap_epochs(cfg["pipeline"], QUICK_EPOCHS)
        specs.append(
            {"name": analyzer, "tokenizer": f"KoreanTokenizer ({analyzer})", "config": write(analyzer, cfg), "cfg": cfg}
        )

    # (d) the stock baseline, DIET epochs as in the chosen config.
    cfg = {
        "recipe": base_cfg.get("recipe", "default.v1"),
        "assistant_id": base_cfg.get("assistant_id", "bench"),
        "language": base_cfg.get("language", "ko"),
        "pipeline": stock_pipeline(min(epochs, QUICK_EPOCHS) if quick else epochs),
    }
    specs.append(
        {
            "name": "baseline",
            "tokenizer": "WhitespaceTokenizer (Rasa stock)",
            "config": write("baseline", cfg),
            "cfg": cfg,
        }
    )

    for s in specs:
        s["epochs"] = diet_epochs(s["cfg"]["pipeline"])
        s["has_fallback"] = any(c.get("name") == "FallbackClassifier" for c in s["cfg"]["pipeline"])
    return specs, chosen_analyzer

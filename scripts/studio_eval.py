"""The Rasa side of a studio evaluation: parse the held-out questions with a model, run the
conversation tests. Used by scripts/studio_train.py (the figures are sotong.studio.evaluation's).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sotong.studio.evaluation import failed_story_names

BIN = Path(sys.executable).parent
CONVERSATIONS_TIMEOUT = 1800


def predict_intents(model: Path, texts: Sequence[str], on_progress: Callable[[float], None]) -> list[str]:
    """The intent each text gets from ``model`` as served (``nlu_fallback`` included)."""
    from rasa.core.agent import Agent
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs every parse at debug level otherwise: hundreds of lines per model.
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))

    async def parse_all(agent: Agent) -> list[str]:
        out = []
        for i, text in enumerate(texts):
            parsed = await agent.parse_message(text)
            out.append(str((parsed.get("intent") or {}).get("name") or ""))
            if i % 50 == 0:
                on_progress(i / max(len(texts), 1))
        return out

    try:
        return asyncio.run(parse_all(agent))
    finally:
        del agent
        gc.collect()  # two models in turn: free the first one's graphs before the second loads


def count_stories(folder: Path) -> int:
    import yaml

    total = 0
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        total += sum(1 for s in raw.get("stories") or [] if isinstance(s, dict) and "story" in s)
    return total


def run_conversation_tests(project: Path, model: Path, out: Path, log: Path) -> dict[str, Any]:
    """``rasa test core --fail-on-prediction-errors`` as `make test` runs it (scripts/test.sh):
    a throw-away tracker database, no action server (predictions are compared, not run)."""
    stories = project / "tests" / "conversations"
    out.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{out / 'conv.db'}",
        SOTONG_ACTION_URL="http://127.0.0.1:1/webhook",
        TF_CPP_MIN_LOG_LEVEL="3",
        RASA_TELEMETRY_ENABLED="false",
    )
    cmd = [str(BIN / "rasa"), "test", "core", "--stories", str(stories), "--model", str(model)]
    cmd += ["--fail-on-prediction-errors", "--out", str(out), "--quiet"]
    with log.open("wb") as sink:
        done = subprocess.run(
            cmd, cwd=project, env=env, stdout=sink, stderr=subprocess.STDOUT, timeout=CONVERSATIONS_TIMEOUT
        )
    failed_file = out / "failed_test_stories.yml"
    failed = failed_story_names(failed_file.read_text(encoding="utf-8")) if failed_file.exists() else []
    result: dict[str, Any] = {"ran": True, "total": count_stories(stories), "failed": failed}
    if done.returncode != 0 and not failed:
        # Rasa stopped before judging the stories: no verdict can say they passed.
        result["ran"] = False
        result["error"] = log.read_text(errors="replace")[-1500:]
    return result

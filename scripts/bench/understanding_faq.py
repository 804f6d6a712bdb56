"""What a resident gets for a parse, as served: the catalogue selector's FAQ topic choice
(sotong/faq/selector.py, as actions/faq.py uses it), a ResponseSelector's topic for the comparison
model, and the calibration table the topic thresholds were picked from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

from scripts.bench.nlu_score import FALLBACK_INTENT

REFUSALS = {"out_of_scope", "ask_uncovered_matter", FALLBACK_INTENT}

_catalogue = None


def faq_threshold() -> str:
    from sotong.faq.selector import MIN_MARGIN, MIN_SCORE, MIN_SIMILARITY  # the values serving uses

    return f"MIN_SCORE {MIN_SCORE}, MIN_MARGIN {MIN_MARGIN}, MIN_SIMILARITY {MIN_SIMILARITY}"


def catalogue():
    """The district's FAQ catalogue, loaded once (scoring asks for it per utterance)."""
    global _catalogue
    if _catalogue is None:
        from sotong.faq import load_catalogue
        from sotong.settings import load_settings

        _catalogue = load_catalogue(load_settings().district_dir)
    return _catalogue


def topic_choice(text: str) -> tuple[str | None, bool, list[str]]:
    """What actions/faq.py picks for a typed FAQ question: (topic, confident?, top-3)."""
    from sotong.faq.selector import select

    ranked = select(catalogue(), text, 3)
    return (ranked[0].topic.id, ranked[0].confident, [c.topic.id for c in ranked]) if ranked else (None, False, [])


def rs_topic(pred: dict[str, Any]) -> str | None:
    """ResponseSelector's top topic, when the model has one (the comparison pipeline)."""
    sel = (pred.get("response_selector") or {}).get("faq") or {}
    key = str((sel.get("response") or {}).get("intent_response_key") or "")
    return key.split("/", 1)[-1] if "/" in key else None


def served(pred: dict[str, Any]) -> str:
    """What the resident gets: an intent, 'faq/<topic>' when a topic is answered, or 'refused'.

    A model with a ResponseSelector (the comparison pipeline) is scored on its own topic, unthresholded."""
    # as serving decides: a topic departments.yml names (119/112, crisis lines), else the selector's
    # sure topic, for `faq` and for the refusals the fallback second-guesses
    from actions.fallback import SECOND_OPINION
    from actions.faq import sure_topic, urgent_topic

    name = (pred.get("intent") or {}).get("name") or ""
    urgent = urgent_topic(catalogue(), pred.get("text") or "") if name == "faq" else None
    if urgent is not None:  # action_answer_faq answers urgent words first
        return f"faq/{urgent.id}"
    if name == "faq" and rs_topic(pred):
        return f"faq/{rs_topic(pred)}"
    if name == "faq" or name in SECOND_OPINION:
        topic = sure_topic(catalogue(), pred.get("text") or "")
        return f"faq/{topic.id}" if topic else "refused"
    if name in REFUSALS:
        return "refused"
    return name


def calibrate(ood_train: Path) -> dict[str, Any]:
    """The topic thresholds from training data only: each catalogue example and each refusal
    example (data/nlu/out_of_scope.yml) scored by a selector fitted without it (5 folds), and
    the out-of-domain training questions (which must be refused)."""
    from sotong.faq.selector import held_out_scores, select

    scores, refusals = held_out_scores(catalogue())
    ood = yaml.safe_load(ood_train.read_text(encoding="utf-8")) if ood_train.exists() else {}
    near = [select(catalogue(), t, 1)[0] for t in ood.get("near_scope") or []]
    rows = []
    for th in (-1.0, -0.5, -0.3):
        for margin in (0.0, 0.1, 0.2, 0.3):
            for sim in (0.0, 0.05, 0.10):

                def ok(c, th=th, margin=margin, sim=sim):
                    return c.score >= th and c.margin >= margin and c.similarity >= sim

                rows.append(
                    {
                        "threshold": th,
                        "margin": margin,
                        "similarity": sim,
                        "right": float(np.mean([ok(c) and right for c, right in scores])),
                        "wrong": float(np.mean([ok(c) and not right for c, right in scores])),
                        "refused": float(np.mean([not ok(c) for c, _ in scores])),
                        "refusals_accepted": float(np.mean([ok(c) for c in refusals])) if refusals else None,
                        "near_accepted": float(np.mean([ok(c) for c in near])) if near else None,
                    }
                )
    return {"held_out": len(scores), "refusals": len(refusals), "near": len(near), "rows": rows}

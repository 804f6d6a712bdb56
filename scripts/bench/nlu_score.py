"""How the NLU benchmark scores parse results against the test set, as `rasa test nlu` would."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import f1_score

FALLBACK_INTENT = "nlu_fallback"


def undo_fallback(pred: dict[str, Any]) -> tuple[str, bool]:
    """The classifier's intent as `rasa test nlu` scores it, and whether serving fell back."""
    name = (pred.get("intent") or {}).get("name")
    ranking = pred.get("intent_ranking") or []
    if name == FALLBACK_INTENT and len(ranking) >= 2:
        return ranking[1].get("name"), True
    return name, name == FALLBACK_INTENT


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | None]:
    p = tp / n_pred if n_pred else None
    r = tp / n_gold if n_gold else None
    if n_pred == 0 and n_gold == 0:
        f = None
    elif tp == 0:
        f = 0.0
    else:
        f = 2 * p * r / (p + r)  # type: ignore[operator]  (tp > 0: both are set)
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "pred": n_pred, "gold": n_gold}


def spans(entities: Sequence[dict[str, Any]] | None) -> set[tuple[Any, Any, Any]]:
    """(start, end, type) of each entity: what exact-span entity F1 compares."""
    return {(e.get("start"), e.get("end"), e.get("entity")) for e in entities or []}


def score(tests: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]], syn: dict[str, str]) -> dict[str, Any]:
    y_true = [t["intent"] for t in tests]
    y_pred, fell_back = [], 0
    for p in preds:
        name, fb = undo_fallback(p)
        y_pred.append(name or "")
        fell_back += fb
    labels = sorted(set(y_true))
    f1s = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    per_intent = {lab: float(f) for lab, f in zip(labels, f1s, strict=True)}
    support = Counter(y_true)

    def canon(v: Any) -> str:
        s = str(v)
        return syn.get(s.lower(), s)

    span_tp = span_pred = span_gold = 0
    val_tp = val_pred = val_gold = 0
    by_extractor: dict[Any, list[int]] = {}
    for t, p in zip(tests, preds, strict=True):
        gold = spans(t["entities"])
        got = spans(p.get("entities"))
        span_tp += len(gold & got)
        span_gold += len(gold)
        span_pred += len(got)
        gv = Counter((e["entity"], canon(e["value"])) for e in t["entities"])
        # Two extractors (DIET and RegexEntityExtractor) finding the same span count once.
        pred_unique = {
            (e.get("start"), e.get("end"), e.get("entity"), canon(e.get("value"))) for e in (p.get("entities") or [])
        }
        pv = Counter((ent, val) for _, _, ent, val in pred_unique)
        for ex in {e.get("extractor") for e in (p.get("entities") or [])} | set(by_extractor):
            mine = spans([e for e in (p.get("entities") or []) if e.get("extractor") == ex])
            c = by_extractor.setdefault(ex, [0, 0])
            c[0] += len(gold & mine)
            c[1] += len(mine)
        val_tp += sum((gv & pv).values())
        val_gold += sum(gv.values())
        val_pred += sum(pv.values())

    worst = sorted(per_intent.items(), key=lambda kv: (kv[1], kv[0]))[:3]
    confusions = Counter((a, b) for a, b in zip(y_true, y_pred, strict=True) if a != b).most_common(10)
    return {
        "n": len(tests),
        "intent_accuracy": sum(a == b for a, b in zip(y_true, y_pred, strict=True)) / len(tests),
        "intent_macro_f1": float(np.mean(list(per_intent.values()))),
        "per_intent_f1": per_intent,
        "per_intent_support": dict(support),
        "worst_intents": [{"intent": k, "f1": v, "support": support[k]} for k, v in worst],
        "top_confusions": [{"gold": a, "pred": b, "count": c} for (a, b), c in confusions],
        "fallback_rate": fell_back / len(tests),
        "entity_span": prf(span_tp, span_pred, span_gold),
        "entity_value": prf(val_tp, val_pred, val_gold),
        # Each extractor alone against all gold entities (the recall of one covers only its types).
        "entity_span_by_extractor": {str(ex): prf(tp, n, span_gold) for ex, (tp, n) in by_extractor.items()},
    }


def misses(tests: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The misclassified utterances and the entity misses, for the JSON."""
    return {
        "errors": [
            {
                "text": t["text"],
                "gold": t["intent"],
                "pred": undo_fallback(p)[0],
                "confidence": (p.get("intent") or {}).get("confidence"),
            }
            for t, p in zip(tests, preds, strict=True)
            if undo_fallback(p)[0] != t["intent"]
        ],
        "entity_misses": [
            {
                "text": t["text"],
                "gold": t["entities"],
                "pred": [{k: e.get(k) for k in ("start", "end", "entity", "value")} for e in p.get("entities") or []],
            }
            for t, p in zip(tests, preds, strict=True)
            if spans(t["entities"]) != spans(p.get("entities"))
        ],
    }

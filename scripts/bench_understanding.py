"""Understanding benchmark (issue 9): the release candidate vs. the previous release, same run.

On the held-out sets — tests/nlu_test.yml (services, chit-chat, entities), tests/nlu/faq_test/*.yml
(FAQ topics; gold intent ``faq`` + topic) and tests/nlu/near_scope_test.yml (구청 questions the bot
does not cover; the right outcome is a refusal) — measures, as served:

* intent macro-F1 over every intent of nlu_test + FAQ tests (FAQ tests count as ``faq``),
* FAQ top-1: the served answer is the right topic (intent ``faq``, no fallback, the catalogue
  selector's top-1 right and at or above sotong/faq/selector.py's MIN_SCORE),
* near-scope answered with a wrong service: any service intent or an *answered* FAQ topic,
* chit-chat handled (greet … show_menu, out_of_scope), entity F1 (exact span + type),
* full ``rasa train --force`` time, parse p50/p95 and the server's peak RSS.

``--calibrate`` adds the table the topic threshold was picked from: catalogue examples scored
by selectors fitted without them, and the out-of-domain training questions (never the tests).

    PYTHONPATH=. .venv/bin/python -m scripts.bench_understanding [--model M] [--previous P] [--calibrate]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import yaml
from sklearn.metrics import f1_score

from scripts.bench_nlu import (Parser, free_port, get_status, load_test, machine_info, proc_status, prf,
                               run_timed, stop, sub_env, tail, versions)
from scripts.benchdoc import replace_block

ROOT = Path(__file__).resolve().parent.parent
MARK_START = "<!-- bench:understanding:start -->"
MARK_END = "<!-- bench:understanding:end -->"
FALLBACK = "nlu_fallback"
REFUSALS = {"out_of_scope", FALLBACK}
CHITCHAT = ["greet", "goodbye", "thank", "affirm", "deny", "show_menu", "out_of_scope"]
NOT_A_SERVICE = set(CHITCHAT) | {FALLBACK}
TARGETS = [  # key, label, op, threshold, unit
    ("macro_f1", "intent macro-F1 (all intents)", ">=", 0.97, ""),
    ("faq_top1", "FAQ topic top-1 accuracy", ">=", 0.90, ""),
    ("near_wrong_rate", "near-scope answered with a wrong service", "<=", 0.03, ""),
    ("entity_f1", "entity F1 (exact span + type)", ">=", 0.92, ""),
    ("train_s", "full `rasa train --force`", "<", 240.0, "s"),
    ("parse_p95_ms", "parse p95", "<", 30.0, "ms"),
    ("peak_rss_mb", "serving peak RSS", "<", 1536.0, "MB"),
]
SERVER_START_TIMEOUT = 300
TRAIN_TIMEOUT = 2400


def say(msg: str) -> None:
    print(f"[bench_understanding {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- test sets

def load_faq_tests(folder: Path) -> List[Dict[str, Any]]:
    out = []
    for path in sorted(folder.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for topic, utts in (raw.get("tests") or {}).items():
            for u in utts or []:
                out.append({"text": str(u), "intent": "faq", "topic": str(topic), "entities": [], "set": "faq"})
    return out


def load_near_scope(path: Path) -> List[Dict[str, Any]]:
    """``near_scope:`` [{text, department_hint}] -> set 'near'; ``chit_chat:`` [text] -> set 'chit'.

    Both must be refused (never a service or a FAQ answer); chit-chat must get the ordinary
    out_of_scope answer."""
    if not path.exists():
        return []
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for key, which in (("near_scope", "near"), ("chit_chat", "chit")):
        for item in raw.get(key) or []:
            text = item.get("text") if isinstance(item, dict) else item
            hint = item.get("department_hint") if isinstance(item, dict) else None
            if text:
                out.append({"text": str(text), "intent": "out_of_scope", "entities": [], "set": which,
                            "hint": hint})
    return out


def load_all_tests(args) -> List[Dict[str, Any]]:
    tests = [dict(t, set="nlu") for t in load_test(args.test)]
    return tests + load_faq_tests(args.faq_tests) + load_near_scope(args.near_scope)


# --------------------------------------------------------------------------- serving

def faq_threshold() -> str:
    from sotong.faq.selector import MIN_SCORE, MIN_SIMILARITY  # the values serving uses
    return f"MIN_SCORE {MIN_SCORE}, MIN_SIMILARITY {MIN_SIMILARITY}"


_catalogue = None


def catalogue():
    global _catalogue
    if _catalogue is None:
        from sotong.faq import load_catalogue
        from sotong.settings import load_settings
        _catalogue = load_catalogue(load_settings().district_dir)
    return _catalogue


def topic_choice(text: str) -> Tuple[Optional[str], bool, List[str]]:
    """What actions/faq.py picks for a typed FAQ question: (topic, confident?, top-3)."""
    from sotong.faq.selector import select
    ranked = select(catalogue(), text, 3)
    return (ranked[0].topic.id, ranked[0].confident, [c.topic.id for c in ranked]) if ranked else (None, False, [])


def serve_and_parse(model: Path, texts: Sequence[str], work: Path) -> Dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    (work / "endpoints.yml").write_text("# none: in-memory tracker store, no action server\n")
    (work / "credentials.yml").write_text("rest:\n")
    port = free_port()
    cmd = [str(ROOT / ".venv/bin/rasa"), "run", "--enable-api", "-m", str(model), "--port", str(port),
           "-i", "127.0.0.1", "--endpoints", str(work / "endpoints.yml"),
           "--credentials", str(work / "credentials.yml")]
    proc, parser, res = None, Parser(port), {}
    try:
        with open(work / "server.log", "wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=ROOT, env=sub_env(work / "rasa-cache"), stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        while True:
            status = get_status(port)
            if status and (status.get("model_file") or status.get("model_id")):
                res["load_s"] = time.perf_counter() - t0
                break
            if proc.poll() is not None:
                raise RuntimeError(f"rasa run exited with {proc.returncode}\n{tail(work / 'server.log')}")
            if time.perf_counter() - t0 > SERVER_START_TIMEOUT:
                raise RuntimeError(f"server not ready\n{tail(work / 'server.log')}")
            time.sleep(0.1)
        for t in texts:  # warm-up
            parser.parse(t)
        preds, lat = [], []
        for t in texts:
            p, ms = parser.parse(t)
            preds.append(p)
            lat.append(ms)
        res["peak_rss_mb"] = proc_status(proc.pid)["VmHWM"] / 1024
    finally:
        parser.close()
        stop(proc)
    arr = np.array(lat)
    res.update(preds=preds, parse_p50_ms=float(np.percentile(arr, 50)), parse_p95_ms=float(np.percentile(arr, 95)))
    return res


# --------------------------------------------------------------------------- scoring

def classifier_intent(pred: Dict[str, Any]) -> str:
    """As `rasa test nlu` scores it: a fallback is undone to the classifier's top intent."""
    name = (pred.get("intent") or {}).get("name") or ""
    ranking = pred.get("intent_ranking") or []
    if name == FALLBACK and len(ranking) >= 2:
        return ranking[1].get("name") or ""
    return name


def rs_topic(pred: Dict[str, Any]) -> Optional[str]:
    """ResponseSelector's top topic, when the model has one (the comparison pipeline)."""
    sel = (pred.get("response_selector") or {}).get("faq") or {}
    key = str((sel.get("response") or {}).get("intent_response_key") or "")
    return key.split("/", 1)[-1] if "/" in key else None


def served(pred: Dict[str, Any], threshold: float) -> str:
    """What the resident gets: an intent, 'faq/<topic>' when a topic is answered, or 'refused'.

    A model with a ResponseSelector (the comparison pipeline) is scored on its own topic, unthresholded."""
    name = (pred.get("intent") or {}).get("name") or ""
    if name in REFUSALS:
        return "refused"
    if name == "faq" and rs_topic(pred):
        return f"faq/{rs_topic(pred)}"
    if name == "faq":
        topic, confident, _ = topic_choice(pred.get("text") or "")
        return f"faq/{topic}" if topic and confident else "refused"
    return name


def score(tests: Sequence[Dict[str, Any]], preds: Sequence[Dict[str, Any]], threshold: float) -> Dict[str, Any]:
    m: Dict[str, Any] = {}
    main = [(t, p) for t, p in zip(tests, preds) if t["set"] in ("nlu", "faq")]
    y_true = [t["intent"] for t, _ in main]
    y_pred = [classifier_intent(p) for _, p in main]
    labels = sorted(set(y_true))
    per = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    m["per_intent_f1"] = {lab: float(f) for lab, f in zip(labels, per)}
    m["macro_f1"] = float(np.mean(per))
    m["worst"] = sorted(m["per_intent_f1"].items(), key=lambda kv: kv[1])[:3]
    m["confusions"] = Counter(f"{a}->{b}" for a, b in zip(y_true, y_pred) if a != b).most_common(8)

    faq = [(t, p) for t, p in zip(tests, preds) if t["set"] == "faq"]
    if faq:
        ok = sum(served(p, threshold) == f"faq/{t['topic']}" for t, p in faq)
        sel_ok = sum(topic_choice(t["text"])[0] == t["topic"] for t, p in faq)
        top3 = sum(t["topic"] in topic_choice(t["text"])[2] for t, p in faq)
        rs = [rs_topic(p) for _, p in faq]
        if any(rs):
            m["faq_rs_top1"] = sum(r == t["topic"] for r, (t, _) in zip(rs, faq)) / len(faq)
        refused = sum(served(p, threshold) == "refused" for _, p in faq)
        m.update(faq_n=len(faq), faq_top1=ok / len(faq), faq_selector_top1=sel_ok / len(faq),
                 faq_selector_top3=top3 / len(faq), faq_refused=refused / len(faq),
                 faq_errors=[{"text": t["text"], "gold": t["topic"], "got": served(p, threshold)}
                             for t, p in faq if served(p, threshold) != f"faq/{t['topic']}"][:40])
    near = [(t, p) for t, p in zip(tests, preds) if t["set"] == "near"]
    if near:
        outcomes = [served(p, threshold) for _, p in near]
        wrong = [o for o in outcomes if o not in NOT_A_SERVICE and o != "refused"]
        m.update(near_n=len(near), near_wrong_rate=len(wrong) / len(near),
                 near_refused=outcomes.count("refused") / len(near),
                 near_wrong_by=Counter(o.split("/")[0] if o.startswith("faq/") else o for o in wrong).most_common(8),
                 near_errors=[{"text": t["text"], "got": o} for (t, _), o in zip(near, outcomes)
                              if o not in NOT_A_SERVICE and o != "refused"][:40])
    chit = [(t, p) for t, p in zip(tests, preds)
            if (t["set"] == "nlu" and t["intent"] in CHITCHAT) or t["set"] == "chit"]
    if chit:
        def handled(t, p):
            s = served(p, threshold)
            return s == t["intent"] or (t["intent"] == "out_of_scope" and s == "refused")
        m.update(chit_n=len(chit), chit_acc=sum(handled(t, p) for t, p in chit) / len(chit),
                 chit_errors=[{"text": t["text"], "got": served(p, threshold)} for t, p in chit
                              if not handled(t, p)][:20])
    hinted = [t for t in tests if t["set"] == "near" and t.get("hint")]
    if hinted:
        from sotong.faq import index_for, load_catalogue
        from sotong.settings import load_settings
        idx = index_for(load_catalogue(load_settings().district_dir, drafts=True))
        guesses = [idx.guess(t["text"]) for t in hinted]
        m["near_civic_guess"] = sum(g.civic for g in guesses) / len(hinted)
        m["near_department_hit"] = sum(bool(g.department) and g.department.split()[0] in t["hint"]
                                       for g, t in zip(guesses, hinted)) / len(hinted)
        chit_g = [idx.guess(t["text"]) for t in tests if t["set"] == "chit"]
        m["chit_civic_guess"] = sum(g.civic for g in chit_g) / len(chit_g) if chit_g else None
    tp = n_pred = n_gold = 0
    for t, p in zip(tests, preds):
        if t["set"] != "nlu":
            continue
        gold = {(e["start"], e["end"], e["entity"]) for e in t["entities"]}
        got = {(e.get("start"), e.get("end"), e.get("entity")) for e in (p.get("entities") or [])}
        tp, n_pred, n_gold = tp + len(gold & got), n_pred + len(got), n_gold + len(gold)
    m["entity_f1"] = prf(tp, n_pred, n_gold)["f1"]
    m["fallback_rate"] = sum((p.get("intent") or {}).get("name") == FALLBACK for _, p in main) / len(main)
    return m


# --------------------------------------------------------------------------- calibration

def calibrate(args) -> Dict[str, Any]:
    """The topic thresholds from training data only: each catalogue example scored by a selector
    fitted without it (5 folds), and the out-of-domain training questions (which must be refused)."""
    from sotong.faq.selector import held_out_scores, select
    scores = held_out_scores(catalogue())
    ood = yaml.safe_load(args.ood_train.read_text(encoding="utf-8")) if args.ood_train.exists() else {}
    near = [select(catalogue(), t, 1)[0] for t in ood.get("near_scope") or []]
    rows = []
    for th in (-1.0, -0.5, -0.4):
        for sim in (0.0, 0.05, 0.10, 0.15, 0.20):
            ok = lambda c: c.score >= th and c.similarity >= sim  # noqa: E731
            rows.append({"threshold": th, "similarity": sim,
                         "right": float(np.mean([ok(c) and right for c, right in scores])),
                         "wrong": float(np.mean([ok(c) and not right for c, right in scores])),
                         "refused": float(np.mean([not ok(c) for c, _ in scores])),
                         "near_accepted": float(np.mean([ok(c) for c in near])) if near else None})
    return {"held_out": len(scores), "near": len(near), "rows": rows}


# --------------------------------------------------------------------------- report

def fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "—"
    if unit == "ms" or unit == "s":
        return f"{v:.1f} {unit}"
    if unit == "MB":
        return f"{v:.0f} MB"
    return f"{v:.3f}"


def render(report: Dict[str, Any]) -> str:
    cols = [c for c in ("candidate", "previous", "responseselector") if c in report["models"]]
    d = report["data"]
    lines = [MARK_START, "## Understanding: FAQ, open-set answers (issue 9)", "",
             f"- **Date:** {report['date']} (runtime {report['runtime_s'] / 60:.1f} min); load average "
             f"{report['loadavg_start']} at start, {report['loadavg_end']} at end (machine shared with other work)",
             f"- **Machine:** {report['machine']['nproc']} cores, {report['machine']['ram_gb']} GB RAM; "
             + ", ".join(f"{k} {v}" for k, v in report["versions"].items() if k in ("rasa", "tensorflow")),
             f"- **Held-out tests:** `tests/nlu_test.yml` {d['nlu']} utterances, FAQ tests {d['faq']} "
             f"(`tests/nlu/faq_test/`, {d['faq_topics']} topics), near-scope {d['near']} and chit-chat "
             f"{d['chit']} (`tests/nlu/near_scope_test.yml`); none is in the training data (tests/tools/check_understanding_overlap.py)",
             f"- **candidate:** {report['candidate_desc']}",
             f"- **previous:** {report['previous_desc']}"]
    if "responseselector" in report["models"]:
        lines.append(f"- **responseselector:** {report['rs_desc']}")
    lines += ["",
             "| figure | " + " | ".join(cols) + " | target | candidate meets it? |",
             "|---|" + "---:|" * len(cols) + "---|---|"]
    for key, label, op, th, unit in TARGETS:
        vals = [report["models"][c].get(key) for c in cols]
        cand = report["models"].get("candidate", {}).get(key)
        if cand is None:
            met = "not measured"
        else:
            met = "**met**" if {">=": cand >= th, "<=": cand <= th, "<": cand < th}[op] else "**not met**"
        lines.append(f"| {label} | " + " | ".join(fmt(v, unit) for v in vals) + f" | {op} {th:g} {unit} | {met} |")
    extra = [("faq_selector_top1", "FAQ: catalogue selector top-1 (before threshold)"),
             ("faq_rs_top1", "FAQ: Rasa ResponseSelector top-1 (comparison pipeline)"),
             ("faq_selector_top3", "FAQ: right topic among the 3 buttons"),
             ("faq_refused", "FAQ questions refused (honest pointer instead)"),
             ("near_refused", "near-scope refused (honest pointer)"),
             ("chit_acc", "chit-chat handled (incl. out_of_scope)"),
             ("fallback_rate", "NLU fallback rate (nlu_test + FAQ)"),
             ("near_civic_guess", "near-scope: honest answer names a department"),
             ("near_department_hit", "near-scope: named department = test's hint"),
             ("chit_civic_guess", "chit-chat wrongly treated as civic"),
             ("load_s", "model load (s)")]
    for key, label in extra:
        vals = [report["models"][c].get(key) for c in cols]
        lines.append(f"| {label} | " + " | ".join(fmt(v, "s" if key == "load_s" else "") for v in vals) + " | | |")
    cand = report["models"].get("candidate", {})
    if cand.get("worst"):
        lines += ["", "Weakest intents (candidate): " + ", ".join(f"{k} {v:.2f}" for k, v in cand["worst"]) + "."]
    if cand.get("near_wrong_by"):
        lines += ["Near-scope answered wrongly with: " + ", ".join(f"{k} ×{n}" for k, n in cand["near_wrong_by"]) + "."]
    lines += ["", "### Serving design", "",
              "DIET predicts one intent, `faq`, for every catalogue topic; `action_answer_faq` then picks the "
              "topic with a character n-gram linear SVM fitted from the catalogue's own examples when it is "
              "loaded (sotong/faq/selector.py, under a second for 130 topics, refitted when staff save a file) "
              "and renders the answer, department, phone, online link and related-topic buttons from the "
              "catalogue. So answer edits go live without retraining, a new example or topic changes the topic "
              "choice without retraining, and `make train` pays nothing per topic."]
    rs = report["models"].get("responseselector")
    if rs and cand.get("faq_selector_top1") is not None:
        lines += ["", f"Why not Rasa's ResponseSelector: trained on the same data (retrieval intents `faq/<topic>`, "
                  f"60 epochs), it picked the right topic for {fmt(rs.get('faq_rs_top1'))} of the FAQ tests against "
                  f"{fmt(cand['faq_selector_top1'])} for the catalogue selector (right topic among the three buttons: "
                  f"{fmt(cand.get('faq_selector_top3'))})"
                  + (f", and its `rasa train nlu` took {report['rs_train_s']:.0f} s, against "
                     f"{cand['train_s']:.0f} s for the whole candidate `rasa train --force`" if report.get("rs_train_s")
                     and cand.get("train_s") else "") + "."]
    cal = report.get("calibration")
    if cal:
        lines += ["", f"### FAQ topic thresholds ({report['threshold']}), calibrated on training "
                  f"data only: {cal['held_out']} catalogue examples each scored by a selector fitted without "
                  f"it (5 folds), and {cal['near']} out-of-domain training questions", "",
                  "| MIN_SCORE | MIN_SIMILARITY | held-out examples: right topic answered | wrong topic answered "
                  "| refused | out-of-domain questions that would get an answer (if the NLU let them through) |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for r in cal["rows"]:
            lines.append(f"| {r['threshold']:.1f} | {r['similarity']:.2f} | {fmt(r['right'])} | {fmt(r['wrong'])} | {fmt(r['refused'])} "
                         f"| {fmt(r['near_accepted'])} |")
    lines += ["", "### How the figures are taken", "",
              "- Every model is served with `rasa run --enable-api` and every test utterance parsed once to warm "
              "up and once timed (`POST /model/parse`, one keep-alive loopback connection).",
              "- *intent macro-F1*: over every intent in nlu_test + FAQ tests (gold `faq`), with a `nlu_fallback` "
              "undone to the classifier's top intent, as `rasa test nlu` does. The previous release has no `faq` "
              "intent, so its `faq` F1 is 0.",
              f"- *FAQ top-1*: the served answer is the right topic: intent `faq` (no fallback), the catalogue "
              f"selector's top-1 right and confident ({report['threshold']}, sotong/faq/selector.py); "
              "below it the bot refuses honestly and offers the candidates as buttons.",
              "- *near-scope answered with a wrong service*: the served outcome is a service intent or an "
              "answered FAQ topic (a refusal, out_of_scope, fallback or chit-chat is not wrong).",
              "- *full train*: `rasa train --force` (NLU + dialogue) into a fresh dir with an empty cache.",
              "- *peak RSS*: VmHWM of the `rasa run` process after the parse run.",
              "", "Reproduce: `PYTHONPATH=. .venv/bin/python -m scripts.bench_understanding` "
              "(`make bench` runs it with `--calibrate --rs`: the threshold table and the ResponseSelector comparison, "
              "~20 min). Raw figures and misanswered utterances: "
              "`results/bench_understanding.json`.", MARK_END]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- ResponseSelector comparison

def train_rs(args, tmp: Path) -> Tuple[Path, float]:
    """`rasa train nlu` of the same NLU data with retrieval intents faq/<topic> and a ResponseSelector."""
    import rasa.shared.data
    import rasa.shared.utils.io
    from sotong.faq.build import build
    from sotong.settings import load_settings
    data = tmp / "rs-data"
    files = [Path(f) for d in args.data for f in rasa.shared.data.get_data_files([str(d)], rasa.shared.data.is_nlu_file)]
    for i, f in enumerate(sorted(set(files))):
        if f.name != "faq.yml":
            (data / "nlu").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, data / "nlu" / f"{i:02d}-{f.name}")
    build(load_settings().district_dir, data, retrieval=True)
    cfg = rasa.shared.utils.io.read_yaml_file(args.config)
    at = next(i for i, c in enumerate(cfg["pipeline"]) if c.get("name") == "FallbackClassifier")
    cfg["pipeline"].insert(at, {"name": "ResponseSelector", "retrieval_intent": "faq", "epochs": 60,
                                "constrain_similarities": True, "random_seed": 42})
    rasa.shared.utils.io.write_yaml(cfg, tmp / "config-rs.yml")
    say("responseselector: rasa train nlu (same data, retrieval intents, + ResponseSelector 60 epochs)")
    secs = run_timed([str(ROOT / ".venv/bin/rasa"), "train", "nlu", "--config", str(tmp / "config-rs.yml"), "--nlu",
                      str(data), "--out", str(tmp / "rs-models"), "--fixed-model-name", "rs"],
                     sub_env(tmp / "rs-cache"), tmp / "rs-train.log", TRAIN_TIMEOUT)
    say(f"responseselector: trained in {secs:.1f} s")
    return tmp / "rs-models" / "rs.tar.gz", secs


# --------------------------------------------------------------------------- main

def evaluate(name: str, model: Path, tests, tmp: Path, threshold: float) -> Dict[str, Any]:
    say(f"{name}: serving {model.name}, parsing {len(tests)} utterances twice")
    res = serve_and_parse(model, [t["text"] for t in tests], tmp / f"serve-{name}")
    m = score(tests, res.pop("preds"), threshold)
    if name != "candidate":  # these depend on the catalogue code, not on the model
        for key in ("faq_selector_top1", "faq_selector_top3", "near_civic_guess", "near_department_hit",
                    "chit_civic_guess"):
            m.pop(key, None)
    m.update(res)
    say(f"{name}: macro-F1 {m['macro_f1']:.3f}, FAQ top-1 {m.get('faq_top1')}, near wrong {m.get('near_wrong_rate')}")
    return m


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", type=Path, default=ROOT / "config.yml")
    ap.add_argument("--domain", type=Path, default=ROOT / "domain.yml")
    ap.add_argument("--data", type=Path, nargs="+", default=[ROOT / "data"])
    ap.add_argument("--model", type=Path, help="evaluate this candidate model instead of training one")
    ap.add_argument("--previous", type=Path, default=ROOT / "models/sotong.tar.gz",
                    help="the previous release (copied to a temp dir at start); 'none' to skip")
    ap.add_argument("--test", type=Path, default=ROOT / "tests/nlu_test.yml")
    ap.add_argument("--faq-tests", type=Path, default=ROOT / "tests/nlu/faq_test")
    ap.add_argument("--near-scope", type=Path, default=ROOT / "tests/nlu/near_scope_test.yml")
    ap.add_argument("--calibrate", action="store_true", help="also calibrate the FAQ threshold on held-out training data")
    ap.add_argument("--ood-train", type=Path, default=ROOT / "tests/nlu/out_of_domain_train.yml")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=ROOT / "results/bench_understanding.json")
    ap.add_argument("--no-doc", action="store_true")
    ap.add_argument("--rs", action="store_true", help="also train and evaluate the same pipeline with Rasa's "
                    "ResponseSelector (retrieval intents faq/<topic>) for the design comparison")
    ap.add_argument("--rs-model", type=Path, help="also evaluate this model with Rasa's ResponseSelector "
                    "(trained from `python -m sotong.faq.build --retrieval` data) for the design comparison")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, load0 = time.perf_counter(), " ".join(f"{x:.2f}" for x in os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="bench_und_", dir="/tmp"))
    threshold = faq_threshold()
    report: Dict[str, Any] = {"models": {}, "threshold": threshold}
    try:
        previous = None
        if str(args.previous) != "none" and args.previous.exists():
            previous = tmp / "previous.tar.gz"
            shutil.copyfile(args.previous, previous)  # others may retrain it while we run
        tests = load_all_tests(args)
        sets = Counter(t["set"] for t in tests)
        report["data"] = {"nlu": sets["nlu"], "faq": sets["faq"], "near": sets["near"], "chit": sets["chit"],
                          "faq_topics": len({t.get("topic") for t in tests if t["set"] == "faq"})}
        if args.calibrate:
            report["calibration"] = calibrate(args)
        if args.model:
            model, train_s = args.model, None
            report["candidate_desc"] = f"`{args.model}` (given, not trained here)"
        else:
            say("candidate: rasa train --force (NLU + dialogue), fresh cache")
            out = tmp / "models"
            cmd = [str(ROOT / ".venv/bin/rasa"), "train", "--force", "--config", str(args.config), "--domain",
                   str(args.domain), "--data", *map(str, args.data), "--out", str(out),
                   "--fixed-model-name", "candidate"]
            train_s = run_timed(cmd, sub_env(tmp / "train-cache"), tmp / "train.log", TRAIN_TIMEOUT)
            model = out / "candidate.tar.gz"
            report["candidate_desc"] = (f"trained here from `{args.config.name}`, domain `{args.domain.name}`, "
                                        f"data {', '.join('`%s`' % p for p in args.data)}")
            say(f"candidate trained in {train_s:.1f} s")
        report["models"]["candidate"] = dict(evaluate("candidate", model, tests, tmp, threshold), train_s=train_s)
        if previous:
            report["previous_desc"] = "`models/sotong.tar.gz` as found at the start (the previous release)"
            report["models"]["previous"] = evaluate("previous", previous, tests, tmp, threshold)
        else:
            report["previous_desc"] = "not measured"
        if args.rs and not args.rs_model:
            args.rs_model, report["rs_train_s"] = train_rs(args, tmp)
        if args.rs_model:
            report["rs_desc"] = (f"`{args.rs_model.name}`: the same pipeline plus Rasa's ResponseSelector "
                                 "(retrieval intents faq/<topic>), topic = its top-1 without threshold")
            report["models"]["responseselector"] = evaluate("responseselector", args.rs_model, tests, tmp, threshold)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report.update(date=dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"), machine=machine_info(),
                  versions=versions(), loadavg_start=load0,
                  loadavg_end=" ".join(f"{x:.2f}" for x in os.getloadavg()),
                  runtime_s=time.perf_counter() - started)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    if not args.no_doc:
        replace_block(args.doc, MARK_START, MARK_END, render(report))
    say(f"wrote {args.json}" + ("" if args.no_doc else f" and {args.doc}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

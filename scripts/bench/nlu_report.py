"""The NLU benchmark's block of docs/benchmarks.md: the figures, the verdicts on issue 2's targets,
and how the figures are taken."""

from __future__ import annotations

from typing import Any

from devkit.benchdoc import markers, meets
from scripts.bench.nlu_eval import fmt
from scripts.bench.nlu_pipelines import QUICK_EPOCHS

MARK_START, MARK_END = markers("nlu")

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


def check_targets(chosen: dict[str, Any] | None, full_train_s: float | None) -> list[dict[str, Any]]:
    rows = []
    for key, label, op, threshold, unit in TARGETS:
        value = full_train_s if key == "full_train_s" else (chosen or {}).get(key)
        met = meets(value, op, threshold)
        rows.append(
            {"key": key, "label": label, "op": op, "threshold": threshold, "unit": unit, "value": value, "met": met}
        )
    return rows


def render_block(report: dict[str, Any]) -> str:
    quick = report["quick"]
    m, d = report["machine"], report["data"]
    lines = [MARK_START, "## NLU pipelines", ""]
    if quick:
        lines += [
            "> **QUICK RUN — not representative.** DIET capped at "
            f"{QUICK_EPOCHS} epochs, only {d['test_examples_used']} of {d['test_examples']} test "
            "utterances, no full `rasa train`. Smoke test of the benchmark only; do not quote "
            "these figures.",
            "",
        ]
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
        + (
            f"; {d['test_examples_used']} of them used in this run ({d['test_entities_used']} entities, "
            f"{d['test_intents_used']} intents)"
            if d["test_examples_used"] != d["test_examples"]
            else ""
        )
        + f"; data digest `{d['digest']}`",
        "- **Load:** 1-min load average before each pipeline: "
        + ", ".join(f"{r['name']} {r['loadavg_before']:.2f}" for r in report["pipelines"] if "loadavg_before" in r),
        "",
    ]
    if d.get("changed_during_run"):
        lines += [
            "> **Warning:** the training/test data or config.yml changed while this run was in "
            "progress; pipelines may have seen different data.",
            "",
        ]
    lines += [
        "| pipeline | tokenizer | DIET epochs | train (s) | load (s) | parse p50 (ms) | parse p95 (ms) "
        "| peak RSS (MB) | intent acc | intent macro-F1 | entity F1 | entity value F1 | fallback rate "
        "| worst 3 intents (F1) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["pipelines"]:
        if "error" in r:
            lines.append(
                f"| {r['name']} | {r['tokenizer']} | {r.get('epochs', '—')} | "
                f"failed: {r['error'].splitlines()[0][:120]} |" + " |" * 10
            )
            continue
        worst = ", ".join(f"{w['intent']} {w['f1']:.2f}" for w in r["metrics"]["worst_intents"])
        fb = fmt(r["metrics"]["fallback_rate"], 3) if r["has_fallback_classifier"] else "— (none)"
        lines.append(
            f"| {r['name']} | {r['tokenizer']} | {r['epochs']} | {r['train_s']:.1f} | {r['load_s']:.1f} | "
            f"{r['parse_p50_ms']:.1f} | {r['parse_p95_ms']:.1f} | {r['peak_rss_mb']:.0f} | "
            f"{fmt(r['intent_accuracy'])} | {fmt(r['intent_macro_f1'])} | {fmt(r['entity_f1'])} | "
            f"{fmt(r['entity_value_f1'])} | {fb} | {worst} |"
        )
    lines.append("")
    ft = report.get("full_train")
    if ft is None:
        lines.append(
            "Full `rasa train --force` (NLU + dialogue, config.yml): not run" + (" (--quick)." if quick else ".")
        )
    elif "error" in ft:
        lines.append(f"Full `rasa train --force` (NLU + dialogue, config.yml): failed — {ft['error'].splitlines()[0]}")
    else:
        lines.append(
            f"Full `rasa train --force` (NLU + dialogue, config.yml, fresh cache): "
            f"**{ft['train_s']:.1f} s** ({ft['train_s'] / 60:.1f} min)."
        )
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
        "once to warm up, then every test utterance once more, sequentially; client-side round trip; "
        "p50/p95 nearest-rank.",
        "- *accuracy*: from those timed parses against the test set. As in `rasa test nlu`, a "
        "`nlu_fallback` prediction is undone (the classifier's top intent is scored); the *fallback "
        "rate* is how often serving would have answered with the fallback instead. Macro-F1 is over "
        "the intents present in the test set. Entity F1 is micro, exact start/end/type; value F1 "
        "compares (type, value) after mapping both sides through the training synonyms.",
        "- *peak RSS*: VmHWM of the `rasa run` process after the parse run"
        + (
            ""
            if not any(r.get("child_processes") for r in report["pipelines"] if "error" not in r)
            else " (its child processes are listed in the JSON)"
        )
        + ".",
        "- *baseline*: Rasa's packaged default pipeline (WhitespaceTokenizer, RegexFeaturizer, "
        "LexicalSyntacticFeaturizer, CountVectorsFeaturizer words + char_wb 1–4, DIETClassifier, "
        "EntitySynonymMapper; ResponseSelector and FallbackClassifier left out) with the chosen "
        "config's DIET epochs. The analyzer variants are config.yml with only `analyzer` changed.",
        "",
        "Reproduce: `make bench`, or in the checkout `PYTHONPATH=. .venv/bin/python -m scripts.bench_nlu` "
        "(`--quick` for a smoke test, `--only chosen baseline` for a subset). Raw figures, per-intent F1, "
        "misclassified utterances: `results/bench_nlu.json`.",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"

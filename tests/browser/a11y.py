"""axe-core (vendored, MPL-2.0: vendor/axe-core/) run inside the page under test.

The script is evaluated through the DevTools protocol, which the page's
Content-Security-Policy does not apply to, so the page keeps its real CSP while checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = ("serious", "critical")


def run_axe(page: Any) -> dict[str, Any]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;void 0")
    version = page.evaluate("() => window.axe.version")
    assert version == AXE_VERSION, f"vendored axe-core is {version}, expected {AXE_VERSION}"
    return page.evaluate(
        "async (tags) => await window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )


def summary(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        targets = [", ".join(n.get("target", [])) for n in v.get("nodes", [])][:5]
        lines.append(f"[{v.get('impact')}] {v.get('id')}: {v.get('help')} → {targets}")
    return "\n".join(lines)


def blocking(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in results.get("violations", []) if v.get("impact") in BLOCKING]


def save(results: dict[str, Any], path: Path) -> None:
    slim = [
        {
            "id": v["id"],
            "impact": v.get("impact"),
            "help": v.get("help"),
            "targets": [n.get("target") for n in v["nodes"]],
        }
        for v in results.get("violations", [])
    ]
    path.write_text(json.dumps(slim, ensure_ascii=False, indent=2), encoding="utf-8")

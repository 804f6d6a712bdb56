"""Import boundaries, read from the source with ``ast`` (nothing is imported or run).

Adapters — the Rasa actions, the web app, the channel connectors and every CLI — reach
the civic core through its public API only; the complaint core and the notification
delivery do not import each other both ways.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The core areas whose internals adapters must not reach into, and their public API
# (README, layout section). Other sotong modules (directory, faq, district, formatting,
# settings, db, ...) are outside this rule.
GUARDED = ("sotong.complaints", "sotong.notifications", "sotong.privacy")
PUBLIC = {
    "sotong.complaints",  # the package itself (``from sotong.complaints import service``)
    "sotong.complaints.service",  # one call per event, reads, and what adapters need re-exported
    "sotong.complaints.errors",  # domain errors: field, limit, code
    "sotong.complaints.views",  # ComplaintView, CategoryView
    "sotong.notifications.dispatcher",  # deliver_due, requeue (the worker)
    "sotong.notifications.senders",  # sender_from_env
    "sotong.notifications.masking",  # phone masking for logs and staff output
    "sotong.privacy.verification",  # phone verification codes
    "sotong.privacy.tracker_store",  # scrubbing numbers from a conversation
    "sotong.privacy.retention",  # the retention purge
    "sotong.privacy.cli",  # purge_and_print, shared by the worker
}
# Named in issue 8: never from an adapter, whatever the list above becomes.
NEVER = {
    "sotong.complaints.queries",
    "sotong.complaints.free_text",
    "sotong.complaints.validation",
    "sotong.complaints.lifecycle",
    "sotong.complaints.models",
    "sotong.notifications.models",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_module(dotted: str) -> bool:
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imports_of(path: Path) -> Iterator[tuple[int, str]]:
    """Every module a file imports, at any depth (lazy imports in functions count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module_name(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                module = ".".join(base + ([module] if module else []))
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                yield node.lineno, candidate if _is_module(candidate) else module


def adapter_files() -> list[Path]:
    files = [p for d in ("actions", "web", "connectors") for p in (ROOT / d).rglob("*.py")]
    files += [ROOT / "sotong" / "cli.py"] + sorted((ROOT / "sotong").glob("*/cli.py"))
    return sorted(p for p in files if p.is_file())


def _guarded(name: str) -> bool:
    return any(name == area or name.startswith(area + ".") for area in GUARDED)


def test_the_checker_sees_what_it_should():
    # A check that cannot fail is no check: the parser must see each form of import.
    here = {name for _, name in imports_of(Path(__file__))}
    assert "ast" in here and "pathlib" in here
    files = {p.relative_to(ROOT).as_posix() for p in adapter_files()}
    assert {
        "actions/complaints/report.py",
        "web/staff_api.py",
        "sotong/complaints/cli.py",
        "sotong/cli.py",
        "sotong/notifications/cli.py",
    } <= files
    assert _is_module("sotong.complaints.service") and not _is_module("sotong.complaints.service.file_complaint")


def test_adapters_use_only_the_public_core_api():
    wrong = []
    for path in adapter_files():
        for line, name in imports_of(path):
            if name in NEVER or (_guarded(name) and name not in PUBLIC):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert wrong == [], "adapters must use the public API modules:\n" + "\n".join(wrong)


def _area_imports(area: str, other: str) -> list[str]:
    found = []
    for path in sorted((ROOT / Path(*area.split("."))).rglob("*.py")):
        for line, name in imports_of(path):
            if name == other or name.startswith(other + "."):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return found


def test_the_complaint_core_does_not_import_notification_delivery():
    assert _area_imports("sotong.complaints", "sotong.notifications") == []


def test_notification_delivery_reads_the_outbox_port_only():
    # Delivery reads the outbox the complaint history fills (and its CLI uses the API);
    # nothing else of the complaint core, so the dependency stays one-way and narrow.
    allowed = (
        "sotong.complaints.outbox",
        "sotong.complaints.stage_messages",
        "sotong.complaints.service",
        "sotong.complaints",
    )
    found = [
        line
        for line in _area_imports("sotong.notifications", "sotong.complaints")
        if not line.endswith(tuple(f"imports {a}" for a in allowed))
    ]
    assert found == []


def _imports_under(folder: str) -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, name in imports_of(path):
            found.append((str(path.relative_to(ROOT)), line, name))
    return found


def test_tooling_never_imports_tests_and_the_product_never_imports_tooling():
    # Benchmarks and the kit share code through devkit/, never through tests/; the product
    # (core, actions, channels, web) runs without the developer kit installed.
    leaks = [
        f"{f}:{n} imports {m}"
        for area in ("scripts", "devkit")
        for f, n, m in _imports_under(area)
        if m == "tests" or m.startswith("tests.")
    ]
    leaks += [
        f"{f}:{n} imports {m}"
        for area in ("sotong", "actions", "connectors", "web")
        for f, n, m in _imports_under(area)
        if m == "devkit" or m.startswith("devkit.")
    ]
    assert leaks == []


def test_no_module_mutes_logging_for_the_whole_process_at_import():
    # A module-level logging.disable() in a checker once hid every later test's warnings.
    offenders = []
    for area in ("sotong", "actions", "connectors", "web", "devkit", "tests"):
        for path in sorted((ROOT / area).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in tree.body:
                if isinstance(node, ast.Expr) and "logging.disable(" in ast.unparse(node):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []

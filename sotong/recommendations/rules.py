"""Recommendation rules as data (``district/<name>/recommendations.yml``) and the engine that applies them.

Pure and deterministic: given the rules and the resident's signals (what they filed,
asked, opened and pinned), the same recommendations come out in the same order — so
every rule is unit-tested with plain values, no database and no model.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

COMPLAINT, INTENT, FAQ, TAP, FAVOURITE = "complaint", "intent", "faq", "tap", "favourite"
KINDS = (COMPLAINT, INTENT, FAQ, TAP, FAVOURITE)
ANY = "*"  # in a rule: any value of that kind
RULES_FILE = "recommendations.yml"


class RulesError(ValueError):
    """recommendations.yml is wrong; the message names the rule and key."""


@dataclass(frozen=True)
class Signal:
    kind: str  # one of KINDS
    value: str  # a category code, intent name, FAQ topic id or service id
    at: datetime | None = None  # naive UTC; None = no time known (favourites)


@dataclass(frozen=True)
class Rule:
    id: str
    service: str
    reason: str
    when: tuple[tuple[str, frozenset[str]], ...]

    def matches(self, signal: Signal) -> bool:
        return any(kind == signal.kind and (ANY in values or signal.value in values) for kind, values in self.when)


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    window_days: int = 30
    max_shown: int = 4


@dataclass(frozen=True)
class Recommendation:
    service_id: str
    reason: str
    rule_id: str


def parse_rules(raw: dict, where: str = RULES_FILE) -> RuleSet:
    problems: list[str] = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, item in enumerate(raw.get("rules") or []):
        at = f"{where}: rules[{i}]"
        if not isinstance(item, dict):
            problems.append(f"{at}: must be a mapping")
            continue
        rule_id, service, reason = (str(item.get(k) or "").strip() for k in ("id", "service", "reason"))
        for key, value in (("id", rule_id), ("service", service), ("reason", reason)):
            if not value:
                problems.append(f"{at}: '{key}' is missing")
        if rule_id in seen:
            problems.append(f"{at}: id '{rule_id}' is used twice")
        seen.add(rule_id)
        when = item.get("when")
        if not isinstance(when, dict) or not when:
            problems.append(f"{at}: 'when' must map signal kinds to lists of values")
            continue
        unknown = sorted(set(map(str, when)) - set(KINDS))
        if unknown:
            problems.append(f"{at}: unknown signal kind(s) {unknown}; use {list(KINDS)}")
        pairs = tuple((str(k), frozenset(str(v) for v in (vals or ()))) for k, vals in when.items())
        rules.append(Rule(rule_id, service, reason, pairs))
    if problems:
        raise RulesError("; ".join(problems))
    return RuleSet(tuple(rules), int(raw.get("window_days") or 30), int(raw.get("max_shown") or 4))


def load_rules(district_dir: Path) -> RuleSet:
    """The district's rules; none (no file) is valid and recommends nothing."""
    path = Path(district_dir) / RULES_FILE
    if not path.exists():
        return RuleSet(())
    return parse_rules(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, path.name)


def _newest(times: Iterable[datetime | None]) -> datetime:
    known = [t for t in times if t is not None]
    return max(known) if known else datetime.min


def recommend(
    rules: RuleSet, signals: Iterable[Signal], exclude: Iterable[str] = (), limit: int | None = None
) -> list[Recommendation]:
    """Recommendations for these signals: newest trigger first, then file order; one per service;
    never a service in ``exclude`` (already pinned)."""
    signals = list(signals)
    skip = set(exclude)
    fired: list[tuple[datetime, int, Rule]] = []
    for order, rule in enumerate(rules.rules):
        if rule.service in skip:
            continue
        hits = [s for s in signals if rule.matches(s)]
        if hits:
            fired.append((_newest(s.at for s in hits), order, rule))
    fired.sort(key=lambda item: (-(item[0] - datetime.min).total_seconds(), item[1]))
    out: list[Recommendation] = []
    for _, _, rule in fired:
        if any(r.service_id == rule.service for r in out):
            continue
        out.append(Recommendation(rule.service, rule.reason, rule.id))
    return out[: rules.max_shown if limit is None else limit]

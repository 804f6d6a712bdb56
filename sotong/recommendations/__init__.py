"""Recommended menus from what the resident filed, asked, opened and pinned (issue 10).

Rules are district data (recommendations.yml, sotong.recommendations.rules); signals are
read on the district's server (sotong.recommendations.signals); a resident can switch
them off (sotong.residents.activity). Rasa-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from sotong.deadlines import now_utc, to_db
from sotong.recommendations.rules import Recommendation, RuleSet, Signal, load_rules, recommend
from sotong.recommendations.signals import all_signals
from sotong.residents.activity import recommendations_on
from sotong.residents.favourites import list_favourites
from sotong.search.catalogue import load_services
from sotong.settings import load_settings

__all__ = ["Recommendation", "RuleSet", "Signal", "Suggested", "load_rules", "recommend", "recommendations_for"]


@dataclass(frozen=True)
class Suggested:
    """A recommendation ready for the page: the service to open and why."""

    enabled: bool
    items: tuple[dict[str, str], ...]  # {id, kind, title, payload, area, reason, rule}


def recommendations_for(
    session: Session, resident_id: int, now: datetime | None = None, district_dir: Path | None = None
) -> Suggested:
    if not recommendations_on(session, resident_id):
        return Suggested(False, ())
    district_dir = Path(district_dir or load_settings().district_dir)
    rules = load_rules(district_dir)
    catalogue = load_services(district_dir)
    since = to_db(now or now_utc()) - timedelta(days=rules.window_days)
    found = recommend(rules, all_signals(session, resident_id, since), exclude=list_favourites(session, resident_id))
    items = []
    for rec in found:
        service = catalogue.get(rec.service_id)
        if service is not None:  # a rule naming a topic staff removed since: skip it, never fail
            items.append({**service.as_dict(), "reason": rec.reason, "rule": rec.rule_id})
    return Suggested(True, tuple(items))

"""Every recommendation rule of the district, and the engine's order, dedup and exclusions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sotong.recommendations.rules import (
    KINDS,
    Rule,
    RulesError,
    RuleSet,
    Signal,
    load_rules,
    parse_rules,
    recommend,
)
from sotong.search.catalogue import load_services
from sotong.settings import load_settings

RULES = load_rules(load_settings().district_dir)
T0 = datetime(2026, 11, 1, 9, 0)


def test_district_rules_name_real_services_and_speak_haeyo():
    catalogue = load_services()
    assert RULES.rules, "the district has rules"
    for rule in RULES.rules:
        assert catalogue.get(rule.service) is not None, rule.id
        assert rule.reason.endswith(("서", "요")), rule.reason  # "…하셔서", "…드려요", "…보세요"
        assert {kind for kind, _ in rule.when} <= set(KINDS)


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_each_rule_fires_on_each_of_its_signals(rule):
    for kind, values in rule.when:
        for value in values:
            signal = Signal(kind, "illegal_parking" if value == "*" else value, T0)
            found = recommend(RuleSet((rule,)), [signal])
            assert [(r.service_id, r.reason, r.rule_id) for r in found] == [(rule.service, rule.reason, rule.id)]


@pytest.mark.parametrize("rule", RULES.rules, ids=lambda r: r.id)
def test_each_rule_stays_quiet_otherwise(rule):
    unrelated = [Signal("intent", "greet", T0), Signal("tap", "ask_office_hours", T0), Signal("faq", "vehicle_tax", T0)]
    assert recommend(RuleSet((rule,)), unrelated) == []


def test_issue_examples():
    def services(*signals):
        return [r.service_id for r in recommend(RULES, signals)]

    parking = recommend(RULES, [Signal("complaint", "illegal_parking", T0)])
    assert parking[0].service_id == "ask_parking_enforcement" and parking[0].reason == "최근 주정차 신고를 하셔서"
    assert services(Signal("intent", "ask_jobs", T0))[0] == "ask_jobs"
    assert services(Signal("faq", "move_in_report", T0))[0] == "ask_news"
    assert services(Signal("tap", "faq:move_in_report", T0))[0] == "ask_news"
    assert services() == []


def test_newest_signal_first_then_file_order():
    jobs, news = Signal("intent", "ask_jobs", T0), Signal("faq", "move_in_report", T0 + timedelta(days=1))
    # Both move-in rules fired on the newer signal: they come first, in file order; jobs after.
    assert [r.service_id for r in recommend(RULES, [jobs, news])][:3] == [
        "ask_news",
        "faq:waste_putout_time",
        "ask_jobs",
    ]
    same_time = [Signal("intent", "ask_jobs", T0), Signal("faq", "move_in_report", T0)]
    order = [r.id for r in RULES.rules]
    first = min(("job_seeker", "new_resident_news"), key=order.index)
    assert recommend(RULES, same_time)[0].rule_id == first


def test_pinned_services_are_not_recommended_and_one_per_service():
    found = recommend(RULES, [Signal("complaint", "illegal_parking", T0)], exclude=["ask_parking_enforcement"])
    assert "ask_parking_enforcement" not in [r.service_id for r in found]
    twice = RuleSet(
        (
            Rule("a", "ask_jobs", "A", (("intent", frozenset({"x"})),)),
            Rule("b", "ask_jobs", "B", (("tap", frozenset({"y"})),)),
        )
    )
    assert [r.rule_id for r in recommend(twice, [Signal("intent", "x", T0), Signal("tap", "y", T0)])] == ["a"]


def test_bounded():
    everything = [Signal(kind, value, T0) for rule in RULES.rules for kind, values in rule.when for value in values]
    assert len(recommend(RULES, everything)) == RULES.max_shown
    assert len(recommend(RULES, everything, limit=1)) == 1


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({"rules": [{"id": "a", "service": "s", "reason": "r", "when": {"mood": ["x"]}}]}, "unknown signal kind"),
        ({"rules": [{"id": "a", "service": "s", "when": {"tap": ["x"]}}]}, "'reason' is missing"),
        ({"rules": [{"id": "a", "service": "s", "reason": "r"}]}, "'when'"),
        ({"rules": [{"id": "a", "service": "s", "reason": "r", "when": {"tap": ["x"]}}] * 2}, "used twice"),
        ({"rules": ["just text"]}, "must be a mapping"),
    ],
)
def test_bad_rules_are_reported(raw, problem):
    with pytest.raises(RulesError, match=problem):
        parse_rules(raw)


def test_no_file_recommends_nothing(tmp_path):
    assert load_rules(tmp_path).rules == ()

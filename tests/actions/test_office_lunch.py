"""The lunch hour as profile.yml's office_hours.lunch_window says: open, closed, or not stated
(then the bot gives the hour and the number to ask, never "the window is open")."""

from __future__ import annotations

import shutil

import pytest
import yaml

from actions.office_hours import ActionOfficeHours
from sotong.district import ProfileError, load_profile
from sotong.settings import PROJECT_ROOT
from tests.actions.conftest import make_tracker
from tests.actions.test_answers import clock, run

LUNCH = [{"entity": "office_facet", "value": "lunch", "start": 3, "end": 7}]


@pytest.fixture
def district(tmp_path, monkeypatch):
    """A copy of the sample district whose profile.yml the test rewrites."""
    folder = tmp_path / "district"
    shutil.copytree(PROJECT_ROOT / "district" / "incheon-seogu", folder)
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(folder))

    def with_lunch_window(value):
        path = folder / "profile.yml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        raw["office_hours"].pop("lunch_window", None)
        if value is not None:
            raw["office_hours"]["lunch_window"] = value
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        return folder

    return with_lunch_window


def said(domain, when, text, entities=()):
    d, _ = run(ActionOfficeHours(clock(*when)), make_tracker(text, "ask_office_hours", list(entities)), domain)
    return [m["response"] for m in d.messages]


@pytest.mark.parametrize(
    ("window", "asked", "note"),
    [
        ("open", "utter_office_lunch", "utter_office_lunch_note_open"),
        ("closed", "utter_office_lunch_closed", "utter_office_lunch_note_closed"),
        (None, "utter_office_lunch_unknown", None),
    ],
)
def test_the_lunch_answer_follows_the_profile(district, domain, window, asked, note):
    district(window)
    assert said(domain, (2026, 11, 25, 20), "구청 점심시간에도 민원 봐요?", LUNCH)[0] == asked
    on_a_weekday_morning = said(domain, (2026, 11, 25, 10), "구청 지금 열었어요?")
    assert on_a_weekday_morning[0] == "utter_office_open_now"
    assert (note in on_a_weekday_morning) if note else not any("lunch" in r for r in on_a_weekday_morning)
    # closed now: nothing about lunch
    assert not any("lunch" in r for r in said(domain, (2026, 11, 25, 20), "구청 지금 열었어요?"))


def test_unstated_never_claims_the_window_is_open(domain):
    for name in ("utter_office_lunch_unknown", "utter_office_open_now", "utter_office_day_open"):
        assert "열려 있어요" not in domain["responses"][name][0]["text"], name


def test_a_misspelt_lunch_window_is_refused_naming_the_key(district):
    folder = district("sometimes")
    with pytest.raises(ProfileError, match="lunch_window"):
        load_profile(folder)


@pytest.mark.parametrize(
    ("window", "first"), [("closed", "utter_office_lunch_now_closed"), ("open", "utter_office_open_now")]
)
def test_asked_during_lunch_the_answer_says_whether_the_window_is_shut_now(district, domain, window, first):
    district(window)
    at_half_past_twelve = said(domain, (2026, 11, 25, 12, 30), "구청 지금 가도 돼요?")
    assert at_half_past_twelve[0] == first and "utter_office_open_now" not in at_half_past_twelve[1:]
    assert said(domain, (2026, 11, 25, 13, 0), "구청 지금 가도 돼요?")[0] == "utter_office_open_now"  # lunch is over

"""The NLU's urgent-words override (sotong/nlu/urgent.py) as config.yml places it: the district's
urgent keywords turn any parse into ``faq`` (whose action answers 119/112 or the crisis lines),
keep the classifier's guess for the audit trail, and follow staff's edits of departments.yml."""

from __future__ import annotations

import shutil

import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from sotong.nlu.urgent import OVERRIDE_KEY, UrgentWords
from sotong.settings import PROJECT_ROOT

DISTRICT = PROJECT_ROOT / "district" / "incheon-seogu"


def parsed(text: str, intent: str = "report_problem") -> Message:
    ranking = [{"name": intent, "confidence": 0.8}, {"name": "faq", "confidence": 0.1}]
    return Message(data={TEXT: text, INTENT: {"name": intent, "confidence": 0.8}, INTENT_RANKING_KEY: ranking})


def test_it_runs_last_so_no_later_component_undoes_it():
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    assert pipeline[-1]["name"] == "sotong.nlu.urgent.UrgentWords"


def test_urgent_words_override_any_intent_and_keep_the_guess(monkeypatch):
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(DISTRICT))
    for text, guessed, topic in (
        ("죽고 싶어요 살려주세요", "report_problem", "mental_health_center"),
        ("안녕 나 죽고싶어", "greet", "mental_health_center"),
        ("집에 불났어요", "nlu_fallback", "emergency_calls"),
        ("할아버지가 쓰러졌어요", "ask_office_hours", "emergency_calls"),
        ("엄마가 갑자기 쓰러지셨어요", "report_problem", "emergency_calls"),
        ("너무힘들어서죽고싶어요", "out_of_scope", "mental_health_center"),  # no space before the keyword
        ("우리엄마가쓰러졌어요", "nlu_fallback", "emergency_calls"),
        (
            "층간소음 " * 400 + "이제 정말 죽고 싶어요",
            "report_problem",
            "mental_health_center",
        ),  # at the end of 2,000+ letters
        ("아버지가 의식이 없어요", "ask_passport", "emergency_calls"),
        ("아이가 숨을 안 쉬어요", "greet", "emergency_calls"),
        ("엘리베이터에 갇혔어요", "report_problem", "emergency_calls"),
    ):
        [m] = UrgentWords().process([parsed(text, guessed)])
        assert m.get(INTENT) == {"name": "faq", "confidence": 1.0}, text
        assert m.get(OVERRIDE_KEY) == {"topic": topic, "classified_as": guessed}
        names = [r["name"] for r in m.get(INTENT_RANKING_KEY)]
        assert names == ["faq", guessed]  # faq once, the guess kept below it
        assert OVERRIDE_KEY in m.as_dict(only_output_properties=True)  # in the parse the server returns


def test_other_messages_are_left_alone(monkeypatch):
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(DISTRICT))
    for text in (
        "층간소음 때문에 너무 우울해요",
        "화재보험 가입해야 돼요?",
        "엘리베이터 점검 일정",
        "나무가 쓰러졌어요",  # an object falling is a report, not 119: urgent words name a person
        "자전거가 쓰러져 있어요 치워주세요",
        "응급환자 이송비 지원돼요?",
        # reports and opinions that share a word with an emergency: a parking report, smoke, manners
        "이중주차 때문에 차가 갇혔어요",
        "옆집 담배연기 때문에 숨을 못 쉬겠어요",
        "무단투기하는 사람들 의식이 없나봐요",
        "시민의식이 없어요 정말",
        "화재발생 시 대피요령 알려줘",
        "부자살림 이야기",
        "",
        "ㅋ" * 20_000,
    ):
        [m] = UrgentWords().process([parsed(text)])
        assert m.get(INTENT)["name"] == "report_problem" and m.get(OVERRIDE_KEY) is None, text[:20]


def test_staff_edits_apply_without_retraining_and_a_broken_file_keeps_the_last_good(tmp_path, monkeypatch):
    district = tmp_path / "district"
    shutil.copytree(DISTRICT, district)
    monkeypatch.setenv("SOTONG_DISTRICT_DIR", str(district))
    words = UrgentWords()
    assert words.process([parsed("싱크홀에 사람이 빠졌어요")])[0].get(OVERRIDE_KEY) is None
    path = district / "departments.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    emergency = next(d for d in raw["departments"] if d.get("urgent") and d["topic"] == "emergency_calls")
    emergency["keywords"].append("사람이빠졌")
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert words.process([parsed("싱크홀에 사람이 빠졌어요")])[0].get(OVERRIDE_KEY)["topic"] == "emergency_calls"
    path.write_text("departments: [ {code: ", encoding="utf-8")  # a broken save
    assert words.process([parsed("싱크홀에 사람이 빠졌어요")])[0].get(OVERRIDE_KEY)["topic"] == "emergency_calls"
    path.unlink()  # a district without a directory: nothing to override with
    assert UrgentWords().process([parsed("불났어요")])[0].get(OVERRIDE_KEY) is None

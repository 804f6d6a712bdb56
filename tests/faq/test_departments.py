"""The department directory (district/<name>/departments.yml): parsing, the keyword match, the
honest pointer's department for matters no catalogue topic covers, and one phone per department
across the district's files."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionFallbackMenu
from actions.faq import ActionAnswerFaq
from sotong.faq import index_for, load_catalogue
from sotong.faq.departments import DirectoryError, load_directory, parse_directory
from sotong.settings import PROJECT_ROOT
from tests.actions.conftest import make_tracker

DISTRICT = PROJECT_ROOT / "district" / "incheon-seogu"

SMALL = {
    "departments": [
        {"code": "animals", "name": "동물보호과", "phone": "032-000-9001", "keywords": ["동물등록", "유기견"]},
        {"code": "disabled", "name": "장애인복지과", "phone": "032-000-9002", "keywords": ["장애인"]},
        {"code": "transit", "name": "교통행정과", "phone": "032-000-9003", "keywords": ["장애인콜택시", "버스정류장"]},
    ]
}


def test_longest_keyword_wins_and_spacing_punctuation_and_case_are_ignored():
    d = parse_directory(SMALL, "test")
    assert d.match("강아지 동물 등록은 어디서 해요?").department.code == "animals"
    assert d.match("장애인 콜택시 부르고 싶어요").department.code == "transit"  # not 장애인복지과
    assert d.match("장애인 주차 표지").department.code == "disabled"
    assert d.match("오늘 날씨 어때") is None
    assert d.match("") is None and d.match("   ?!") is None


def test_a_pasted_page_is_matched_on_its_start_only():
    """A keyword names the matter early; the rest of a huge message is not searched (MAX_MATCHED)."""
    d = parse_directory(SMALL, "test")
    assert d.match("동물등록 " + "가나다 " * 50_000).department.code == "animals"
    assert d.match("가나다 " * 200 + "동물등록") is None


def problems_of(raw) -> str:
    """Every problem parse_directory reports for ``raw``, one a line (it must report some)."""
    with pytest.raises(DirectoryError) as err:
        parse_directory(raw, "departments.yml")
    return "\n".join(err.value.problems)


def test_every_problem_is_reported_at_once_naming_the_key():
    bad = {
        "departments": [
            {"code": "Bad Code", "name": "가과", "phone": "1", "keywords": ["개"]},
            {"code": "b", "name": "나과", "keywords": ["유기견"]},
            {"code": "c", "name": "나과", "phone": "3", "keywords": ["유기 견"], "duties": "가" * 200},
            "not a mapping",
        ]
    }
    text = problems_of(bad)
    for expected in (
        "departments[0].code",
        "'개'",
        "departments[1].phone",
        "name used twice: 나과",
        "keyword '유기 견' is under both b and c",
        "departments[2].duties",
        "departments[3]",
    ):
        assert expected in text
    with pytest.raises(DirectoryError):
        parse_directory(["a list"], "departments.yml")


def test_urgent_keywords_outrank_longer_ones_and_need_a_topic():
    raw = {
        "departments": [
            {"code": "crisis", "name": "위기", "phone": "109", "topic": "t", "urgent": True, "keywords": ["죽고싶"]},
            {"code": "noise", "name": "환경", "phone": "032-000-1", "keywords": ["층간소음때문에죽고싶"]},
        ]
    }
    d = parse_directory(raw, "test")
    assert d.urgent_topic("층간소음 때문에 죽고 싶어요") == "t"  # the longer keyword still names 환경
    assert d.match("층간소음 때문에 죽고 싶어요").department.code == "noise"
    assert d.urgent_topic("층간소음 너무 심해요") is None
    raw["departments"][0].pop("topic")
    raw["departments"][1]["urgent"] = "yes"
    problems = problems_of(raw)
    assert "departments[0].urgent: needs a topic" in problems and "departments[1].urgent: must be true" in problems


def test_wrong_yaml_types_are_problems_not_strings():
    """YAML reads 123 as a number, null as None, an unquoted 0321234 as octal: none may become a keyword
    like "None" (which would match English text) or a wrong phone."""
    bad = {
        "sample": "yes",
        "departments": [
            {"code": "a", "name": ["가과"], "phone": 107164, "keywords": [123, None, True, {"x": "y"}, "유기견"]},
            {"code": "b", "name": "나과", "phone": "032-000-1", "external": "false", "keywords": "유기묘"},
            {"code": "c", "name": "다과", "phone": "전화 없음", "keywords": ["길냥이"]},
        ],
    }
    text = problems_of(bad)
    for expected in (
        "departments[0].name",
        "departments[0].phone",
        "123",
        "None",
        "True",
        "{'x': 'y'}",
        "departments[1].external",
        "departments[1].keywords: must be a list",
        "departments[2].phone",
        "sample: must be true or false",
    ):
        assert expected in text, expected


def test_a_file_in_another_encoding_is_a_clear_problem_and_the_bot_keeps_the_last_good_one(tmp_path):
    path = tmp_path / "departments.yml"
    path.write_bytes(yaml.safe_dump(SMALL, allow_unicode=True).encode("cp949"))
    with pytest.raises(DirectoryError, match="not UTF-8"):
        load_directory(tmp_path)
    with pytest.raises(DirectoryError, match="not UTF-8"):  # remembered, still reported, not re-parsed
        load_directory(tmp_path)


def test_serving_keeps_the_last_good_directory_and_logs_a_broken_edit_once(tmp_path, caplog):
    from sotong.faq.departments import current_directory

    path = tmp_path / "departments.yml"
    path.write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    good = current_directory(tmp_path)
    assert good is not None
    path.write_text("departments: [{code: broken", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    with caplog.at_level("ERROR", logger="sotong.faq.departments"):
        assert [current_directory(tmp_path) for _ in range(3)] == [good] * 3
    assert len(caplog.records) == 1 and "last good" in caplog.records[0].getMessage()
    assert current_directory(tmp_path / "elsewhere") is None  # a folder without the file: none, no error


def test_build_check_reports_a_broken_directory_without_a_traceback(tmp_path, capsys):
    from sotong.faq.build import main as build_main

    district = tmp_path / "district"
    shutil.copytree(DISTRICT, district)
    (district / "departments.yml").write_text("departments: [{code: a, name: 가과, phone: x, keywords: [개]}]")
    assert build_main(["--district", str(district), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "departments[0].phone" in err and "'개'" in err and "Traceback" not in err


# Phrases whose letters, spaces removed, once held a keyword across a word break
# (review of the first directory): none may point anywhere.
ACROSS_WORDS = [
    "절 도와주세요",
    "저도 난감해요",
    "제 의견인데요",
    "등산 모임",
    "일단 수고하세요",
    "입대 의무 연기",
    "오 수요일에 가요",
    "눈이 녹지 않아요",
    "이게 먼지 모르겠어요",
    "위치 공유 지금 돼요?",
    "음식 물어봐도 돼요?",
    "구청 장소가 어디예요",
    "아무리 해도 로그인이 안 돼요",
    "새마을금고 대출",
    "첫 만남은 너무 어려워",
    "아이돌 봄 컴백",
    "꽃길만 걷자",
    "된장국 세트",
    "냄새 좋다",
    "안녕하세요",
    "상담원 연결",
    "감사합니다",
]


def test_the_sample_directory_does_not_fire_across_word_breaks():
    directory = load_directory(DISTRICT)
    fired = {p: m.keyword for p in ACROSS_WORDS if (m := directory.match(p))}
    assert not fired


def test_the_sample_directory_names_topics_that_exist():
    catalogue = load_catalogue(DISTRICT)
    missing = [d.code for d in load_directory(DISTRICT).departments if d.topic and not catalogue.topic(d.topic)]
    assert not missing


def test_missing_file_means_catalogue_only_and_an_edit_is_read_again(tmp_path):
    assert load_directory(tmp_path) is None
    path = tmp_path / "departments.yml"
    path.write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    assert load_directory(tmp_path).match("유기견 봤어요").department.phone == "032-000-9001"
    changed = {"departments": [dict(SMALL["departments"][0], phone="032-000-9999")]}
    path.write_text(yaml.safe_dump(changed, allow_unicode=True) + "\n# edited\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert load_directory(tmp_path).match("유기견 봤어요").department.phone == "032-000-9999"
    path.write_text("departments: [{code: broken", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 2 * 10**9))
    with pytest.raises(DirectoryError, match="not valid YAML"):
        load_directory(tmp_path)


def test_a_keyword_names_a_department_no_topic_covers_and_topics_still_decide_otherwise():
    idx = index_for(load_catalogue(DISTRICT))
    directory = parse_directory(SMALL, "test")
    g = idx.guess("강아지 동물등록 어디서 해요", directory=directory)
    assert (g.department, g.phone, g.keyword) == ("동물보호과", "032-000-9001", "동물등록") and g.civic
    assert not g.tentative  # 등록 is catalogue wording too
    assert all(t.department == "동물보호과" for t in g.topics)  # no 장애인 등록 button under 동물보호과
    lone = idx.guess("유기견", directory=directory)  # a short keyword alone, no topic wording: a maybe
    assert lone.tentative and lone.department == "동물보호과" and lone.topics == ()
    assert not idx.guess("버스정류장 옮겨 주세요", directory=directory).tentative  # a long one at a word start
    assert idx.guess("우리동네버스정류장", directory=directory).tentative  # the same inside a word
    listed = parse_directory({"departments": [{"code": "t", "name": "세무2과", "phone": "032-999-9999"}]}, "t")
    assert idx.guess("재산세 고지서 다시 받고 싶어요", directory=listed).phone == "032-999-9999"  # one number
    without = idx.guess("재산세 고지서 다시 받고 싶어요", directory=directory)
    assert without.department.startswith("세무") and without.keyword is None
    assert not idx.guess("오늘 날씨 어때", directory=directory).civic


def test_the_sample_districts_directory_loads_and_gives_each_department_one_phone():
    """Every department the catalogue, profile.yml and complaints.yml name is in the directory with
    the same phone, so a resident never gets two numbers for one department."""
    directory = load_directory(DISTRICT)
    assert directory is not None and len(directory.departments) >= 30
    phones = {d.name: d.phone for d in directory.departments}
    named = [(t.department, t.phone, f"faq topic {t.id}") for t in load_catalogue(DISTRICT).topics.values()]
    for file in ("profile.yml", "complaints.yml"):
        for d in yaml.safe_load((DISTRICT / file).read_text(encoding="utf-8")).get("departments") or []:
            named.append((d["name"], d["phone"], f"{file} {d['code']}"))
    wrong = [
        f"{where}: {name} {phone} (directory: {phones.get(name)})"
        for name, phone, where in named
        if phones.get(name) != phone
    ]
    assert not wrong, "\n".join(wrong)


def fallback(text, domain, intent="out_of_scope"):
    d = CollectingDispatcher()
    ActionFallbackMenu().answer(d, make_tracker(text, intent), domain)
    return d.messages


def test_crisis_words_answer_the_topic_with_the_crisis_lines_not_a_pointer(district, domain):
    msgs = fallback("죽고 싶어요", domain)
    topic = load_catalogue(DISTRICT).topic("mental_health_center")
    assert msgs[0]["response"].startswith("utter_faq_answer") and msgs[0]["faq_answer"] == topic.answer
    assert "109" in topic.answer and not any(m["response"].startswith("utter_faq_unknown") for m in msgs)


def test_an_emergency_gets_119_and_112_first_not_a_maybe_or_a_department(district, domain):
    """ "불났어요" used to get the menu and "혹시 소방서에서 맡는 일이라면 …": an emergency is never a
    maybe. The directory names the emergency topic, and its answer is to phone 119/112 now."""
    topic = load_catalogue(DISTRICT).topic("emergency_calls")
    assert "119" in topic.answer and "112" in topic.answer
    for text in ("불났어요", "사람이 쓰러졌어요", "엘리베이터에 갇혔어요 살려주세요"):
        msgs = fallback(text, domain)
        assert msgs[0]["response"].startswith("utter_faq_answer") and msgs[0]["faq_answer"] == topic.answer, text
        assert not any(m["response"] == "utter_faq_maybe_department" for m in msgs), text


def test_safety_topics_come_first_whatever_the_nlu_said_and_crisis_words_keep_the_crisis_lines(district, domain):
    """Review finding: with the catalogue's second say, "아버지가 의식이 없어요" got 긴급복지 지원 (the
    selector was sure of it) and "죽고 싶어요 살려주세요" lost the crisis lines to a longer emergency
    keyword. The topic departments.yml names comes before the selector, on every path."""
    emergency = load_catalogue(DISTRICT).topic("emergency_calls")
    for intent in ("nlu_fallback", "ask_uncovered_matter", "out_of_scope"):
        assert fallback("아버지가 의식이 없어요", domain, intent)[0]["faq_answer"] == emergency.answer, intent
    d = CollectingDispatcher()
    ActionAnswerFaq().answer(d, make_tracker("아버지가 의식이 없어요", "faq"), domain)
    assert d.messages[0]["faq_answer"] == emergency.answer
    crisis = load_catalogue(DISTRICT).topic("mental_health_center")
    assert fallback("죽고 싶어요 살려주세요", domain, "ask_uncovered_matter")[0]["faq_answer"] == crisis.answer
    assert "109" in emergency.answer  # and the emergency answer names the crisis line too


def test_routine_questions_near_the_emergency_topic_are_never_sent_to_119(district, domain):
    for text in ("화재보험 가입 의무", "엘리베이터 점검 일정"):
        said = fallback(text, domain, "ask_uncovered_matter")
        assert not any(m["response"].startswith("utter_faq_answer") for m in said), text
        assert all(m.get("faq_phone") != "119" for m in said), text


def test_a_keyword_alone_is_offered_as_a_maybe_after_the_menu_and_never_hands_off(district, domain):
    (district / "departments.yml").write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    said = [m["response"] for m in fallback("유기견", domain)]
    assert said == ["utter_out_of_scope", "utter_faq_maybe_department", "utter_fallback_human_hint"]
    maybe = fallback("유기견", domain)[1]
    assert (maybe["faq_department"], maybe["faq_phone"]) == ("동물보호과", "032-000-9001")


def test_a_pointer_to_a_sample_department_says_so_and_a_national_number_does_not(district, domain):
    said = [m["response"] for m in fallback("강아지 동물등록 어디서 해요", domain)]
    assert said[0] == "utter_faq_unknown_department" and "utter_faq_sample_notice" in said
    national = fallback("종합소득세 신고 어디서 해요", domain)
    assert national[0]["faq_phone"] == "126" and "utter_faq_sample_notice" not in [m["response"] for m in national]


def test_the_bot_points_an_uncovered_matter_to_the_department_staff_listed(district, domain):
    (district / "departments.yml").write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    first = fallback("강아지 동물등록 어디서 해요", domain)[0]
    assert first["response"] == "utter_faq_unknown_department"
    assert (first["faq_department"], first["faq_phone"]) == ("동물보호과", "032-000-9001")
    # a broken edit (bad YAML, then another encoding) keeps the last good directory
    path = district / "departments.yml"
    for broken in (b"departments: [{code: broken", yaml.safe_dump(SMALL, allow_unicode=True).encode("cp949")):
        path.write_bytes(broken)
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
        assert fallback("강아지 동물등록 어디서 해요", domain)[0]["faq_department"] == "동물보호과"

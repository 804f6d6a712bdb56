"""What staff see of residents' messages: personal data masked, ordinary questions untouched."""

from __future__ import annotations

import pytest

from sotong.studio.grouping import group, normalise
from sotong.studio.masking import looks_personal, mask


@pytest.mark.parametrize(
    "raw, masked",
    [
        ("제 번호는 010-1234-5678이에요", "제 번호는 010-****-5678이에요"),
        ("01012345678로 연락 주세요", "010-****-5678로 연락 주세요"),
        ("+82 10 1234 5678", "+82-10-****-5678"),
        ("abc.def@naver.com 으로 보내주세요", "***@*** 으로 보내주세요"),
        ("900101-1234567", "******-*******"),
        ("12가3456 차가 입구를 막고 있어요", "12가**** 차가 입구를 막고 있어요"),
        ("123나 4567 신고", "123나**** 신고"),
        ("서곶로 123 앞에 쓰레기", "서곶로 *** 앞에 쓰레기"),
        ("청라대로 12-3에 소파가 있어요", "청라대로 ***에 소파가 있어요"),
        ("가정로123번길 4 불법주차", "가정로123번길 *** 불법주차"),
        ("인천 서구 청라동 1-1 앞", "인천 서구 청라동 *** 앞"),
        ("당하동 123번지", "당하동 ***"),
        ("45번지 골목", "***번지 골목"),
        ("101동 202호 누수", "***동 ***호 누수"),
        ("제 이름은 홍길동이에요", "제 이름은 홍**이에요"),
        ("저는 김철수입니다", "저는 김**입니다"),
        ("성함은 이영희", "성함은 이**"),
        ("김철수 씨가 버렸어요", "김** 씨가 버렸어요"),
        ("박민수님 안녕하세요", "박**님 안녕하세요"),
    ],
)
def test_personal_data_is_masked(raw, masked):
    assert mask(raw) == masked
    assert looks_personal(raw)


@pytest.mark.parametrize(
    "text",
    [
        "여권 발급 필요서류",
        "재산세 7월에 내요?",
        "청라2동 주민센터 몇 시까지 해요",
        "3월 1일에 전입했어요",
        "서구청 2층 어디예요",
        "이불 버리려면 어떻게 해요",
        "구청장님께 말씀드리고 싶어요",
        "담당자님 연결해 주세요",
        "어머님 댁 근처 쓰레기봉투 파는 곳",
        "저는 그냥 궁금해서요",
        "청라로 3일 동안 공사해요?",
        "쓰레기봉투 20리터 얼마예요",
    ],
)
def test_ordinary_questions_are_left_alone(text):
    assert mask(text) == text
    assert not looks_personal(text)


def test_values_the_bot_collected_are_masked_whatever_their_shape():
    said = "아까 말한 청라 커낼웨이 정문 옆이요"
    assert mask(said, ["청라 커낼웨이 정문"]) == "아까 말한 ******** 옆이요"
    assert mask(said, ["옆"]) == said  # too short to be personal: never blank out single words


def test_a_masked_sentence_is_not_fit_to_train_on():
    assert looks_personal("서곶로 *** 앞에 쓰레기")
    assert not looks_personal("집 앞에 쓰레기가 있어요")


def test_hostile_input_is_linear_enough():
    text = "1" * 5000 + "가" * 5000 + "로 " * 3000
    assert len(mask(text)) > 0


def test_near_identical_messages_form_one_group():
    texts = [
        "전입신고 어케해요",
        "전입신고 어케 해요??",
        "전입신고어케해요ㅋㅋㅋ",
        "여권 잃어버렸어요",
        "전입 신고 어떻게 해요",
        "여권 잃어버렸어요!!",
        "오늘 날씨 어때",
    ]
    groups = group(texts, lambda t: t)
    assert [(g.first, g.count) for g in groups] == [
        ("전입신고 어케해요", 3),
        ("여권 잃어버렸어요", 2),
        ("전입 신고 어떻게 해요", 1),
        ("오늘 날씨 어때", 1),
    ]
    assert normalise("  여권!!  잃어버렸어요ㅠㅠ ") == "여권잃어버렸어요"

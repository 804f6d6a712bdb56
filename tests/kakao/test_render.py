"""Rendering Rasa messages as Kakao responses: every documented limit, nothing dropped."""

import json
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.kakao import limits
from connectors.kakao.render import (
    MORE_KEY,
    callback_ack,
    render_pages,
    render_response,
    text_response,
    without_choices,
)
from tests.kakao.kakao_testkit import all_texts

IMG = "https://www.seo.incheon.kr/images/bag.png"


def _valid(pages: list[dict[str, Any]]) -> None:
    for page in pages:
        assert limits.response_violations(page) == [], json.dumps(page, ensure_ascii=False)[:800]


def _outputs(pages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o for page in pages for o in page["template"]["outputs"]]


def _replies(page: dict[str, Any]) -> list[dict[str, Any]]:
    return page["template"].get("quickReplies") or []


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _texts(pages: list[dict[str, Any]]) -> str:
    return "".join(o["simpleText"]["text"] for o in _outputs(pages) if "simpleText" in o)


# --- text -----------------------------------------------------------------------------


def test_text_becomes_simple_text(texts) -> None:
    response = render_response([{"recipient_id": "u", "text": "안녕하세요. 서구청이에요."}], texts)
    assert response == {
        "version": "2.0",
        "template": {"outputs": [{"simpleText": {"text": "안녕하세요. 서구청이에요."}}]},
    }


def test_long_text_is_split_within_limit_and_complete(texts) -> None:
    text = "대형폐기물은 구청 홈페이지에서 신고하고 수수료를 내면 돼요. " * 60  # ~2,000 chars
    pages = render_pages([{"text": text}], texts)
    _valid(pages)
    assert all(len(o["simpleText"]["text"]) <= 1000 for o in _outputs(pages))
    assert _squash(_texts(pages)) == _squash(text)


def test_at_most_three_outputs_by_merging_texts(texts) -> None:
    messages = [{"text": f"{i}번째 문단이에요."} for i in range(7)]
    pages = render_pages(messages, texts)
    assert len(pages) == 1
    _valid(pages)
    assert len(pages[0]["template"]["outputs"]) <= 3
    for i in range(7):
        assert f"{i}번째 문단이에요." in _texts(pages)


def test_three_outputs_or_fewer_are_left_alone(texts) -> None:
    messages = [{"text": "하나"}, {"text": "둘"}, {"text": "셋"}]
    outputs = render_response(messages, texts)["template"]["outputs"]
    assert [o["simpleText"]["text"] for o in outputs] == ["하나", "둘", "셋"]


def test_content_beyond_three_full_outputs_goes_to_more_pages(texts) -> None:
    messages = [
        {"text": "가" * 900},
        {"text": "나" * 900},
        {"text": "다" * 900},
        {"text": "라" * 900},
        {"text": "마" * 10},
    ]
    pages = render_pages(messages, texts, more_token="tok")
    _valid(pages)
    assert len(pages) == 2
    more = _replies(pages[0])
    assert more == [
        {
            "label": texts.more_label,
            "action": "message",
            "messageText": texts.more_message,
            "extra": {MORE_KEY: "tok:1"},
        }
    ]
    assert _squash(_texts(pages)) == _squash("".join(m["text"] for m in messages))


def test_empty_dialogue_answer_still_has_an_output(texts) -> None:
    response = render_response([], texts)
    assert response["template"]["outputs"] == [{"simpleText": {"text": texts.empty_reply}}]


# --- buttons ---------------------------------------------------------------------------


def test_buttons_become_quick_replies_with_natural_message_text(texts) -> None:
    buttons = [
        {"title": "쓰레기봉투 판매소 위치 안내 받기", "payload": "/ask_bag_vendor"},
        {"title": "네", "payload": '/affirm{"confirm": true}'},
    ]
    response = render_response([{"text": "무엇을 도와드릴까요?", "buttons": buttons}], texts)
    replies = _replies(response)
    assert replies[0] == {
        "label": "쓰레기봉투 판매소 위치…",
        "action": "message",
        "messageText": "쓰레기봉투 판매소 위치 안내 받기",
        "extra": {"payload": "/ask_bag_vendor"},
    }
    assert replies[1]["messageText"] == "네"
    assert replies[1]["extra"] == {"payload": '/affirm{"confirm": true}'}
    _valid([response])


def test_plain_text_payload_needs_no_extra(texts) -> None:
    response = render_response([{"text": "?", "buttons": [{"title": "여권", "payload": "여권"}]}], texts)
    assert _replies(response) == [{"label": "여권", "action": "message", "messageText": "여권"}]


def test_button_without_title_never_shows_an_intent_payload(texts) -> None:
    buttons = [{"payload": "/greet"}, {"title": "/greet", "payload": "/greet"}, {"payload": "처음으로"}]
    response = render_response([{"text": "?", "buttons": buttons}], texts)
    assert [r["messageText"] for r in _replies(response)] == ["처음으로"]


def test_quick_replies_come_from_rasa_quick_replies_key_too(texts) -> None:
    response = render_response([{"text": "?", "quick_replies": [{"title": "예", "payload": "/affirm"}]}], texts)
    assert _replies(response)[0]["extra"] == {"payload": "/affirm"}


def test_more_than_ten_choices_are_all_reachable(texts) -> None:
    buttons = [{"title": f"{i}동 행정복지센터", "payload": f"/pick{{\"dong\": {i}}}"} for i in range(23)]
    pages = render_pages([{"text": "어느 동인가요?", "buttons": buttons}], texts, more_token="t")
    _valid(pages)
    assert all(len(_replies(p)) <= 10 for p in pages)
    offered = [r for p in pages for r in _replies(p) if MORE_KEY not in (r.get("extra") or {})]
    assert [r["extra"]["payload"] for r in offered] == [b["payload"] for b in buttons]
    # every page but the last leads on with "더 보기"
    for index, page in enumerate(pages[:-1]):
        assert _replies(page)[-1]["extra"] == {MORE_KEY: f"t:{index + 1}"}
    assert MORE_KEY not in (_replies(pages[-1])[-1].get("extra") or {})


def test_url_and_phone_buttons_become_card_buttons(texts) -> None:
    buttons = [
        {"title": "서구청 홈페이지 바로가기 (새 창)", "payload": "https://www.seo.incheon.kr"},
        {"title": "민원실", "payload": "tel:032-560-4114"},
        {"title": "처음으로", "payload": "/greet"},
    ]
    response = render_response([{"text": "자세한 내용은 홈페이지를 보세요.", "buttons": buttons}], texts)
    _valid([response])
    card = response["template"]["outputs"][0]["textCard"]
    assert card["description"] == "자세한 내용은 홈페이지를 보세요."
    assert card["buttons"] == [
        {"label": "서구청 홈페이지 바로가기", "action": "webLink", "webLinkUrl": "https://www.seo.incheon.kr"},
        {"label": "민원실", "action": "phone", "phoneNumber": "032-560-4114"},
    ]
    assert [r["messageText"] for r in _replies(response)] == ["처음으로"]


def test_long_text_with_links_keeps_text_and_links(texts) -> None:
    text = "안내 문장이에요. " * 120
    links = [{"title": f"링크 {i}", "payload": f"https://example.org/{i}"} for i in range(5)]
    pages = render_pages([{"text": text, "buttons": links}], texts)
    _valid(pages)
    outputs = _outputs(pages)
    card_buttons = [b for o in outputs if "textCard" in o for b in o["textCard"]["buttons"]]
    assert [b["webLinkUrl"] for b in card_buttons] == [b["payload"] for b in links]
    shown = "".join(
        o.get("simpleText", {}).get("text", "") + o.get("textCard", {}).get("description", "") for o in outputs
    )
    assert _squash(text) in _squash(shown)


# --- images and attachments ----------------------------------------------------------------


def test_image_becomes_simple_image_with_short_alt(texts) -> None:
    response = render_response([{"image": IMG, "alt_text": "가" * 80}], texts)
    image = response["template"]["outputs"][0]["simpleImage"]
    assert image["imageUrl"] == IMG
    assert len(image["altText"]) <= 50
    assert (
        render_response([{"image": IMG}], texts)["template"]["outputs"][0]["simpleImage"]["altText"] == texts.image_alt
    )


def test_attachment_url_becomes_a_link_card(texts) -> None:
    response = render_response([{"attachment": "https://example.org/form.hwp"}], texts)
    card = response["template"]["outputs"][0]["textCard"]
    assert card["buttons"][0]["webLinkUrl"] == "https://example.org/form.hwp"
    _valid([response])


def test_many_images_are_gathered_into_a_carousel(texts) -> None:
    messages = [{"text": "사진이에요."}] + [{"image": f"https://example.org/{i}.png"} for i in range(5)]
    pages = render_pages(messages, texts)
    _valid(pages)
    assert len(pages) == 1
    carousel = pages[0]["template"]["outputs"][1]["carousel"]
    assert carousel["type"] == "basicCard"
    assert [i["thumbnail"]["imageUrl"] for i in carousel["items"]] == [f"https://example.org/{i}.png" for i in range(5)]


# --- custom payload convention -----------------------------------------------------------------


def _card(**fields: Any) -> dict[str, Any]:
    return {"custom": {"card": fields}}


def test_card_with_image_is_a_basic_card(texts) -> None:
    response = render_response(
        [
            _card(
                title="청라1동 행정복지센터",
                description="평일 09:00~18:00",
                image_url=IMG,
                buttons=[
                    {"title": "길찾기", "url": "https://map.kakao.com/?q=청라1동"},
                    {"title": "전화", "phone": "032-560-6500"},
                    {"title": "다른 동 보기", "payload": "/ask_office"},
                ],
            )
        ],
        texts,
    )
    _valid([response])
    card = response["template"]["outputs"][0]["basicCard"]
    assert card["thumbnail"] == {"imageUrl": IMG}
    assert [b["action"] for b in card["buttons"]] == ["webLink", "phone", "message"]
    assert card["buttons"][2]["extra"] == {"payload": "/ask_office"}


def test_card_without_image_is_a_text_card(texts) -> None:
    response = render_response([_card(title="안내", description="설명")], texts)
    assert response["template"]["outputs"] == [{"textCard": {"title": "안내", "description": "설명"}}]


def test_card_limits_and_overflow(texts) -> None:
    title = "아주 긴 제목 " * 8  # > 50
    description = "카드 설명 문장이에요. " * 30  # > 230
    buttons = [{"title": f"선택 {i}", "payload": f"/choose{{\"n\": {i}}}"} for i in range(4)] + [
        {"title": "링크", "url": "https://example.org"}
    ]
    pages = render_pages([_card(title=title, description=description, image_url=IMG, buttons=buttons)], texts)
    _valid(pages)
    card = _outputs(pages)[0]["basicCard"]
    assert len(card["title"]) <= 50 and len(card["description"]) <= 230 and len(card["buttons"]) == 3
    # The full title heads the text that carries on the description.
    assert _squash(_texts(pages)).startswith(_squash(title))
    shown = card["description"] + _texts(pages)
    assert _squash(description) in _squash(shown).replace(_squash(title), "")
    assert [r["extra"]["payload"] for r in _replies(pages[-1])] == ['/choose{"n": 3}']
    links = [b for o in _outputs(pages) if "textCard" in o for b in o["textCard"]["buttons"]]
    assert links[0]["webLinkUrl"] == "https://example.org"


def test_text_card_keeps_title_plus_description_within_400(texts) -> None:
    pages = render_pages([_card(title="제목" * 20, description="설명이에요. " * 80)], texts)
    _valid(pages)
    card = _outputs(pages)[0]["textCard"]
    assert len(card["title"]) + len(card["description"]) <= 400


def test_cards_become_a_carousel_split_by_ten(texts) -> None:
    cards = [{"title": f"판매소 {i}", "description": f"청라동 {i}번지", "image_url": IMG} for i in range(13)]
    pages = render_pages([{"custom": {"cards": cards}}], texts)
    _valid(pages)
    carousels = [o["carousel"] for o in _outputs(pages) if "carousel" in o]
    assert [len(c["items"]) for c in carousels] == [10, 3]
    assert all(c["type"] == "basicCard" for c in carousels)


def test_cards_of_both_kinds_keep_their_order(texts) -> None:
    cards = [
        {"title": "A", "image_url": IMG},
        {"title": "B", "image_url": IMG},
        {"title": "C", "description": "글만 있어요"},
        {"title": "D", "description": "글만 있어요"},
    ]
    outputs = render_response([{"custom": {"cards": cards}}], texts)["template"]["outputs"]
    assert [(o["carousel"]["type"], [i["title"] for i in o["carousel"]["items"]]) for o in outputs] == [
        ("basicCard", ["A", "B"]),
        ("textCard", ["C", "D"]),
    ]


def test_list_card_limits(texts) -> None:
    items = [{"title": f"판매소 {i}", "description": "청라동", "url": f"https://example.org/{i}"} for i in range(12)]
    buttons = [
        {"title": "지도로 보기", "url": "https://map.kakao.com"},
        {"title": "처음으로", "payload": "/greet"},
        {"title": "더 찾기", "payload": "/more"},
    ]
    pages = render_pages(
        [{"custom": {"list": {"header": "쓰레기봉투 판매소", "items": items, "buttons": buttons}}}], texts
    )
    _valid(pages)
    carousel = _outputs(pages)[0]["carousel"]
    assert carousel["type"] == "listCard"
    assert [len(lst["items"]) for lst in carousel["items"]] == [5, 5, 2]
    assert all(len(lst["buttons"]) == 2 for lst in carousel["items"])
    assert [i["link"]["web"] for lst in carousel["items"] for i in lst["items"]] == [i["url"] for i in items]
    assert [r["extra"]["payload"] for r in _replies(pages[-1])] == ["/more"]


def test_single_short_list_is_a_list_card(texts) -> None:
    response = render_response(
        [{"custom": {"list": {"header": {"title": "처리 현황"}, "items": [{"title": "접수", "payload": "/status"}]}}}],
        texts,
    )
    _valid([response])
    lst = response["template"]["outputs"][0]["listCard"]
    assert lst["header"] == {"title": "처리 현황"}
    assert lst["items"][0]["extra"] == {"payload": "/status"}


def test_unknown_custom_uses_its_fallback_text(texts) -> None:
    response = render_response([{"custom": {"map": {"lat": 1}, "text": "지도는 웹에서 볼 수 있어요."}}], texts)
    assert response["template"]["outputs"] == [{"simpleText": {"text": "지도는 웹에서 볼 수 있어요."}}]


def test_raw_kakao_components_pass_through(texts) -> None:
    raw = {"textCard": {"title": "원본", "description": "그대로"}}
    assert render_response([{"custom": {"kakao": raw}}], texts)["template"]["outputs"] == [raw]


# --- size -----------------------------------------------------------------------------------


def test_every_page_stays_under_30kb(texts) -> None:
    long_url = "https://example.org/" + "x" * 1500
    cards = [
        {
            "title": f"카드 {i}",
            "description": "설명" * 100,
            "image_url": long_url,
            "buttons": [{"title": "열기", "url": long_url}] * 3,
        }
        for i in range(30)
    ]
    pages = render_pages([{"custom": {"cards": cards}}], texts)
    _valid(pages)
    assert sum(len(o["carousel"]["items"]) for o in _outputs(pages) if "carousel" in o) == 30


# --- helpers ------------------------------------------------------------------------------------


def test_without_choices_keeps_links(texts) -> None:
    messages = [
        {"text": "a", "buttons": [{"title": "예", "payload": "/affirm"}, {"title": "웹", "payload": "https://x.org"}]},
        {"text": "b", "buttons": [{"title": "예", "payload": "/affirm"}]},
    ]
    assert without_choices(messages) == [
        {"text": "a", "buttons": [{"title": "웹", "payload": "https://x.org"}]},
        {"text": "b"},
    ]


def test_error_and_ack_shapes(texts) -> None:
    assert limits.response_violations(text_response(texts.bad_request)) == []
    assert callback_ack("잠시만요") == {"version": "2.0", "useCallback": True, "data": {"text": "잠시만요"}}


# --- property: any mix of messages renders to valid pages, no text lost ---------------------------

button = st.one_of(
    st.builds(
        lambda t, p: {"title": t, "payload": p},
        st.text(min_size=1, max_size=30).filter(str.strip),
        st.sampled_from(["/a", "/b{\"x\": 1}", "plain"]),
    ),
    st.builds(
        lambda t: {"title": t, "payload": "https://example.org/x"}, st.text(min_size=1, max_size=30).filter(str.strip)
    ),
)
message = st.one_of(
    st.builds(
        lambda t, b: {"text": t, "buttons": b},
        st.text(min_size=1, max_size=1500).filter(str.strip),
        st.lists(button, max_size=12),
    ),
    st.builds(lambda t: {"text": t}, st.text(min_size=1, max_size=2500).filter(str.strip)),
    st.just({"image": IMG}),
    st.builds(
        lambda n: {"custom": {"cards": [{"title": f"c{i}", "image_url": IMG} for i in range(n)]}}, st.integers(1, 14)
    ),
)


@settings(max_examples=150, deadline=None)
@given(messages=st.lists(message, max_size=8))
def test_any_answer_renders_valid_and_complete(texts, messages: list[dict[str, Any]]) -> None:
    pages = render_pages(messages, texts, more_token="p")
    _valid(pages)
    shown = _squash("".join(all_texts(page) for page in pages))
    for m in messages:
        if m.get("text"):
            assert _squash(m["text"]) in shown

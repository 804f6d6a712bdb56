"""The category picker on KakaoTalk (issue 9): eleven categories and more than Kakao's ten
quick replies. The picker sends every category as a button with its exact payload; the Kakao
renderer pages them ("더 보기"), so every category stays one tap away and none is dropped."""

from __future__ import annotations

import json

from rasa_sdk.executor import CollectingDispatcher

from actions.complaints.report import ActionAskReportConfirmed
from connectors.kakao import limits
from connectors.kakao.render import MORE_KEY, render_pages
from connectors.kakao.texts import load_texts
from sotong.complaints import service
from tests.actions.test_complaint_actions import tracker
from tests.actions.test_report_answers import AT_SUMMARY


def picker_messages(domain):
    d = CollectingDispatcher()
    ask = tracker(
        '/edit_complaint{"complaint_field": "category"}',
        "edit_complaint",
        slots=AT_SUMMARY,
        entities=[{"entity": "complaint_field", "value": "category"}],
    )
    ActionAskReportConfirmed().run_blocking(d, ask, domain)
    (msg,) = d.messages
    text = domain["responses"][msg["response"]][0]["text"].replace("{category_name}", "가로등·보안등 고장")
    return [{"text": text, "buttons": msg["buttons"]}]


async def test_eleven_categories_page_on_kakao_with_exact_payloads(core_db, domain):
    codes = [c.code for c in service.category_infos()]
    assert len(codes) > limits.MAX_QUICK_REPLIES - 1  # the case this test is about
    pages = render_pages(picker_messages(domain), load_texts(), more_token="t")
    assert len(pages) >= 2
    sent = []
    for i, page in enumerate(pages):
        replies = page["template"].get("quickReplies") or []
        assert len(replies) <= limits.MAX_QUICK_REPLIES
        assert limits.response_violations(page) == []
        more = [r for r in replies if MORE_KEY in (r.get("extra") or {})]
        assert len(more) == (0 if i == len(pages) - 1 else 1)  # "더 보기" on every page but the last
        for r in replies:
            if r not in more:
                payload = r["extra"]["payload"]
                assert payload.startswith("/report_problem{")  # exact payload, never re-parsed Korean
                assert not payload.startswith(r["messageText"])
                sent.append(json.loads(payload[len("/report_problem") :])["complaint_category"])
    assert sent == codes  # every category, once, in the district's order

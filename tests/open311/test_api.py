"""Open311 GeoReport v2 over HTTP: every endpoint, both formats, and the abuse cases.

A real uvicorn server per test (tests/open311/conftest.py), SQLite and PostgreSQL.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import requests

from sotong.complaints import service
from sotong.db import session_scope
from sotong.open311 import keys
from tests.open311.conftest import V2, Client, errors_of, make_key
from tests.web.conftest import TIMEOUT


def xml_of(response: requests.Response, root: str) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.content)
    assert element.tag == root
    return element


# --- discovery and services ---------------------------------------------------------


def test_discovery_in_both_formats(client):
    for path in ("/open311/discovery.json", V2 + "/discovery.json"):
        doc = requests.get(client.base + path, timeout=TIMEOUT).json()
        assert {"changeset", "contact", "key_service", "endpoints"} <= set(doc)
        (endpoint,) = doc["endpoints"]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == client.base + V2
        assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml_of(requests.get(client.base + "/open311/discovery.xml", timeout=TIMEOUT), "discovery")
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]


def test_services_come_from_the_complaint_categories(client):
    services = client.get("/services.json").json()
    codes = [s["service_code"] for s in services]
    assert codes == [c.code for c in service.category_infos()]
    parking = next(s for s in services if s["service_code"] == "illegal_parking")
    assert parking["service_name"] == "불법주정차" and parking["type"] == "realtime" and parking["metadata"] is True
    assert "주차" in parking["keywords"] and parking["group"]
    root = xml_of(client.get("/services.xml"), "services")
    assert [s.findtext("service_code") for s in root.findall("service")] == codes
    assert root.find("service/metadata").text in ("true", "false")


def test_a_service_definition_lists_the_forms_questions(client):
    definition = client.get("/services/illegal_parking.json").json()
    assert definition["service_code"] == "illegal_parking"
    assert [a["code"] for a in definition["attributes"]] == [
        "plate_number",
        "when",
    ]  # address/description/photo are fields
    assert [a["order"] for a in definition["attributes"]] == [1, 2]
    assert definition["attributes"][0]["description"] == "차량 번호나 차종"
    root = xml_of(client.get("/services/illegal_parking.xml"), "service_definition")
    assert [a.findtext("code") for a in root.findall("attributes/attribute")] == ["plate_number", "when"]


def test_unknown_service_format_and_jurisdiction(client):
    errors_of(client.get("/services/no_such_thing.xml"), 404)
    errors_of(client.get("/services/no_such_thing.json"), 404)
    errors_of(client.get("/services.html"), 400)
    errors_of(client.get("/services.json", jurisdiction_id="elsewhere.gov"), 404)
    assert client.get("/services.json", jurisdiction_id="seo.incheon.kr").status_code == 200
    assert client.get("/services.json", jurisdiction_id="").status_code == 200  # empty = not given


# --- POST requests -----------------------------------------------------------------


def test_post_files_through_the_core_with_the_legal_due_date(client):
    answer = client.post(
        "/requests.xml",
        {
            "service_code": "illegal_parking",
            "lat": "37.5453",
            "long": "126.6759",
            "description": "소화전 앞에 주차",
            "attribute[plate_number]": "12가3456 흰색 승용차",
            "attribute[when]": "오늘 아침부터",
            "email": "someone@example.com",
            "first_name": "길동",
            "last_name": "홍",
            "phone": "010-1234-5678",
            "device_id": "dev-1",
            "account_id": "acc-1",
        },
    )
    root = xml_of(answer, "service_requests")
    request_id = root.findtext("request/service_request_id")
    assert root.find("request/token") is None  # realtime: the id, never a token beside it
    with session_scope() as session:
        view = service.get_complaint(session, request_id)
    assert view.status == "received" and view.category_code == "illegal_parking"
    assert view.address == "37.545300, 126.675900" and (view.lat, view.lng) == (37.5453, 126.6759)
    assert view.seen_at == "오늘 아침부터"
    assert "차량 번호나 차종: 12가3456 흰색 승용차" in view.description  # officers see the full answer

    (public,) = client.get(f"/requests/{request_id}.json").json()
    assert public["status"] == "open" and public["service_code"] == "illegal_parking"
    assert public["agency_responsible"] == view.routed_department_name
    expected = datetime.fromisoformat(public["expected_datetime"])
    assert expected.utcoffset() == timedelta(hours=9) and expected == view.due_at  # 처리기한, tz-aware
    for name in ("requested_datetime", "updated_datetime"):
        assert datetime.fromisoformat(public[name]).tzinfo is not None
    assert "12가****" in public["description"] and "3456" not in public["description"]
    text = client.get(f"/requests/{request_id}.xml").text + str(public)
    for personal in ("someone@example.com", "길동", "1234-5678", "dev-1", "acc-1", "오늘 아침부터"):
        assert personal not in text


def test_post_answers_in_json_and_a_retry_files_nothing_twice(client):
    form = {"service_code": "streetlight", "address_string": "서구 가정로 10", "description": "가로등이 꺼졌어요"}
    first = client.post("/requests.json", form)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/json; charset=utf-8"
    (answer,) = first.json()
    assert set(answer) == {"service_request_id", "service_notice", "account_id"}
    again = client.post("/requests.json", form).json()[0]
    assert again["service_request_id"] == answer["service_request_id"]
    with session_scope() as session:
        assert len(service.list_complaints(session)) == 1


def test_the_api_key_is_checked_first(client, o311_base):
    form = {"service_code": "no_such_service", "address_string": "x", "description": "x"}
    for key in (None, "", "o311_not-a-key", "x" * 5000):
        body = dict(form) if key is None else {**form, "api_key": key}
        found = errors_of(requests.post(o311_base + V2 + "/requests.xml", data=body, timeout=TIMEOUT), 403)
        assert "api_key" in found[0]["description"]
    errors_of(requests.post(o311_base + V2 + "/requests.json", data=form, timeout=TIMEOUT), 403)


def test_a_revoked_key_stops_at_once(client):
    client.file()
    with session_scope() as session:
        (mine,) = [k for k in keys.list_keys(session) if k.client == "test-client"]
        keys.revoke_key(session, mine.id)
    form = {"service_code": "streetlight", "address_string": "서구 가정로 10", "description": "꺼졌어요"}
    errors_of(client.post("/requests.json", form), 403)
    # The key in the query string (some clients do that) is checked the same way.
    errors_of(requests.post(client.base + V2 + "/requests.json", params={"api_key": client.key}, data=form), 403)


def test_bad_input_is_400_naming_the_problem(client):
    ok = {"service_code": "streetlight", "address_string": "서구 가정로 10", "description": "꺼졌어요"}
    cases = {
        "service_code": {**ok, "service_code": ""},
        "location": {k: v for k, v in ok.items() if k != "address_string"},
        "address_id": {"service_code": "streetlight", "address_id": "123", "description": "x"},
        "long": {**ok, "lat": "37.5"},
        "number": {**ok, "lat": "north", "long": "126"},
        "range": {**ok, "lat": "137.5", "long": "126"},
        "description": {**ok, "description": ""},
        "4000": {**ok, "description": "가" * 4001},
        "attribute": {**ok, "attribute[plate_number]": "12가3456"},  # not a streetlight question
        "media_url": {**ok, "media_url": "http://tracker.example/pixel.gif"},
    }
    for expected, form in cases.items():
        description = errors_of(client.post("/requests.json", form), 400)[0]["description"]
        assert expected.split("_")[0] in description or expected in ("range", "number", "4000"), (expected, description)
    errors_of(client.post("/requests.json", [*ok.items(), ("service_code", "noise")]), 400)  # given twice
    errors_of(client.post("/requests.json", {**ok, "service_code": "no_such"}), 404)
    errors_of(client.post("/requests.json", {**ok, "jurisdiction_id": "elsewhere.gov"}), 404)
    with session_scope() as session:
        assert service.list_complaints(session) == []


def test_malformed_bodies_are_400_not_500(client):
    url = client.base + V2 + "/requests.xml"
    post = client.http.post
    errors_of(post(url, json={"api_key": client.key, "service_code": "noise"}, timeout=TIMEOUT), 400)
    errors_of(post(url, data=b"api_key=%FF%FE&x=1", headers=_form_type(), timeout=TIMEOUT), 400)
    errors_of(post(url, data="\udcff".encode("utf-8", "surrogatepass"), headers=_form_type(), timeout=TIMEOUT), 400)
    errors_of(post(url, data="&".join(f"f{i}=1" for i in range(500)), headers=_form_type(), timeout=TIMEOUT), 400)
    nul = {"api_key": client.key, "service_code": "noise", "address_string": "a", "description": "a\x00b"}
    errors_of(post(url, data=nul, timeout=TIMEOUT), 400)
    two = [*{**nul, "description": "ok"}.items(), ("attribute[noise_time][]", "밤"), ("attribute[noise_time][]", "낮")]
    errors_of(post(url, data=two, timeout=TIMEOUT), 400)  # a string attribute takes one value
    assert post(url, data="x" * 70_000, headers=_form_type(), timeout=TIMEOUT).status_code == 413  # the app's limit


def _form_type() -> dict[str, str]:
    return {"Content-Type": "application/x-www-form-urlencoded"}


def test_the_filing_limit_applies_per_client(client, monkeypatch):
    monkeypatch.setenv("SOTONG_FILING_LIMIT_PER_HOUR", "2")
    client.file(description="하나")
    client.file(description="둘")
    found = errors_of(
        client.post("/requests.json", {"service_code": "noise", "address_string": "a", "description": "셋"}), 429
    )
    assert "2 requests per hour" in found[0]["description"]
    other = Client(client.base, make_key("other-client"))
    other.file(description="셋")  # another client has its own count


# --- GET requests ------------------------------------------------------------------


def test_hostile_text_is_escaped_and_personal_data_masked(client):
    hostile = '<script>alert(1)</script> ]]> &amp; "q" \'s\' 연락처 010-9876-5432 +82 10 9876 5432 me@mail.kr'
    request_id = client.file(description=hostile, address_string="<b>서구</b> & 1")
    raw = client.get(f"/requests/{request_id}.xml")
    root = xml_of(raw, "service_requests")  # parses: well-formed whatever was filed
    assert b"<script>" not in raw.content and b"<b>" not in raw.content
    description = root.findtext("request/description")
    assert description.startswith("<script>alert(1)</script> ]]> &amp;")  # the text itself, round-tripped
    assert "9876-5432" not in description and "me@mail.kr" not in description
    assert "010-****-5432" in description
    assert root.findtext("request/address") == "<b>서구</b> & 1"


def test_get_requests_filters(client, core_db):
    first = client.file(service_code="noise", description="밤에 시끄러워요")
    second = client.file(service_code="streetlight", description="불이 꺼졌어요")
    with session_scope() as session:
        service.advance(session, second, "assigned", actor="staff:kim")
        service.reject(session, second, reason="사유 010-1111-2222", appeal_info="이의 신청", actor="staff:kim")

    def ids(**params) -> list[str]:
        answer = client.get("/requests.json", **params)
        assert answer.status_code == 200, answer.text
        return [r["service_request_id"] for r in answer.json()]

    assert ids() == [second, first]  # newest first, default: the last 90 days
    assert ids(status="open") == [first]
    assert ids(status="closed") == [second] and ids(status="open,closed") == [second, first]
    assert ids(service_code="noise") == [first] and ids(service_code="noise,streetlight") == [second, first]
    assert ids(service_request_id=first) == [first]
    assert ids(service_request_id=f"{first},{second}", status="open") == [second, first]  # ids override
    assert ids(service_request_id="not-an-id") == []
    now = datetime.now(timezone.utc)
    assert ids(start_date=(now - timedelta(days=1)).isoformat(), end_date=(now + timedelta(days=1)).isoformat())
    assert ids(start_date=(now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")) == []
    assert ids(end_date="2020-01-01T00:00:00+09:00") == []

    closed = client.get(f"/requests/{second}.json").json()[0]
    assert closed["status"] == "closed"
    assert closed["status_notes"].startswith("반려: 사유 010-****-2222")
    xml = xml_of(client.get("/requests.xml", status="closed"), "service_requests")
    assert [r.findtext("status") for r in xml.findall("request")] == ["closed"]


def test_bad_queries_are_400(client):
    now = datetime.now(timezone.utc)
    too_long = {"start_date": (now - timedelta(days=91)).isoformat(), "end_date": now.isoformat()}
    assert "90 days" in errors_of(client.get("/requests.json", **too_long), 400)[0]["description"]
    errors_of(client.get("/requests.xml", start_date="2026-01-01T00:00:00"), 400)  # no timezone
    errors_of(client.get("/requests.xml", start_date="yesterday"), 400)
    errors_of(client.get("/requests.xml", start_date="2026-02-01T00:00:00Z", end_date="2026-01-01T00:00:00Z"), 400)
    errors_of(client.get("/requests.xml", status="pending"), 400)
    errors_of(client.get("/requests.xml", service_request_id=",".join(["AAAA-AAAA"] * 101)), 400)


def test_unknown_requests_and_tokens_are_404(client):
    request_id = client.file()
    for path in ("/requests/ZZZZ-ZZZZ.json", "/requests/not-a-receipt.xml", "/tokens/ZZZZ-ZZZZ.json"):
        errors_of(client.get(path), 404)
    (token,) = client.get(f"/tokens/{request_id}.json").json()
    assert token == {"service_request_id": request_id, "token": request_id}
    root = xml_of(client.get(f"/tokens/{request_id}.xml"), "service_requests")
    assert root.findtext("request/service_request_id") == request_id


def test_a_chat_report_is_public_without_its_reporter_or_photo(client, resident):
    with session_scope() as session:
        service.record_phone_consent(session, resident, "010-2222-3333", "알림톡")
        filed = service.file_complaint(
            session,
            resident,
            category="illegal_dumping",
            address="서구 봉오대로 5",
            description="쓰레기가 쌓였어요",
            idempotency_key="chat-1",
            photo_url="https://talk.kakaocdn.net/photo.jpg",
            seen_at="어제 밤",
        )
    receipt = filed.complaint.receipt_no
    (public,) = client.get(f"/requests/{receipt}.json").json()
    assert public["media_url"] is None and public["description"] == "쓰레기가 쌓였어요"
    everything = client.get("/requests.xml").text
    for personal in (resident.user_id, "2222", "kakaocdn", "어제 밤"):
        assert personal not in everything


def test_a_residents_withdrawal_note_stays_private(client, resident):
    with session_scope() as session:
        filed = service.file_complaint(
            session, resident, category="noise", address="서구 1", description="시끄러워요", idempotency_key="k"
        )
        service.cancel(session, filed.complaint.receipt_no, resident, note="이사 갔어요, 우리집 101동")
    (public,) = client.get(f"/requests/{filed.complaint.receipt_no}.json").json()
    assert public["status"] == "closed" and "101동" not in public["status_notes"]


def test_long_hostile_codes_are_not_echoed(client):
    code = "<x>" + "a" * 5000
    found = errors_of(client.get(f"/services/{code}.xml"), 404)
    assert len(found[0]["description"]) < 100
    form = {"service_code": code, "address_string": "a", "description": "a"}
    assert len(errors_of(client.post("/requests.json", form), 404)[0]["description"]) < 100

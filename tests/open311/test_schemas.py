"""Our JSON answers against the Open311 community schemas (vendored in schemas/, CC BY 3.0),
and the documents those schemas do not cover (discovery, POST answer, errors) against the
spec text. The XML side is the same structure (render.py writes both from one value);
test_georeport_client.py reads it with a real client.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from jsonschema import Draft4Validator, RefResolver

from tests.open311.conftest import errors_of

SCHEMAS = Path(__file__).parent / "schemas"
NAMES = ("request", "requests", "service", "services", "service-definition")


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft4Validator]:
    store = {f"{n}.json": json.loads((SCHEMAS / f"{n}.json").read_text(encoding="utf-8")) for n in NAMES}
    # The schemas refer to each other by file name ("$ref": "request.json").
    resolver = RefResolver(base_uri="", referrer={}, store=store)
    return {n: Draft4Validator(store[f"{n}.json"], resolver=resolver) for n in NAMES}


def check(validator: Draft4Validator, document) -> None:
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert problems == [], problems


def aware(text: str) -> bool:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None


def test_services_and_definitions_match_the_schemas(client, validators):
    services = client.get("/services.json").json()
    check(validators["services"], services)
    for svc in services:
        check(validators["service"], svc)
        check(validators["service-definition"], client.get(f"/services/{svc['service_code']}.json").json())


def test_requests_match_the_schemas(client, validators, core_db):
    from sotong.complaints import service
    from sotong.db import session_scope

    client.file(description="하나 <&>")
    closed = client.file(service_code="noise", lat="37.5", long="126.6", description="둘")
    with session_scope() as session:
        service.advance(session, closed, "assigned", actor="staff:kim")
        service.reject(session, closed, reason="중복", appeal_info="이의 신청", actor="staff:kim")
    listed = client.get("/requests.json").json()
    assert len(listed) == 2
    check(validators["requests"], listed)
    for request in listed:
        check(validators["request"], request)
        for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert aware(request[name]), (name, request[name])  # format: date-time, with a timezone
        (one,) = client.get(f"/requests/{request['service_request_id']}.json").json()
        check(validators["request"], one)


def test_the_documents_without_a_community_schema(client):
    discovery = client.get("/discovery.json").json()
    assert all(isinstance(discovery[k], str) and discovery[k] for k in ("changeset", "contact", "key_service"))
    for endpoint in discovery["endpoints"]:
        assert {"specification", "url", "changeset", "type", "formats"} == set(endpoint)
        assert endpoint["type"] in ("production", "test")
    answer = client.post(
        "/requests.json", {"service_code": "noise", "address_string": "서구 1", "description": "시끄러워요"}
    ).json()
    assert isinstance(answer, list) and len(answer) == 1
    assert isinstance(answer[0]["service_request_id"], str) and "token" not in answer[0]  # one or the other
    errors = errors_of(client.get("/services/nope.json"), 404)
    assert isinstance(errors[0]["code"], int) and isinstance(errors[0]["description"], str)

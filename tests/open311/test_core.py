"""The Open311 core without HTTP: masking, XML writing, date ranges, queries, API keys, CLI."""

from __future__ import annotations

import argparse
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from sotong.db import session_scope
from sotong.open311 import keys, records
from sotong.open311.cli import register
from sotong.open311.errors import Open311Error
from sotong.open311.public import has_control_characters, public_text
from sotong.open311.render import errors, to_json, to_xml

UTC = timezone.utc


@pytest.mark.parametrize(
    "text, hidden, shown",
    [
        ("전화 010-1234-5678 주세요", "1234", "010-****-5678"),
        ("01098765432", "9876", "010-****-5432"),
        ("+82 10-1234-5678", "1234", "+82-10-****-5678"),
        ("+821012345678", "1234", "+82-10-****-5678"),
        ("메일 someone.name+x@example.co.kr", "someone", "***@***"),
        ("12가3456 차량", "3456", "12가****"),
        ("123 나 4567", "4567", "123나****"),
    ],
)
def test_public_text_masks_contact_data_and_plates(text, hidden, shown):
    masked = public_text(text)
    assert hidden not in masked and shown in masked


def test_public_text_keeps_ordinary_numbers_and_drops_what_xml_cannot_carry():
    assert public_text("봉오대로 123, 2026년 11월 30일") == "봉오대로 123, 2026년 11월 30일"
    assert public_text("a\x00b\x1fc\td\ne") == "abc\td\ne"
    assert public_text(None) is None
    assert has_control_characters("a\x00") and not has_control_characters("줄\n바꿈\t탭\r")


def test_xml_escapes_markup_and_writes_lists_booleans_and_nulls():
    body = to_xml(
        "service_requests",
        [{"service_request_id": "A", "description": '<x a="1">&]]></x>', "lat": 1.5, "flag": True, "none": None}],
    )
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<service_requests><request>')
    assert b"<x a=" not in body
    request = ET.fromstring(body).find("request")
    assert request.findtext("description") == '<x a="1">&]]></x>'
    assert (request.findtext("lat"), request.findtext("flag"), request.findtext("none")) == ("1.5", "true", "")
    assert ET.fromstring(to_xml("errors", errors(403, "a\x01b"))).findtext("error/description") == "ab"
    assert to_json(errors(404, "없음")) == '[{"code": 404, "description": "없음"}]'.encode()


def test_the_date_range_is_at_most_90_days():
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert records.date_range(None, None, now) == (now - timedelta(days=90), now)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert records.date_range(start, None) == (start, start + timedelta(days=90))
    assert records.date_range(None, start) == (start - timedelta(days=90), start)
    assert records.date_range(start, start + timedelta(days=90)) == (start, start + timedelta(days=90))
    for end in (start + timedelta(days=90, seconds=1), start - timedelta(seconds=1)):
        with pytest.raises(Open311Error) as caught:
            records.date_range(start, end)
        assert caught.value.status == 400


def test_query_parsing():
    query = records.parse_query(
        {
            "status": ["open", ""],
            "service_code": ["noise,streetlight", "animal"],
            "start_date": ["2026-11-01T00:00:00Z"],
        }
    )
    assert query.statuses == {"open"} and query.service_codes == ("noise", "streetlight", "animal")
    assert query.start == datetime(2026, 11, 1, tzinfo=UTC) and query.end is None
    assert records.parse_query({"service_request_id": ["abcd-2345, nonsense"]}).ids == ("ABCD-2345",)
    assert records.parse_query({"service_request_id": ["nonsense"]}).ids == ("-",)  # matches nothing
    assert records.parse_datetime("d", "2026-11-01T09:00:00+09:00") == datetime(2026, 11, 1, tzinfo=UTC)
    for bad in ({"status": ["opened"]}, {"start_date": ["2026-11-01"]}, {"end_date": ["a", "b"]}):
        with pytest.raises(Open311Error):
            records.parse_query(bad)


def test_api_keys_are_hashed_listed_and_revoked(core_db):
    with session_scope() as session:
        view, key = keys.create_key(session, "FixMyStreet-Seogu")
    assert key.startswith("o311_") and len(key) > 40 and view.client == "fixmystreet-seogu"
    with core_db.connect() as conn:
        stored = conn.exec_driver_sql("select key_hash, key_prefix from open311_api_key").one()
    assert key not in stored and stored.key_prefix == key[:9] and len(stored.key_hash) == 64
    with session_scope() as session:
        assert keys.authenticate(session, key).id == view.id
        assert keys.list_keys(session)[0].last_used_at is not None
        revoked = keys.revoke_key(session, view.id)
        assert keys.revoke_key(session, view.id).revoked_at == revoked.revoked_at  # idempotent
    for wrong in (key, None, "", key + "x", "o311_" + "A" * 200):
        with session_scope() as session, pytest.raises(Open311Error) as caught:
            keys.authenticate(session, wrong)
        assert caught.value.status == 403
    with pytest.raises(ValueError):
        keys.check_client_name("<script>")
    with session_scope() as session, pytest.raises(LookupError):
        keys.revoke_key(session, 999)


def test_the_key_commands(core_db, capsys):
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command", required=True))

    def run(*argv: str) -> tuple[int, str]:
        args = parser.parse_args(["open311", *argv])
        status = args.func(args)
        return status, capsys.readouterr().out

    status, out = run("key", "create", "--client", "seogu-app")
    key = out.strip().splitlines()[-1]
    assert status == 0 and key.startswith("o311_")
    status, out = run("key", "list")
    assert status == 0 and "seogu-app" in out and "active" in out and key not in out
    key_id = out.split("\t", 1)[0]
    assert run("key", "revoke", key_id)[0] == 0
    assert "revoked" in run("key", "list")[1]
    assert run("key", "revoke", "999")[0] == 1
    assert run("key", "create", "--client", "bad name!")[0] == 1

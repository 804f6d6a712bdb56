"""Bad requests get a JSON error with a code, never a traceback; writes need a staff name."""

from __future__ import annotations

import logging

import pytest
import requests

from sotong.db import dispose_engine
from sotong.deadlines import now_utc
from tests.core.helpers import file
from tests.web.conftest import TIMEOUT, Staff, error_of, serve
from web.app import create_app


def path(receipt: str, action: str) -> str:
    return f"/api/staff/complaints/{receipt}/{action}"


@pytest.fixture
def receipt(core_db, resident) -> str:
    return file(core_db, resident, now_utc())


def raw_post(staff: Staff, url_path: str, data, content_type="application/json") -> requests.Response:
    headers = staff.headers({"Content-Type": content_type}, write=True)
    return staff.http.post(staff.base + url_path, data=data, headers=headers, timeout=TIMEOUT)


@pytest.mark.parametrize("data", [b"{not json", b'{"status": "completed"', "\ud55c".encode("utf-16"), b"\xff\xfe"])
def test_malformed_json_is_400(staff, receipt, data):
    error = error_of(raw_post(staff, path(receipt, "advance"), data), 400)
    assert error["code"] == "malformed_json"


@pytest.mark.parametrize(
    "body,field",
    [
        ({}, "status"),  # missing
        ({"status": None}, "status"),
        ({"status": "on_site_check", "notes": "typo"}, "notes"),  # unknown field
        ({"status": "on_site_check", "note": "x" * 1001}, "note"),
        ({"status": ["on_site_check"]}, "status"),
    ],
)
def test_a_body_that_does_not_fit_the_schema_is_422(staff, receipt, body, field):
    error = error_of(staff.post(path(receipt, "advance"), body), 422)
    assert error["code"] == "invalid_input"
    assert field in [d["field"] for d in error["details"]] and field in error["message"]


@pytest.mark.parametrize("data", [b"[]", b'"on_site_check"', b"42", b"null"])
def test_a_body_that_is_not_an_object_is_422(staff, receipt, data):
    assert error_of(raw_post(staff, path(receipt, "advance"), data), 422)["code"] == "invalid_input"


def test_assign_takes_a_department_or_an_officer_not_both(staff, receipt):
    error = error_of(staff.post(path(receipt, "assign"), {"department": "cleaning", "officer": "cleaning-kim"}), 422)
    assert error["code"] == "invalid_input" and "not both" in error["message"]
    error = error_of(staff.post(path(receipt, "assign"), {"department": ""}), 422)
    assert error["details"][0]["field"] == "department"
    error = error_of(staff.post(path(receipt, "assign"), {"officer": "nobody"}), 400)
    assert error["code"] == "unknown_reference" and error["kind"] == "officer"


def test_an_empty_body_counts_as_an_empty_object(staff, receipt):
    response = raw_post(staff, path(receipt, "assign"), b"")
    assert staff.ok(response)["department_code"] == "cleaning"  # routed by category


def test_an_oversized_body_is_413(staff, receipt):
    big = {"status": "on_site_check", "note": "가" * 40_000}  # ~120 KB of UTF-8
    error = error_of(staff.post(path(receipt, "advance"), big), 413)
    assert error["code"] == "body_too_large"


def test_an_oversized_chunked_body_is_413(staff, receipt):
    """No Content-Length: the limit is enforced while the body streams in."""

    def chunks():
        yield b'{"status": "on_site_check", "note": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    response = raw_post(staff, path(receipt, "advance"), chunks())
    assert error_of(response, 413)["code"] == "body_too_large"
    shown = staff.ok(staff.get(f"/api/staff/complaints/{receipt}"))
    assert shown["status"] == "received"  # nothing was done


def test_a_body_under_the_limit_streams_through(staff, receipt):
    def chunks():
        yield b'{"department": '
        yield b'"cleaning"}'

    assert staff.ok(raw_post(staff, path(receipt, "assign"), chunks()))["status"] == "assigned"


@pytest.mark.parametrize(
    "name",
    [None, "", "k" * 51, ("김" * 51).encode(), b"\xff\xfekim", b"kim\tlee", "system", "resident:kakao:abc"],
)
def test_x_staff_name_is_ignored_the_token_says_who_acts(staff, receipt, name):
    """Once the identity came from this header; now it is the token's account, whatever is sent."""
    staff.name = name
    for action, body in (
        ("assign", {}),
        ("assign", {"officer": "cleaning-kim"}),
        ("advance", {"status": "on_site_check"}),
        ("transfer", {"department": "roads"}),
        ("reject", {"reason": "사유"}),
    ):
        answer = staff.ok(staff.post(path(receipt, action), body))
        assert answer["timeline"][-1]["actor"] == "staff:kim"


def test_reads_need_no_staff_name(staff, receipt):
    staff.name = None
    assert staff.ok(staff.get(f"/api/staff/complaints/{receipt}"))["receipt_no"] == receipt


def test_an_unexpected_error_is_a_generic_500_logged_with_phones_masked(token, caplog):
    app = create_app()

    @app.get("/api/staff/boom")
    def boom():  # a bug somewhere below the web layer
        raise RuntimeError("resident 010-1234-5678 broke it")

    with caplog.at_level(logging.ERROR, logger="web"), serve(app) as base:
        response = Staff(base, token).get("/api/staff/boom")
    error = error_of(response, 500)
    assert error == {"code": "internal_error", "message": "something went wrong; the error has been logged"}
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Traceback" in logged and "RuntimeError" in logged
    assert "010-****-5678" in logged and "010-1234-5678" not in logged


def test_a_database_without_the_schema_is_503_not_a_traceback(token, tmp_path, monkeypatch, caplog):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        with caplog.at_level(logging.ERROR, logger="web"), serve(create_app()) as base:
            response = Staff(base, token).get("/api/staff/complaints")
    finally:
        dispose_engine(url)
    error = error_of(response, 503)
    assert error["code"] == "database_unavailable" and "SELECT" not in error["message"].upper()
    assert any("no such table" in r.getMessage() for r in caplog.records)

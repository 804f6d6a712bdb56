"""Admins make officer accounts and API tokens in the console; others may not."""

from __future__ import annotations

import re

import pytest

from tests.web.console.conftest import PASSWORD


def test_an_admin_makes_an_officer_who_then_signs_in(new_client, accounts_made):
    admin = new_client().signed_in("admin")
    page = admin.get("/console/accounts")
    assert page.status_code == 200 and 'for="new-username"' in page.text
    response = admin.post(
        "/console/accounts",
        {
            "csrf_token": admin.csrf,
            "username": "choi",
            "display_name": "최민준",
            "role": "officer",
            "department": "roads",
            "officer": "roads-choi",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303 and "계정을 만들었어요" in admin.get(response.headers["location"]).text
    assert new_client().login("choi").status_code == 303


@pytest.mark.parametrize(
    "fields, status",
    [
        ({"username": "kim"}, 409),
        ({"username": "Bad Name"}, 400),
        ({"password": "short"}, 400),
        ({"department": ""}, 400),
        ({"department": "nope"}, 400),
        ({"role": "root"}, 400),
        ({"officer": "traffic-park"}, 400),
    ],
)
def test_bad_accounts_are_refused_with_the_reason(new_client, accounts_made, fields, status):
    admin = new_client().signed_in("admin")
    admin.get("/console/accounts")
    data = {
        "csrf_token": admin.csrf,
        "username": "new",
        "role": "officer",
        "department": "cleaning",
        "password": PASSWORD,
    }
    data.update(fields)
    response = admin.post("/console/accounts", data)
    assert response.status_code == status and ("확인해 주세요" in response.text or "이미 있어요" in response.text)


def test_officers_cannot_manage_accounts(new_client, accounts_made):
    kim = new_client().signed_in("kim")
    assert kim.get("/console/accounts").status_code == 403
    kim.get("/console/complaints")
    assert kim.post("/console/accounts/lee/disable", {"csrf_token": kim.csrf}).status_code == 403
    assert new_client().login("lee").status_code == 303


def test_disable_ends_the_sessions_and_a_token_is_shown_once(new_client, accounts_made):
    admin, lee = new_client().signed_in("admin"), new_client().signed_in("lee")
    admin.get("/console/accounts")
    assert admin.post("/console/accounts/lee/disable", {"csrf_token": admin.csrf}).status_code == 303
    assert lee.get("/console/complaints").status_code == 303
    assert new_client().login("lee").status_code == 401
    admin.get("/console/accounts")
    page = admin.post("/console/accounts/kim/tokens", {"csrf_token": admin.csrf, "label": "연동 스크립트"})
    token = re.search(r'<code class="token">(sotong_[^<]+)</code>', page.text).group(1)
    assert token not in admin.get("/console/accounts").text


def test_the_audit_log_page_is_for_admins(new_client, accounts_made):
    kim = new_client().signed_in("kim")
    assert kim.get("/console/audit").status_code == 403
    admin = new_client().signed_in("admin")
    page = admin.get("/console/audit")
    assert page.status_code == 200 and "login" in page.text and "<th scope=\"col\">직원</th>" in page.text
    only_kim = admin.get("/console/audit?target=kim")
    assert only_kim.status_code == 200 and "create_account" in only_kim.text
    assert admin.get("/console/audit?target=" + "<script>" * 50).status_code == 200

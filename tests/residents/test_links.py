"""Link codes: crossing sides once, within 10 minutes, void after 5 wrong tries; merging loses nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sotong.complaints import service
from sotong.complaints.models import Complaint, Resident
from sotong.complaints.residents import ResidentKey, find_resident, get_or_create_resident, record_phone_consent
from sotong.db import session_scope
from sotong.residents.devices import mint_device, verify_device
from sotong.residents.links import (
    CODE_TTL,
    MAX_WRONG_TRIES,
    LinkError,
    issue_code,
    linked_channels,
    merge_residents,
    normalize_code,
    redeem_code,
)
from sotong.residents.models import LinkCode, ResidentAlias
from tests.core.helpers import file


def _web(engine, secret, now):
    """A fresh web device: (cookie token, resident id, key)."""
    with session_scope(engine) as s:
        minted = mint_device(s, secret, now=now)
        return minted.token, minted.device.resident_id, ResidentKey("web", minted.device.public_key)


def _kakao_id(engine, who, now) -> int:
    with session_scope(engine) as s:
        return get_or_create_resident(s, who, now).id


def _issue(engine, resident_id, channel, secret, now) -> str:
    with session_scope(engine) as s:
        return issue_code(s, resident_id, channel, secret, now=now)


def _redeem(engine, code, resident_id, channel, secret, now):
    with session_scope(engine) as s:
        return redeem_code(s, code, resident_id, channel, secret, now=now)


def _refused(engine, code, resident_id, channel, secret, now) -> str:
    result = _redeem(engine, code, resident_id, channel, secret, now)
    assert not result.linked and result.resident_id is None
    return "invalid"


def test_a_web_code_typed_in_kakaotalk_links_both_ways(core_db, secret, now, resident):
    token, web_id, web_key = _web(core_db, secret, now)
    kakao_id = _kakao_id(core_db, resident, now)
    on_kakao = file(core_db, resident, now)
    on_web = file(core_db, web_key, now)
    code = _issue(core_db, web_id, "web", secret, now)
    result = _redeem(core_db, code, kakao_id, "kakao", secret, now + timedelta(minutes=9))
    assert result.linked and not result.already_linked
    with session_scope(core_db) as s:
        both = {
            find_resident(s, resident).id,
            find_resident(s, web_key).id,
            verify_device(s, secret, token).resident_id,
        }
        assert both == {result.resident_id}
        receipts = {c.receipt_no for c in service.list_for_resident(s, web_key, now)}
        assert receipts == {on_kakao, on_web} == {c.receipt_no for c in service.list_for_resident(s, resident, now)}
        assert sorted(c.channel for c in linked_channels(s, result.resident_id)) == ["kakao", "web"]
    # Filing again from either side lands on the same resident, never a new row.
    file(core_db, resident, now)
    with session_scope(core_db) as s:
        assert s.execute(select(func.count()).select_from(Resident)).scalar_one() == 1


def test_a_kakao_code_typed_on_the_web_links_too(core_db, secret, now, resident):
    _, web_id, web_key = _web(core_db, secret, now)
    kakao_id = _kakao_id(core_db, resident, now)
    code = _issue(core_db, kakao_id, "kakao", secret, now)
    result = _redeem(core_db, f"{code[:3]} {code[3:]}", web_id, "web", secret, now)
    with session_scope(core_db) as s:
        assert find_resident(s, web_key).id == find_resident(s, resident).id == result.resident_id


def test_a_code_works_once(core_db, secret, now, resident, stranger):
    _, web_id, _ = _web(core_db, secret, now)
    code = _issue(core_db, web_id, "web", secret, now)
    _redeem(core_db, code, _kakao_id(core_db, resident, now), "kakao", secret, now)
    assert _refused(core_db, code, _kakao_id(core_db, stranger, now), "kakao", secret, now) == "invalid"


def test_a_code_expires_after_ten_minutes(core_db, secret, now, resident):
    _, web_id, _ = _web(core_db, secret, now)
    code = _issue(core_db, web_id, "web", secret, now)
    late = now + CODE_TTL + timedelta(seconds=1)
    assert _refused(core_db, code, _kakao_id(core_db, resident, now), "kakao", secret, late) == "invalid"


def test_a_code_is_void_after_five_wrong_tries(core_db, secret, now, resident):
    _, web_id, _ = _web(core_db, secret, now)
    code = _issue(core_db, web_id, "web", secret, now)
    kakao_id = _kakao_id(core_db, resident, now)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(MAX_WRONG_TRIES):
        assert _refused(core_db, wrong, kakao_id, "kakao", secret, now) == "invalid"
    assert _refused(core_db, code, kakao_id, "kakao", secret, now) == "invalid"


def test_four_wrong_tries_still_leave_the_code_usable(core_db, secret, now, resident):
    _, web_id, _ = _web(core_db, secret, now)
    code = _issue(core_db, web_id, "web", secret, now)
    kakao_id = _kakao_id(core_db, resident, now)
    for _ in range(MAX_WRONG_TRIES - 1):
        _refused(core_db, f"{(int(code) + 7) % 10**6:06d}", kakao_id, "kakao", secret, now)
    assert _redeem(core_db, code, kakao_id, "kakao", secret, now).resident_id == min(web_id, kakao_id)


def test_a_code_cannot_be_redeemed_on_the_side_that_made_it(core_db, secret, now):
    # Another web resident typing a web code would take over the issuer's web identity.
    _, web_id, _ = _web(core_db, secret, now)
    _, other_id, _ = _web(core_db, secret, now)
    code = _issue(core_db, web_id, "web", secret, now)
    assert _refused(core_db, code, other_id, "web", secret, now) == "invalid"
    with session_scope(core_db) as s:  # and it counts as a wrong try against nothing of the web's own
        assert s.execute(select(LinkCode.attempts)).scalar_one() == 0


def test_a_new_code_replaces_the_residents_earlier_one(core_db, secret, now, resident):
    _, web_id, _ = _web(core_db, secret, now)
    first = _issue(core_db, web_id, "web", secret, now)
    second = _issue(core_db, web_id, "web", secret, now)
    kakao_id = _kakao_id(core_db, resident, now)
    if first != second:
        assert _refused(core_db, first, kakao_id, "kakao", secret, now) == "invalid"
    assert _redeem(core_db, second, kakao_id, "kakao", secret, now).linked


def test_codes_are_kept_only_as_keyed_hashes(core_db, secret, now):
    _, web_id, _ = _web(core_db, secret, now)
    code = _issue(core_db, web_id, "web", secret, now)
    with session_scope(core_db) as s:
        row = s.execute(select(LinkCode)).scalar_one()
        assert code not in row.code_hash and len(row.code_hash) == 64
    import hashlib

    assert row.code_hash != hashlib.sha256(code.encode()).hexdigest()


@pytest.mark.parametrize("raw", ["12345", "1234567", "12a456", "", None, 123456, "１２３４５６７", "x" * 1000])
def test_malformed_codes_are_refused_without_counting(raw):
    with pytest.raises(LinkError) as caught:
        normalize_code(raw)
    assert caught.value.reason == "malformed"


def test_no_secret_no_linking(core_db, now, resident):
    kakao_id = _kakao_id(core_db, resident, now)
    with pytest.raises(LinkError) as caught, session_scope(core_db) as s:
        issue_code(s, kakao_id, "kakao", None, now=now)
    assert caught.value.reason == "disabled"


def test_redeeming_ones_own_code_again_after_linking_is_harmless(core_db, secret, now, resident):
    _, web_id, _ = _web(core_db, secret, now)
    kakao_id = _kakao_id(core_db, resident, now)
    _redeem(core_db, _issue(core_db, web_id, "web", secret, now), kakao_id, "kakao", secret, now)
    survivor = min(web_id, kakao_id)
    again = _redeem(core_db, _issue(core_db, survivor, "web", secret, now), survivor, "kakao", secret, now)
    assert again.already_linked and again.resident_id == survivor


def test_merge_keeps_every_complaint_consent_and_history(core_db, secret, now, resident):
    _, web_id, web_key = _web(core_db, secret, now)
    kakao_id = _kakao_id(core_db, resident, now)
    # The same idempotency key on both sides must not lose either complaint.
    receipts = {file(core_db, resident, now, key="same-key"), file(core_db, web_key, now, key="same-key")}
    receipts |= {file(core_db, web_key, now), file(core_db, resident, now)}
    with session_scope(core_db) as s:
        record_phone_consent(s, resident, "010-1234-5678", "민원 처리 알림", now=now)
        record_phone_consent(s, web_key, "010-9999-0000", "민원 처리 알림", now=now + timedelta(minutes=1))
    with session_scope(core_db) as s:
        merge_residents(s, kakao_id, web_id, now)
    with session_scope(core_db) as s:
        rows = s.execute(select(Complaint)).scalars().all()
        assert {c.receipt_no for c in rows} == receipts and {c.resident_id for c in rows} == {kakao_id}
        assert all(c.history for c in rows)
        kept = s.get(Resident, kakao_id)
        assert kept.phone == "01099990000" and kept.phone_consent_at is not None  # the newer consent
        assert s.get(Resident, web_id) is None
        alias = s.execute(select(ResidentAlias)).scalar_one()
        assert (alias.channel, alias.channel_user_id, alias.resident_id) == ("web", web_key.user_id, kakao_id)


def test_a_failed_merge_changes_nothing(core_db, secret, now, resident):
    _, web_id, web_key = _web(core_db, secret, now)
    receipt = file(core_db, web_key, now)
    with pytest.raises(ValueError), session_scope(core_db) as s:
        merge_residents(s, web_id, 10**9, now)
    with session_scope(core_db) as s:
        assert find_resident(s, web_key).id == web_id
        assert s.execute(select(Complaint.resident_id).where(Complaint.receipt_no == receipt)).scalar_one() == web_id


def test_a_second_device_links_to_the_same_kakao_resident(core_db, secret, now, resident):
    kakao_id = _kakao_id(core_db, resident, now)
    ids = []
    for _ in range(2):
        token, web_id, _ = _web(core_db, secret, now)
        ids.append(_redeem(core_db, _issue(core_db, web_id, "web", secret, now), kakao_id, "kakao", secret, now))
    with session_scope(core_db) as s:
        assert find_resident(s, resident).id == kakao_id
    assert {r.resident_id for r in ids} == {kakao_id}


def test_two_racing_redemptions_of_one_code_link_once(core_db, secret, now, resident, stranger):
    import threading

    _, web_id, _ = _web(core_db, secret, now)
    code = _issue(core_db, web_id, "web", secret, now)
    ids = [_kakao_id(core_db, who, now) for who in (resident, stranger)]
    results, barrier = [], threading.Barrier(2)

    def redeem(resident_id):
        barrier.wait()
        results.append(_redeem(core_db, code, resident_id, "kakao", secret, now))

    threads = [threading.Thread(target=redeem, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(r.linked for r in results) == [False, True]
    with session_scope(core_db) as s:  # the loser's resident is untouched
        owners = {find_resident(s, resident).id, find_resident(s, stranger).id}
        assert len(owners) == 2

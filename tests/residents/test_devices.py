"""Device tokens: only what the server minted, unchanged, unrevoked and recently used signs in."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from sotong.complaints.models import Resident
from sotong.db import session_scope
from sotong.residents.devices import (
    DEVICE_MAX_AGE,
    DeviceTokenError,
    csrf_token,
    mint_device,
    renewal_due,
    revoke_device,
    touch_device,
    verify_device,
)
from sotong.residents.models import WebDevice
from sotong.session_token import issue


def _mint(engine, secret, now, ua="Mozilla/5.0 (iPhone)"):
    with session_scope(engine) as s:
        minted = mint_device(s, secret, ua, now=now)
        return minted.token, minted.device.id, minted.device.public_key, minted.device.resident_id


def _verify(engine, secret, token, now):
    with session_scope(engine) as s:
        return verify_device(s, secret, token, now=now).id


def _refused(engine, secret, token, now) -> str:
    with pytest.raises(DeviceTokenError) as caught:
        _verify(engine, secret, token, now)
    return caught.value.reason


def test_a_minted_token_signs_in_as_a_new_web_resident(core_db, secret, now):
    token, device_id, key, resident_id = _mint(core_db, secret, now)
    assert _verify(core_db, secret, token, now) == device_id
    with session_scope(core_db) as s:
        resident = s.get(Resident, resident_id)
        assert (resident.channel, resident.channel_user_id) == ("web", key)


def test_only_a_hash_of_the_random_part_is_stored(core_db, secret, now):
    token, device_id, key, _ = _mint(core_db, secret, now)
    random_part = token.split(".")[1]
    with session_scope(core_db) as s:
        device = s.get(WebDevice, device_id)
        stored = [str(v) for v in (device.token_hash, device.public_key, device.user_agent)]
    assert stored[0] == hashlib.sha256(random_part.encode()).hexdigest()
    assert all(random_part not in v and token not in v for v in stored)


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # signature changed
        lambda t: t.split(".")[0] + "." + "A" * 43 + "." + t.split(".")[2],  # random part swapped
        lambda t: ("y" if t[0] == "x" else "x") + t[1:],  # public key changed (a token may start with x)
        lambda t: t + ".",
        lambda t: "",
        lambda t: "a.b.c",
        lambda t: t.replace(".", "%2E"),
    ],
)
def test_tampered_tokens_are_refused(core_db, secret, now, mangle):
    token, *_ = _mint(core_db, secret, now)
    assert _refused(core_db, secret, mangle(token), now) in ("invalid", "missing", "unknown")


def test_a_token_signed_with_another_secret_or_none_is_refused(core_db, secret, now):
    token, *_ = _mint(core_db, secret, now)
    assert _refused(core_db, "another-secret-of-enough-length", token, now) == "invalid"
    assert _refused(core_db, None, token, now) == "invalid"


def test_a_forged_token_for_a_key_not_in_the_database_is_unknown(core_db, secret, now):
    # Correctly signed (the attacker has the secret, e.g. a leaked config) but never minted.
    with session_scope(core_db) as s:
        minted = mint_device(s, secret, now=now)
        s.delete(s.get(WebDevice, minted.device.id))
    assert _refused(core_db, secret, minted.token, now) == "unknown"


def test_a_web_chat_session_token_is_not_a_device_token(core_db, secret, now):
    chat = issue(secret).token  # same secret, other domain
    assert _refused(core_db, secret, chat, now) == "invalid"


def test_revoked_tokens_are_refused_for_good(core_db, secret, now):
    token, device_id, *_ = _mint(core_db, secret, now)
    with session_scope(core_db) as s:
        revoke_device(s, device_id, now=now)
    assert _refused(core_db, secret, token, now) == "revoked"
    assert _refused(core_db, secret, token, now + timedelta(days=1)) == "revoked"


def test_tokens_expire_after_400_days_unused_and_use_slides_the_window(core_db, secret, now):
    token, device_id, *_ = _mint(core_db, secret, now)
    later = now + DEVICE_MAX_AGE - timedelta(days=1)
    assert _verify(core_db, secret, token, later) == device_id
    with session_scope(core_db) as s:
        device = s.get(WebDevice, device_id)
        assert renewal_due(device, later) and not renewal_due(device, now + timedelta(hours=23))
        touch_device(s, device, later)
    assert _verify(core_db, secret, token, later + DEVICE_MAX_AGE - timedelta(days=1)) == device_id
    assert _refused(core_db, secret, token, later + DEVICE_MAX_AGE + timedelta(days=1)) == "expired"


def test_csrf_token_is_per_device_and_secret(secret):
    assert csrf_token(secret, "a" * 22) != csrf_token(secret, "b" * 22)
    assert csrf_token(secret, "a" * 22) != csrf_token(secret + "x", "a" * 22)


def test_user_agent_label_is_bounded_and_cleaned(core_db, secret, now):
    _, device_id, *_ = _mint(core_db, secret, now, ua="A\n\tB " + "x" * 500)
    with session_scope(core_db) as s:
        label = s.execute(select(WebDevice.user_agent).where(WebDevice.id == device_id)).scalar_one()
    assert label.startswith("A B ") and len(label) == 80


def test_minting_needs_a_secret(core_db, now):
    with pytest.raises(ValueError), session_scope(core_db) as s:
        mint_device(s, None, now=now)

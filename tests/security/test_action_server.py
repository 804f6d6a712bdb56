"""Issue 7, finding 1: the action server acts for any resident named in the tracker it is sent,
so only Rasa may call it: loopback only, a shared secret checked in constant time, bounded
bodies (compressed ones too), and error replies that never echo the tracker.

Probes against the real action server of the e2e stack (rasa_stack), plus start-up refusals.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zlib

import pytest
import requests

from tests.e2e.stack import ROOT, texts
from tests.security.probes import listening_addresses

pytestmark = pytest.mark.e2e

HEADER = "X-Sotong-Action-Secret"
VICTIM_PHONE = "01023456789"


def _action_call(sender: str = "kakao:victim", action: str = "action_complaint_status") -> dict:
    """What an attacker would send: a tracker naming someone else's conversation."""
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": {"phone": VICTIM_PHONE},
            "latest_message": {"text": "내 민원"},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def _post(stack, body, headers=None, **kwargs) -> requests.Response:
    return requests.post(f"{stack.action_url}/webhook", data=body, headers=headers or {}, timeout=30, **kwargs)


def test_webhook_without_the_secret_is_refused(rasa_stack):
    resp = _post(rasa_stack, json.dumps(_action_call()), {"Content-Type": "application/json"})
    assert resp.status_code == 401
    assert resp.json() == {"error": "unauthorized"}


def test_webhook_with_a_wrong_secret_is_refused(rasa_stack):
    wrong = rasa_stack.action_secret[:-1] + ("x" if rasa_stack.action_secret[-1] != "x" else "y")
    resp = _post(rasa_stack, json.dumps(_action_call()), {"Content-Type": "application/json", HEADER: wrong})
    assert resp.status_code == 401


def test_action_list_needs_the_secret_but_health_does_not(rasa_stack):
    assert requests.get(f"{rasa_stack.action_url}/actions", timeout=10).status_code == 401
    assert requests.get(f"{rasa_stack.action_url}/health", timeout=10).status_code == 200


def test_rasa_sends_the_secret_so_actions_still_answer(rasa_stack):
    # action_passport runs on the action server: an answer means Rasa's header was accepted.
    assert "여권" in texts(rasa_stack.say("secret-check", "여권 발급 필요서류"))


@pytest.mark.parametrize("encoding", ["deflate", "gzip"])
def test_compressed_bomb_is_refused_before_it_inflates(rasa_stack, encoding):
    inflated = json.dumps({"next_action": "action_greet", "pad": " " * 64_000_000}).encode()
    body = zlib.compress(inflated, 9) if encoding == "deflate" else gzip.compress(inflated, 9)
    assert len(body) < 200_000  # ~60 KB on the wire, 64 MB inflated
    resp = _post(
        rasa_stack,
        body,
        {HEADER: rasa_stack.action_secret, "Content-Encoding": encoding, "Content-Type": "application/json"},
    )
    assert resp.status_code == 413
    assert resp.json() == {"error": "body_too_large"}


def test_oversized_raw_body_is_refused(rasa_stack):
    resp = _post(rasa_stack, b"{" + b" " * (9 * 1024 * 1024) + b"}", {HEADER: rasa_stack.action_secret})
    assert resp.status_code == 413


def test_deeply_nested_json_is_a_400(rasa_stack):
    resp = _post(rasa_stack, "[" * 100_000 + "]" * 100_000, {HEADER: rasa_stack.action_secret})
    assert resp.status_code == 400


def test_malformed_action_call_gets_a_400_that_does_not_echo_the_tracker(rasa_stack):
    call = _action_call(action="action_greet")
    del call["tracker"]["sender_id"]  # rasa_sdk raised KeyError and answered 500 with the whole request body
    resp = _post(rasa_stack, json.dumps(call), {HEADER: rasa_stack.action_secret, "Content-Type": "application/json"})
    assert resp.status_code == 400
    assert VICTIM_PHONE not in resp.text and "Traceback" not in resp.text
    assert resp.json() == {"error": "invalid_action_call"}


def test_action_server_listens_on_loopback_only(rasa_stack):
    assert listening_addresses(rasa_stack.action_port) == {"127.0.0.1"}


def _start_without_secret(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "SOTONG_ACTION_SECRET"}
    env.update(PYTHONPATH=str(ROOT), SOTONG_ACTION_PORT="1", **extra_env)
    return subprocess.run(
        [sys.executable, "-m", "actions.server"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("mode", ["development", "production"])
def test_action_server_refuses_to_start_without_a_secret(mode):
    done = _start_without_secret({"SOTONG_MODE": mode})
    assert done.returncode == 2
    assert "SOTONG_ACTION_SECRET" in done.stderr and "Traceback" not in done.stderr


def test_production_refuses_a_short_secret():
    done = _start_without_secret({"SOTONG_MODE": "production", "SOTONG_ACTION_SECRET": "short"})
    assert done.returncode == 2
    assert "SOTONG_ACTION_SECRET" in done.stderr

"""socket.io across replicas (issue 13, item 3): a resident's socket is held by one Rasa replica,
and a message the *other* replica sends to that conversation outside a turn (a push through
Rasa's HTTP API, ``output_channel=latest``) still reaches it — through Redis
(connectors/socketio_fleet.py; run_prod.sh sets SOTONG_SOCKETIO_REDIS_URL)."""

from __future__ import annotations

from types import SimpleNamespace

import requests

from devkit.prod_stack import ProdStack
from sotong.session_token import issue
from tests.security.test_socketio import Resident, texts


def test_a_push_from_the_other_replica_reaches_the_socket(prod_stack: ProdStack):
    holder, other = prod_stack.rasa_ports
    for port in (holder, other):  # an earlier fault test may have killed one: the supervisor restarts it
        prod_stack.wait_until_serving(port)
    secret = (prod_stack.workdir / "var" / "session-secret").read_text().strip()
    token = issue(secret)
    resident = Resident(SimpleNamespace(rasa_url=f"http://127.0.0.1:{holder}"))  # the socket lives on `holder`
    try:
        resident.request_session(token.token)
        assert resident.wait_for("session_confirm") == [token.token]
        resident.say("안녕하세요", token.token)
        first = len(resident.wait_for("bot_uttered"))

        # The other replica runs an answer for this conversation and sends it to the latest channel.
        pushed = requests.post(
            f"http://127.0.0.1:{other}/conversations/web:{token.session_id}/trigger_intent",
            params={"output_channel": "latest"},
            json={"name": "greet"},
            headers={"Authorization": f"Bearer {prod_stack.token}"},
            timeout=60,
        )
        assert pushed.status_code == 200, pushed.text
        arrived = resident.wait_for("bot_uttered", count=first + 1)
        assert texts(arrived[first:]).strip(), arrived
    finally:
        resident.close()

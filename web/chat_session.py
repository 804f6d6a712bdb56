"""POST /api/chat/session: the web chat's session id, issued and signed here.

Rasa's socket.io channel (connectors/socketio.py) accepts only session ids signed with
SOTONG_SESSION_SECRET (sotong/session_token.py), so a client can no longer pick an id
and join someone's conversation. The page calls this before connecting and sends the
returned ``session_id`` in socket.io's ``session_request``; it keeps it (e.g. in
localStorage) so a reload or a reconnect stays in the same conversation.

Body (optional): ``{"session_id": "<a token from earlier>"}`` renews that token — same
session, fresh issue time — while it is still valid; otherwise a new session starts
(``renewed: false``). No secret configured → 503, the web chat is closed.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response

from sotong.session_token import SECRET_ENV, SessionTokenError, issue, session_max_age, session_secret, verify
from web.errors import ApiError

router = APIRouter(prefix="/api/chat", tags=["chat"])


async def _previous_token(request: Request) -> Any:
    raw = await request.body()  # bounded by the app's body-size middleware
    if not raw.strip():
        return None
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(400, "malformed_json", "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_input", 'the body must be a JSON object: {"session_id": "..."} or empty')
    return body.get("session_id")


@router.post("/session")
async def chat_session(request: Request, response: Response) -> dict[str, Any]:
    secret = session_secret()  # read per request, like the staff token: rotation needs no restart
    if secret is None:
        raise ApiError(503, "chat_disabled", f"the web chat is disabled: set {SECRET_ENV} on the server")
    response.headers["Cache-Control"] = "no-store"  # a session id is a bearer identity
    max_age = session_max_age()
    previous = await _previous_token(request)
    try:
        session_id = verify(secret, previous, max_age).session_id
        renewed = True
    except SessionTokenError:
        session_id, renewed = None, False
    token = issue(secret, session_id)
    return {"session_id": token.token, "expires_in": max_age, "renewed": renewed}

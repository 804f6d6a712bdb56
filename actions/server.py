"""``python -m actions.server``: the action server, closed by default.

The resident's identity reaches the actions inside the tracker that the caller
sends, so whoever can POST to ``/webhook`` can act as any resident. This entry
point replaces ``rasa run actions`` (rasa_sdk's ``create_app``) with the same
executor behind four locks:

* it listens on SOTONG_ACTION_HOST (default 127.0.0.1), not 0.0.0.0;
* every route but ``/health`` needs the header ``X-Sotong-Action-Secret`` equal to
  SOTONG_ACTION_SECRET (Rasa sends it from ``endpoints.yml``), compared in constant
  time; without the secret configured the server refuses to start;
* bodies are capped before and after decompression (deflate/gzip), so a
  compressed bomb gets a 413 instead of filling memory;
* error replies are short JSON: never the tracker (rasa_sdk's handler echoes the
  whole request body on any exception) and never a traceback.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import sys
import zlib
from typing import Any

from sotong import logmask

logmask.install()  # before rasa_sdk and sanic create their loggers' first records

from rasa_sdk import utils  # noqa: E402
from rasa_sdk.executor import ActionExecutor  # noqa: E402
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException  # noqa: E402
from rasa_sdk.plugin import plugin_manager  # noqa: E402
from sanic import Sanic, response  # noqa: E402
from sanic.exceptions import SanicException  # noqa: E402
from sanic.request import Request  # noqa: E402
from sanic.response import HTTPResponse  # noqa: E402

from sotong.district import load_profile  # noqa: E402
from sotong.settings import production_mode  # noqa: E402

log = logging.getLogger("actions.server")

SECRET_HEADER = "X-Sotong-Action-Secret"
OPEN_PATHS = frozenset({"/health"})
# A tracker for one conversation session is tens of KB; 8 MB leaves room for long sessions.
DEFAULT_MAX_BODY = 8 * 1024 * 1024
MIN_SECRET_LENGTH = 16
_WBITS = {"deflate": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS}


class ConfigError(Exception):
    """The server must not start as configured; the message says what to set."""


class BodyError(Exception):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status, self.code = status, code


def _error(status: int, code: str) -> HTTPResponse:
    return response.json({"error": code}, status=status)


def action_secret() -> str:
    """SOTONG_ACTION_SECRET, or ConfigError: an open action server is never the default.

    Development refuses too (not just warns): `make run` and the test stack always
    generate a secret, so a missing one means the server was started by hand, and a
    warning in a log nobody reads would leave every resident's complaints open.
    """
    secret = os.environ.get("SOTONG_ACTION_SECRET", "").strip()
    if not secret:
        raise ConfigError(
            "SOTONG_ACTION_SECRET is not set: the action server does not start without it "
            "(scripts/run.sh generates one in var/action-secret)"
        )
    if len(secret) < MIN_SECRET_LENGTH:
        if production_mode():
            raise ConfigError(f"SOTONG_ACTION_SECRET is shorter than {MIN_SECRET_LENGTH} characters")
        log.warning("SOTONG_ACTION_SECRET is short; use at least 32 random characters")
    return secret


def max_body_bytes() -> int:
    raw = os.environ.get("SOTONG_ACTION_MAX_BODY", "").strip()
    try:
        value = int(raw) if raw else DEFAULT_MAX_BODY
    except ValueError:
        raise ConfigError(f"SOTONG_ACTION_MAX_BODY must be a number of bytes, not {raw!r}") from None
    if value < 1024:
        raise ConfigError("SOTONG_ACTION_MAX_BODY must be at least 1024 bytes")
    return value


def inflate(body: bytes, encoding: str, limit: int) -> bytes:
    """The request body decompressed, never more than ``limit`` bytes of output."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in _WBITS:
        raise BodyError(415, "unsupported_content_encoding")
    inflater = zlib.decompressobj(_WBITS[encoding])
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise BodyError(400, "invalid_compressed_body") from None
    if len(data) > limit or inflater.unconsumed_tail:
        raise BodyError(413, "body_too_large")
    return data


def parse_action_call(body: bytes) -> dict[str, Any]:
    try:
        call = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: deeply nested JSON
        raise BodyError(400, "invalid_json") from None
    tracker = call.get("tracker") if isinstance(call, dict) else None
    if (
        not isinstance(tracker, dict)
        or not isinstance(call.get("next_action"), str)
        or not isinstance(tracker.get("sender_id"), str)
        or not isinstance(call.get("domain", {}), dict)
    ):
        raise BodyError(400, "invalid_action_call")
    return call


def create_app(action_package: str = "actions", secret: str | None = None, max_body: int | None = None) -> Sanic:
    secret_bytes = (secret if secret is not None else action_secret()).encode("utf-8")
    limit = max_body or max_body_bytes()
    # A broken district profile stops the start with the file and key named, not mid-chat.
    load_profile()
    app = Sanic("sotong_actions", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = limit  # raw body: Sanic answers 413 itself
    app.config.FALLBACK_ERROR_FORMAT = "json"
    executor = ActionExecutor()
    executor.register_package(action_package)

    @app.middleware("request")
    async def require_secret(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, secret_bytes):
            log.warning(
                "action server: %s %s refused (%s)",
                request.method,
                request.path,
                "wrong secret" if given else "no secret",
            )
            return _error(401, "unauthorized")
        return None

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def actions(_: Request) -> HTTPResponse:
        return response.json([{"name": name} for name in executor.actions])

    @app.post("/webhook")
    async def webhook(request: Request) -> HTTPResponse:
        try:
            body = inflate(request.body or b"", request.headers.get("Content-Encoding", ""), limit)
            call = parse_action_call(body)
        except BodyError as exc:
            return _error(exc.status, exc.code)
        version = call.get("version")
        utils.check_version_compatibility(version if isinstance(version, str) else None)
        try:
            result = await executor.run(call)
        except ActionExecutionRejection as exc:
            # Rasa reads action_name + error from a 400 to let another policy act.
            return response.json({"error": exc.message, "action_name": exc.action_name}, status=400)
        except ActionNotFoundException as exc:
            log.error("%s", exc)
            return response.json({"error": "action_not_found", "action_name": exc.action_name}, status=404)
        return response.json(result)

    @app.exception(Exception)
    async def on_error(request: Request, exc: Exception) -> HTTPResponse:
        if isinstance(exc, SanicException):  # 404 route, 405, 413 from Sanic itself
            status = getattr(exc, "status_code", 500) or 500
            code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(status)
            return _error(status, code or ("request_refused" if status < 500 else "internal_error"))
        # Logged here (masked), answered with a bare code: the body held the whole tracker.
        log.error("action server: %s failed on %s", type(exc).__name__, request.path, exc_info=exc)
        return _error(500, "internal_error")

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def _setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True
    )


def main() -> int:
    _setup_logging()
    host = os.environ.get("SOTONG_ACTION_HOST", "").strip() or "127.0.0.1"
    try:
        port = int(os.environ.get("SOTONG_ACTION_PORT", "").strip() or "5055")
        app = create_app()
    except (ConfigError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    log.info("action server on http://%s:%s (secret header %s required)", host, port, SECRET_HEADER)
    app.run(host=host, port=port, workers=utils.number_of_sanic_workers(), access_log=False, debug=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())

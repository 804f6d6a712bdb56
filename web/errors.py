"""Every error leaves the web app as JSON ``{"error": {"code": ..., "message": ...}}``.

Domain errors keep the core's stable ``code``; the HTTP status says what kind of
failure it was (401 who are you, 404 unknown receipt, 409 the lifecycle refuses, 400/422
bad input, 413 body too large, 503 not configured or database down). Anything
unexpected is logged with its traceback (phone numbers masked) and answered with a
generic 500: a client never sees a traceback or SQL.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sotong.complaints.errors import (
    ComplaintError,
    ComplaintNotFound,
    CorrectionNotAllowed,
    InvalidComplaintInput,
    TransitionRefused,
    UnknownReference,
)
from sotong.complaints.service import staff_next_statuses
from sotong.notifications.masking import PhoneMaskingFilter, mask_phones

log = logging.getLogger(__name__)
log.addFilter(PhoneMaskingFilter())

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    503: "unavailable",
}


class ApiError(Exception):
    """An answer the web layer decides on itself (auth, headers, body limits)."""

    def __init__(self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None, **extra: Any):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})
        self.extra = extra


class BodyTooLarge(StarletteHTTPException):
    """Raised while the body streams in. An HTTPException so FastAPI's body reader passes it on."""

    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {limit} bytes")


def error_response(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, **extra}}, status_code=status, headers=dict(headers or {})
    )


def _value(status: Any) -> str:
    return str(getattr(status, "value", status))


def _who(request: Request) -> str:
    return getattr(request.state, "actor", None) or "anonymous"


def _refused(request: Request, exc: Exception) -> None:
    """Refused writes belong in the audit log too, with who tried."""
    if request.method != "GET":
        log.info("refused %s %s by %s: %s", request.method, request.url.path, _who(request), exc)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status, exc.code, exc.message, exc.headers, **exc.extra)


async def _not_found(request: Request, exc: ComplaintNotFound) -> JSONResponse:
    _refused(request, exc)
    return error_response(404, exc.code, str(exc), receipt_no=exc.receipt_no)


async def _transition_refused(request: Request, exc: TransitionRefused) -> JSONResponse:
    _refused(request, exc)
    return error_response(
        409,
        exc.code,
        str(exc),
        from_status=_value(exc.from_status),
        to_status=_value(exc.to_status),
        reason=exc.reason,
        allowed=staff_next_statuses(exc.from_status),
    )


async def _correction_not_allowed(request: Request, exc: CorrectionNotAllowed) -> JSONResponse:
    _refused(request, exc)
    return error_response(
        409, exc.code, str(exc), from_status=_value(exc.status), allowed=staff_next_statuses(exc.status)
    )


async def _invalid_input(request: Request, exc: InvalidComplaintInput) -> JSONResponse:
    _refused(request, exc)
    extra = {"limit": exc.limit} if exc.limit is not None else {}
    return error_response(400, exc.code, str(exc), field=exc.field, **extra)


async def _unknown_reference(request: Request, exc: UnknownReference) -> JSONResponse:
    _refused(request, exc)
    return error_response(400, exc.code, str(exc), kind=exc.kind, ref=exc.ref)


async def _complaint_error(request: Request, exc: ComplaintError) -> JSONResponse:
    # A ComplaintError the core adds later: still the caller's problem, still its own code.
    _refused(request, exc)
    return error_response(400, exc.code, str(exc))


def _field(loc: Any) -> str:
    return ".".join(str(part) for part in loc if part not in ("body", "query", "path", "header"))


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"field": _field(e.get("loc", ())), "problem": str(e.get("msg", ""))} for e in errors]


def validation_message(details: list[dict[str, str]]) -> str:
    return "; ".join(f"{d['field'] or 'body'}: {d['problem']}" for d in details) or "invalid input"


async def _request_validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = list(exc.errors())
    if any(e.get("type") in ("json_invalid", "value_error.jsondecode") for e in errors):
        return error_response(400, "malformed_json", "the body is not valid JSON")
    details = validation_details(errors)
    return error_response(422, "invalid_input", validation_message(details), details=details)


async def _http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, getattr(exc, "headers", None))


def log_unexpected(where: str, exc: BaseException) -> None:
    """The traceback for operators, masked: exception texts can carry a resident's number."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    log.error("unexpected error in %s\n%s", where, mask_phones(text))


async def _database_error(request: Request, exc: SQLAlchemyError) -> JSONResponse:
    log_unexpected(f"{request.method} {request.url.path}", exc)
    if isinstance(exc, OperationalError):
        return error_response(
            503, "database_unavailable", "the database is unavailable or its schema is out of date; try again later"
        )
    return error_response(500, "internal_error", "something went wrong; the error has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ComplaintNotFound, _not_found)
    app.add_exception_handler(TransitionRefused, _transition_refused)
    app.add_exception_handler(CorrectionNotAllowed, _correction_not_allowed)
    app.add_exception_handler(InvalidComplaintInput, _invalid_input)
    app.add_exception_handler(UnknownReference, _unknown_reference)
    app.add_exception_handler(ComplaintError, _complaint_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(SQLAlchemyError, _database_error)


class CatchAllMiddleware:
    """Outermost of our middleware: whatever escapes becomes a logged, generic 500 JSON.

    Not an ``Exception`` handler on the app: Starlette re-raises after calling that one,
    and the server would then print the unmasked traceback.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except BodyTooLarge as exc:  # raised from receive() outside a FastAPI route (e.g. a mount)
            if not started:
                await error_response(413, "body_too_large", exc.detail)(scope, receive, send)
        except Exception as exc:
            log_unexpected(f"{scope.get('method')} {scope.get('path')}", exc)
            if not started:
                response = error_response(500, "internal_error", "something went wrong; the error has been logged")
                await response(scope, receive, send)


class BodySizeLimitMiddleware:
    """Refuse bodies over the limit: at once from Content-Length, or as a chunked body streams in."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None:
            try:
                too_large = int(declared) > limit
            except ValueError:
                await error_response(400, "bad_request", "invalid Content-Length")(scope, receive, send)
                return
            if too_large:
                await error_response(413, "body_too_large", f"the request body is larger than {limit} bytes")(
                    scope, receive, send
                )
                return
        seen = 0

        async def receive_limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, receive_limited, send)

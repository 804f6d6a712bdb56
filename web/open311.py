"""Open311 GeoReport v2 at /open311/v2/ (discovery also at /open311/discovery.{format}).

A thin adapter: every route parses the URL and query, runs one transaction through
``sotong.open311`` and writes the answer as XML (required by the spec) or JSON, chosen
by the path's suffix (``services.xml``, ``requests/ABCD-2345.json``). Errors leave as the
spec's list of ``{code, description}`` in the same format: 403 bad api_key, 404 unknown
service, request or jurisdiction, 400 anything else, 429 the client's filing limit.

Only ``POST requests`` needs an API key (``sotong open311 key create``); the GETs are
public and carry no resident's personal data (sotong/open311/records.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from sotong.db import session_scope
from sotong.notifications.masking import PhoneMaskingFilter
from sotong.open311 import catalog, filing, records
from sotong.open311.errors import Open311Error
from sotong.open311.jurisdiction import check_jurisdiction, discovery
from sotong.open311.render import FORMATS, errors, render

log = logging.getLogger(__name__)
log.addFilter(PhoneMaskingFilter())

PREFIX = "/open311/v2"
MAX_FIELDS = 200  # a real form has ~20; more is someone probing the parser
router = APIRouter(tags=["open311"])


def _answer(fmt: str, root: str, body: Any, status: int = 200) -> Response:
    content, media_type = render(fmt if fmt in FORMATS else "xml", root, body)
    return Response(content, status_code=status, media_type=media_type)


def _error(fmt: str, exc: Open311Error) -> Response:
    return _answer(fmt, "errors", errors(exc.status, exc.description), exc.status)


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in request.query_params.multi_items():
        params.setdefault(name, []).append(value)
    return params


def _single(params: dict[str, list[str]], name: str) -> str | None:
    values = [v for v in params.get(name, []) if v.strip()]
    return values[0] if values else None


async def _run(fmt: str, root: str, request: Request, work: Callable[[Any], Any], status: int = 200) -> Response:
    """Check format and jurisdiction, run ``work(session)`` in one transaction, answer."""

    def in_transaction() -> Any:
        with session_scope() as session:
            return work(session)

    try:
        if fmt not in FORMATS:
            raise Open311Error(400, "format must be xml or json (e.g. services.xml)")
        check_jurisdiction(_single(_params(request), "jurisdiction_id"))
        return _answer(fmt, root, await run_in_threadpool(in_transaction), status)
    except Open311Error as exc:
        return _error(fmt, exc)
    except OperationalError:
        log.exception("open311: database unavailable")
        return _error(fmt, Open311Error(503, "the service is unavailable; try again later"))


@router.get("/open311/discovery.{fmt}")
@router.get(PREFIX + "/discovery.{fmt}")
async def get_discovery(fmt: str, request: Request) -> Response:
    url = str(request.base_url).rstrip("/") + PREFIX
    return await _run(fmt, "discovery", request, lambda _s: discovery(url))


@router.get(PREFIX + "/services.{fmt}")
async def get_services(fmt: str, request: Request) -> Response:
    return await _run(fmt, "services", request, lambda s: [svc.as_record() for svc in catalog.list_services(s)])


@router.get(PREFIX + "/services/{code}.{fmt}")
async def get_service_definition(code: str, fmt: str, request: Request) -> Response:
    return await _run(fmt, "service_definition", request, lambda s: catalog.get_service(s, code).definition())


@router.get(PREFIX + "/requests.{fmt}")
async def get_requests(fmt: str, request: Request) -> Response:
    try:
        query = records.parse_query(_params(request))
    except Open311Error as exc:
        return _error(fmt, exc)
    return await _run(fmt, "service_requests", request, lambda s: records.find_requests(s, query))


@router.get(PREFIX + "/requests/{request_id}.{fmt}")
async def get_request(request_id: str, fmt: str, request: Request) -> Response:
    return await _run(fmt, "service_requests", request, lambda s: [records.get_request(s, request_id)])


@router.get(PREFIX + "/tokens/{token}.{fmt}")
async def get_token(token: str, fmt: str, request: Request) -> Response:
    """Every request is realtime (its id is answered at once), so the only tokens a client
    can hold are service_request_ids; a batch-style client gets its id back."""

    def work(session) -> list[dict[str, Any]]:
        try:
            found = records.get_request(session, token)
        except Open311Error:
            raise Open311Error(404, "token not found") from None
        return [{"service_request_id": found["service_request_id"], "token": token}]

    return await _run(fmt, "service_requests", request, work)


async def _form(request: Request) -> list[tuple[str, str]]:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise Open311Error(400, "send the request as application/x-www-form-urlencoded")
    try:
        text = (await request.body()).decode("utf-8")
        items = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise Open311Error(400, "the form is not UTF-8") from None
    except ValueError:
        raise Open311Error(400, f"the form has more than {MAX_FIELDS} fields") from None
    # The spec puts api_key in the form; some clients send it in the query string.
    names = {name for name, _ in items}
    extra = [(n, v) for n, v in request.query_params.multi_items() if n in ("api_key", "jurisdiction_id")]
    return items + [(n, v) for n, v in extra if n not in names]


@router.post(PREFIX + "/requests.{fmt}")
async def post_request(fmt: str, request: Request) -> Response:
    try:
        items = await _form(request)
    except Open311Error as exc:
        return _error(fmt, exc)
    return await _run(fmt, "service_requests", request, lambda s: [filing.file_request(s, items)])

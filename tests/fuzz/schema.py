"""The OpenAPI documents the fuzz test generates requests from (the product serves none).

Two documents: ``pinned`` draws ids, formats, service codes, the API key and the CSRF token from
real values, so requests get past the first check into the handlers; the free one leaves them as
any text, for the not-found, bad-key and CSRF paths. (Hypothesis almost never picks the enum
branch of an ``anyOf``, hence two documents rather than one.)
"""

from __future__ import annotations

import copy
from typing import Any

from web.staff_api import AdvanceBody, AssignBody, RejectBody, TransferBody

STREAMS = {"/api/me/events", "/api/me/handoff/events"}
CONSOLE_TARGET = "fuzz-officer"  # the account the console's account changes are aimed at


def _body(model: Any) -> dict[str, Any]:
    schema = model.schema()
    assert "definitions" not in schema, "nested models need $ref handling here"
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def fuzz_schema(app, *, receipts: list[str], codes: list[str], api_key: str, csrf: str, pinned: bool) -> dict[str, Any]:
    """The app's OpenAPI document (a copy; the product's stays unserved), completed where
    handlers parse the request themselves, plus the console's form routes."""

    def _text_or(values: list[str]) -> dict[str, Any]:
        return {"enum": values} if pinned and values else {"type": "string"}

    raw = copy.deepcopy(app.openapi())
    paths = raw["paths"]
    # The staff API parses its JSON bodies itself (json_body), so the schema shows none: add them.
    bodies = {"assign": AssignBody, "advance": AdvanceBody, "reject": RejectBody, "transfer": TransferBody}
    for name, model in bodies.items():
        paths[f"/api/staff/complaints/{{receipt_no}}/{name}"]["post"]["requestBody"] = _body(model)
    for ops in paths.values():
        for op in ops.values():
            for param in op.get("parameters", []):
                if param["name"] == "fmt":
                    # The two formats when pinned; any text otherwise (an unknown format is a 400).
                    param["schema"] = _text_or(["json", "xml"])
                elif param["name"] in ("receipt_no", "request_id"):
                    param["schema"] = _text_or(receipts)
                elif param["name"] == "code":
                    param["schema"] = _text_or(codes)
    filters = ["service_request_id", "service_code", "start_date", "end_date", "status", "jurisdiction_id"]
    paths["/open311/v2/requests.{fmt}"]["get"]["parameters"] += [
        {"name": n, "in": "query", "required": False, "schema": {"type": "string"}} for n in filters
    ]
    # Pinned: printable text and coordinates in range, so some reports are filed for real.
    text: dict[str, Any] = {"type": "string", "maxLength": 300}
    if pinned:
        text = {**text, "pattern": "^[^\\x00-\\x1f\\x7f]*$"}
    number = {"type": "number", "minimum": -90, "maximum": 90} if pinned else {}
    form = {
        "api_key": _text_or([api_key]),
        "service_code": _text_or(codes),
        "lat": number or {"anyOf": [{"type": "number"}, {"type": "string"}]},
        "long": number or {"anyOf": [{"type": "number"}, {"type": "string"}]},
        "address_string": text,
        "address_id": text,
        "description": {**text, "maxLength": 4500},
        "media_url": text,
        "email": text,
        "first_name": text,
        "last_name": text,
        "phone": text,
        "device_id": text,
        "account_id": text,
        "attribute[note]": text,
    }
    if pinned:
        # lat without long, or an attribute the service lacks, would be a 400 every time.
        for name in ("lat", "long", "attribute[note]"):
            del form[name]
        required = ["api_key", "service_code", "address_string", "description"]
    else:
        form["jurisdiction_id"] = text
        required = ["api_key", "service_code"]
    paths["/open311/v2/requests.{fmt}"]["post"]["requestBody"] = {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": form,
                    "required": required,
                    "additionalProperties": not pinned,
                }
            }
        },
    }
    for path in STREAMS:
        paths.pop(path, None)
    paths.update(console_paths(app, csrf=csrf, receipts=receipts, pinned=pinned))
    return raw


def console_paths(app, *, csrf: str, receipts: list[str], pinned: bool) -> dict[str, Any]:
    """The console's form routes, which the product keeps out of its schema (include_in_schema=False),
    described from the same route objects; every POST gets the ``csrf_token`` its forms carry."""
    from fastapi.openapi.utils import get_openapi

    from sotong.complaints.lifecycle import ComplaintStatus
    from sotong.staff.work import ACTION_TARGETS
    from web.console.handoff import ACTIONS as HANDOFF_ACTIONS

    routes = []
    for route in app.routes:
        if getattr(route, "path", "").startswith("/console/"):
            route = copy.copy(route)
            route.include_in_schema = True
            routes.append(route)
    paths = get_openapi(title="console", version="fuzz", routes=routes)["paths"]
    pins = {
        "receipt_no": receipts,
        "action": list(ACTION_TARGETS),
        "department": ["cleaning", "traffic"],
        "officer": ["traffic-park", "cleaning-kim"],
        "username": [CONSOLE_TARGET],  # never the fuzzing admin itself: disabling it ends the run
        "change": ["disable", "enable", "tokens"],
        "status": [s.value for s in ComplaintStatus],
        # A complaint's version is its newest history row id: small numbers in a fresh database,
        # so some forms match the current one (and go through) and the rest are stale (409).
        "version": [str(n) for n in range(1, 12)],
    }
    for path, ops in paths.items():
        for method, op in ops.items():
            for param in op.get("parameters", []):
                if pinned and param["name"] in pins:
                    param["schema"] = {"enum": pins[param["name"]]}
                if pinned and path.startswith("/console/handoff/") and param["name"] == "action":
                    param["schema"] = {"enum": list(HANDOFF_ACTIONS)}
            if method != "post":
                continue
            body = op.setdefault("requestBody", {"content": {"application/x-www-form-urlencoded": {"schema": {}}}})
            form = body["content"]["application/x-www-form-urlencoded"]["schema"]
            if "$ref" in form:  # FastAPI names each form model; inline it so it can take csrf_token
                ref = form.pop("$ref").rsplit("/", 1)[-1]
                form.update(copy.deepcopy(_console_components(routes)[ref]))
            form.setdefault("type", "object")
            props = form.setdefault("properties", {})
            props["csrf_token"] = {"enum": [csrf]} if pinned else {"type": "string"}
            if pinned:
                form["required"] = sorted({*form.get("required", []), "csrf_token"})
                form["additionalProperties"] = False
                for name in ("status", "department", "officer", "version"):
                    if name in props and path.startswith("/console/complaints/"):
                        props[name] = {"enum": pins[name]}
    return paths


def _console_components(routes: list[Any]) -> dict[str, Any]:
    from fastapi.openapi.utils import get_openapi

    return get_openapi(title="console", version="fuzz", routes=routes).get("components", {}).get("schemas", {})

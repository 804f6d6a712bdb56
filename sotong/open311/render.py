"""The spec's two formats: XML (required) and its JSON mapping (Spark convention).

Every answer is a plain structure (dicts in field order, lists, str/number/bool/None)
built elsewhere; this module only writes it. XML: a list becomes a wrapper element with
one child per item (``services``/``service``), booleans ``true``/``false``, None an empty
element; text is escaped by ElementTree and stripped of characters XML cannot carry.
"""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from sotong.open311.public import xml_safe

XML_TYPE = "text/xml; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
FORMATS = ("xml", "json")
_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'

# Wrapper element -> the element of each item, for the lists the spec nests.
ITEM_OF = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))


def _fill(parent: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(parent, key), child)
    elif isinstance(value, list):
        item = ITEM_OF[parent.tag]
        for child in value:
            _fill(ET.SubElement(parent, item), child)
    else:
        parent.text = _text(value)


def to_xml(root: str, value: Any) -> bytes:
    """``root`` is the document element (services, service_definition, service_requests, errors, discovery)."""
    element = ET.Element(root)
    _fill(element, value)
    return _DECLARATION + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def to_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def render(fmt: str, root: str, value: Any) -> tuple[bytes, str]:
    """(body, content type) for ``fmt`` in FORMATS."""
    if fmt == "json":
        return to_json(value), JSON_TYPE
    return to_xml(root, value), XML_TYPE


def errors(status: int, description: str) -> list[dict[str, Any]]:
    return [{"code": status, "description": description}]

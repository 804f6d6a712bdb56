"""What a public Open311 answer may contain, and text made safe to publish.

The spec makes a request's description public. Residents write whatever they like in
it, so before it leaves: phone numbers (also +82 forms) and e-mail addresses are masked,
and so are Korean licence plates (a 불법주정차 report names someone's car). Characters
XML 1.0 cannot carry at all (NUL and most C0 controls) are dropped, so the XML stays
well-formed whatever was stored; markup characters are escaped by the XML writer.
"""

from __future__ import annotations

import re

from sotong.notifications.masking import mask_phones

_INTL_PHONE = re.compile(r"\+\s?82[-. ]?\(?0?\)?(\d{1,2})[-. ]?(\d{3,4})[-. ]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PLATE = re.compile(r"(?<!\d)(\d{2,3})\s?([가-힣])\s?\d{4}(?!\d)")
# Not allowed in XML 1.0 documents (https://www.w3.org/TR/xml/#charsets).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def has_control_characters(text: str) -> bool:
    """Input check: only tab, CR and LF among the control characters (PostgreSQL refuses NUL)."""
    return bool(_NOT_XML.search(text))


def public_text(text: str | None) -> str | None:
    """Free text as it may be published: personal contact data masked, XML-safe."""
    if text is None:
        return None
    masked = _INTL_PHONE.sub(lambda m: f"+82-{m.group(1)}-****-{m.group(3)}", text)
    masked = mask_phones(masked)
    masked = _EMAIL.sub("***@***", masked)
    masked = _PLATE.sub(lambda m: f"{m.group(1)}{m.group(2)}****", masked)
    return xml_safe(masked)

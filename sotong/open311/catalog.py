"""Open311 services from the complaint categories: the district's complaints.yml is the source.

A service is an active category that the database knows (seeded by ``sotong setup``):
``service_code`` = category code, ``service_name`` = its name, ``group`` = the department
it routes to, ``keywords`` = the words residents use for it. Its attributes are the
questions its form asks (``asks:``) beyond what Open311 has fields for (address and
description are the request's own fields, a photo is ``media_url``), in form order,
each optional and free text as the chat asks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from sotong.complaints import service
from sotong.complaints.errors import UnknownReference
from sotong.open311.errors import Open311Error

# Form questions Open311 carries in its own fields.
OWN_FIELDS = frozenset({"address", "description", "photo"})
# The question whose answer the core keeps apart (complaint.seen_at); the others are
# added to the description, labelled, so officers read them where they read the report.
SEEN_AT_QUESTION = "when"
MAX_ATTRIBUTE_VALUE = 200


@dataclass(frozen=True)
class Attribute:
    code: str
    label: str
    order: int


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    group: str
    keywords: str
    attributes: tuple[Attribute, ...]

    def as_record(self) -> dict[str, Any]:
        """GET services: one entry, in the spec's field order."""
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": None,  # complaints.yml has no description per category yet
            "metadata": bool(self.attributes),
            "type": "realtime",  # the receipt number is known the moment it is filed
            "keywords": self.keywords,
            "group": self.group,
        }

    def definition(self) -> dict[str, Any]:
        """GET services/{code}: the attributes a client may send as attribute[code]."""
        return {
            "service_code": self.code,
            "attributes": [
                {
                    "variable": True,
                    "code": a.code,
                    "datatype": "string",
                    "required": False,
                    "datatype_description": None,
                    "order": a.order,
                    "description": a.label,
                }
                for a in self.attributes
            ],
        }


def list_services(session: Session, district_dir: Path | None = None) -> list[Service]:
    """Every active category the database has, in file order (the order residents see)."""
    labels = service.question_labels(district_dir)
    found = []
    for info in service.category_infos(district_dir):
        try:
            summary = service.category_summary(session, info.code)
        except UnknownReference:  # in the file but not seeded yet: not offered until it can be filed
            continue
        asks = [code for code in info.asks if code not in OWN_FIELDS]
        found.append(
            Service(
                code=info.code,
                name=summary.name,
                group=summary.department_name,
                keywords=", ".join(info.keywords),
                attributes=tuple(Attribute(code, labels.get(code, code), i) for i, code in enumerate(asks, 1)),
            )
        )
    return found


def get_service(session: Session, code: str, district_dir: Path | None = None) -> Service:
    """One service by code; Open311Error 404 when there is none."""
    for svc in list_services(session, district_dir):
        if svc.code == code:
            return svc
    raise Open311Error(404, f"service_code not found: {code[:60]}")

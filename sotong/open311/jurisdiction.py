"""Which jurisdiction this endpoint serves, and the discovery document's contact lines.

One district per server, so ``jurisdiction_id`` is optional for clients (spec: "only
required if the endpoint serves multiple jurisdictions"); when sent, it must be ours.

  SOTONG_OPEN311_JURISDICTION  our jurisdiction_id (default: the profile's website host
                               without "www.", e.g. seo.incheon.kr)
  SOTONG_OPEN311_KEY_SERVICE   how a client gets an API key (discovery's key_service;
                               default: the district's name and main phone)
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sotong.district import load_profile
from sotong.open311.errors import Open311Error
from sotong.settings import load_settings


def jurisdiction_id() -> str:
    configured = os.environ.get("SOTONG_OPEN311_JURISDICTION", "").strip()
    if configured:
        return configured
    host = (urlsplit(load_profile().website).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def check_jurisdiction(given: str | None) -> None:
    """Open311Error 404 when a jurisdiction_id is given and is not ours (empty = not given)."""
    wanted = (given or "").strip()
    if wanted and wanted.lower() != jurisdiction_id().lower():
        raise Open311Error(404, "jurisdiction_id not found")


def contact() -> str:
    profile = load_profile()
    return f"{profile.name} {profile.main_phone} {profile.website}".strip()


def key_service() -> str:
    return os.environ.get("SOTONG_OPEN311_KEY_SERVICE", "").strip() or contact()


SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def changeset() -> str:
    """When the services last changed: complaints.yml's modification time (sortable, UTC)."""
    path = Path(load_settings().district_dir) / "complaints.yml"
    return datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M")


def discovery(endpoint_url: str) -> dict[str, Any]:
    """The Service Discovery document for our one GeoReport v2 endpoint."""
    stamp = changeset()
    return {
        "changeset": stamp,
        "contact": contact(),
        "key_service": key_service(),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint_url,
                "changeset": stamp,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }

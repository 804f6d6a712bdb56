"""GET /api/search?q=: the service catalogue and FAQ topics, typo-tolerant and by 초성;
GET /api/services: the main services the quick menu shows first.

Open to anyone with the page (no cookie needed: it searches public information and
stores nothing). The query is bounded: longer than ``MAX_Q`` characters is a 400, so a
hostile client cannot make the server n-gram a megabyte.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from sotong.search import load_services, search

MAX_Q = 100
MAX_LIMIT = 20

router = APIRouter(prefix="/api", tags=["resident"])


@router.get("/search")
async def search_services(
    response: Response,
    q: str = Query("", max_length=MAX_Q),
    limit: int = Query(8, ge=1, le=MAX_LIMIT),
) -> dict[str, Any]:
    # Off the event loop: building the index after a data edit takes most of a second.
    hits = await run_in_threadpool(search, q, limit)
    response.headers["Cache-Control"] = "no-store"
    return {
        "query": q,
        "results": [{**h.service.as_dict(), "score": h.score, "matched": h.matched} for h in hits],
    }


@router.get("/services")
def main_services() -> dict[str, Any]:
    """The chat's main menu, in its order (public data, same for everyone)."""
    return {"services": [s.as_dict() for s in load_services().main()]}

"""POSTing a finished answer to Kakao's one-time callbackUrl.

The URL is valid for one minute from the request, so attempts are retried
with exponential back-off until a deadline the caller derives from that.
Only transient failures are retried (network errors, timeouts, 5xx, 408,
429); any other answer means retrying cannot help. The caller keeps the
answer for the resident's next message when this returns False.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Dict, Optional

import aiohttp

logger = logging.getLogger(__name__)

_RETRY_STATUSES = {408, 429}


async def post_callback(
    url: str,
    response: Dict[str, Any],
    deadline: float,
    attempt_timeout: float = 5.0,
    first_backoff: float = 0.5,
    max_backoff: float = 8.0,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """True once Kakao accepted `response`; False when it refused or `deadline` (clock time) passed."""
    body = json.dumps(response, ensure_ascii=False).encode("utf-8")
    backoff = first_backoff
    attempt = 0
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            logger.warning("kakao.callback.expired attempts=%s", attempt)
            return False
        attempt += 1
        outcome = await _attempt(url, body, min(attempt_timeout, remaining))
        if outcome is not None:
            if not outcome:
                logger.warning("kakao.callback.refused attempts=%s", attempt)
            return outcome
        if clock() + backoff >= deadline:
            logger.warning("kakao.callback.gave_up attempts=%s", attempt)
            return False
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)


async def _attempt(url: str, body: bytes, timeout: float) -> Optional[bool]:
    """True: accepted; False: refused for good; None: worth another try."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as reply:
                text = await reply.text()
                if 200 <= reply.status < 300:
                    return _accepted(text)
                if reply.status >= 500 or reply.status in _RETRY_STATUSES:
                    logger.info("kakao.callback.retryable_status status=%s", reply.status)
                    return None
                logger.warning("kakao.callback.status status=%s body=%s", reply.status, text[:300])
                return False
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.info("kakao.callback.network_error error=%s", repr(error))
        return None


def _accepted(text: str) -> bool:
    """Kakao answers {"taskId": ..., "status": "SUCCESS"|"FAIL"|"ERROR", ...}; no status counts as accepted."""
    try:
        status = json.loads(text).get("status") if text else None
    except (ValueError, AttributeError):
        status = None
    if isinstance(status, str) and status.upper() in ("FAIL", "ERROR"):
        logger.warning("kakao.callback.rejected body=%s", text[:300])
        return False
    return True

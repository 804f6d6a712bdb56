"""POSTing a finished answer to Kakao's one-time callbackUrl.

The URL is valid for one minute from the request, so attempts are retried
with exponential back-off until a deadline the caller derives from that.
Only transient failures are retried (network errors, timeouts, 5xx, 408,
429); any other answer means retrying cannot help. The caller keeps the
answer for the resident's next message when this returns False.

The answer carries residents' words, so the client is strict: the URL must
pass the `CallbackPolicy` (checked again here, not only by the caller),
redirects are never followed (a 3xx is a refusal: following one would hand
the answer to a host nobody checked), names must resolve to public addresses,
and Kakao's reply is read uncompressed and only up to `MAX_REPLY_BYTES`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from connectors.kakao.callback_policy import BlockedAddress, CallbackPolicy, PublicOnlyResolver

logger = logging.getLogger(__name__)

_RETRY_STATUSES = {408, 429}
# Kakao answers {"taskId", "status", "message"}: a few hundred bytes. More is not Kakao.
MAX_REPLY_BYTES = 16 * 1024


async def post_callback(
    url: str,
    response: dict[str, Any],
    deadline: float,
    attempt_timeout: float = 5.0,
    first_backoff: float = 0.5,
    max_backoff: float = 8.0,
    clock: Callable[[], float] = time.monotonic,
    policy: CallbackPolicy = CallbackPolicy(),
) -> bool:
    """True once Kakao accepted `response`; False when it refused or `deadline` (clock time) passed."""
    refusal = policy.refusal(url)
    if refusal:
        logger.warning("kakao.callback.url_refused reason=%s", refusal)
        return False
    body = json.dumps(response, ensure_ascii=False).encode("utf-8")
    backoff = first_backoff
    attempt = 0
    while True:
        remaining = deadline - clock()
        if remaining <= 0:
            logger.warning("kakao.callback.expired attempts=%s", attempt)
            return False
        attempt += 1
        outcome = await _attempt(url, body, min(attempt_timeout, remaining), policy.allow_private)
        if outcome is not None:
            if not outcome:
                logger.warning("kakao.callback.refused attempts=%s", attempt)
            return outcome
        if clock() + backoff >= deadline:
            logger.warning("kakao.callback.gave_up attempts=%s", attempt)
            return False
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, max_backoff)


async def _attempt(url: str, body: bytes, timeout: float, allow_private: bool) -> bool | None:
    """True: accepted; False: refused for good; None: worth another try."""
    connector = aiohttp.TCPConnector(resolver=PublicOnlyResolver(allow_private), force_close=True)
    headers = {"Content-Type": "application/json", "Accept-Encoding": "identity"}
    try:
        async with aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=timeout), auto_decompress=False
        ) as session:
            async with session.post(url, data=body, headers=headers, allow_redirects=False) as reply:
                text = await _read_capped(reply)
                if 200 <= reply.status < 300:
                    return _accepted(text)
                if reply.status >= 500 or reply.status in _RETRY_STATUSES:
                    logger.info("kakao.callback.retryable_status status=%s", reply.status)
                    return None
                # 3xx included: never followed (see the module docstring).
                logger.warning("kakao.callback.status status=%s", reply.status)
                return False
    except aiohttp.ClientConnectorError as error:
        if isinstance(error.os_error, BlockedAddress):
            logger.warning("kakao.callback.blocked_address")
            return False
        logger.info("kakao.callback.network_error error=%s", type(error).__name__)
        return None
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        logger.info("kakao.callback.network_error error=%s", type(error).__name__)
        return None


async def _read_capped(reply: aiohttp.ClientResponse) -> str:
    """At most MAX_REPLY_BYTES of the (never decompressed) body; the rest is not read."""
    data = bytearray()
    while len(data) <= MAX_REPLY_BYTES:
        chunk = await reply.content.read(MAX_REPLY_BYTES + 1 - len(data))
        if not chunk:
            break
        data.extend(chunk)
    if len(data) > MAX_REPLY_BYTES:
        logger.warning("kakao.callback.reply_too_large")
        return ""
    return data.decode("utf-8", errors="replace")


def _accepted(text: str) -> bool:
    """Kakao answers {"taskId": ..., "status": "SUCCESS"|"FAIL"|"ERROR", ...}; no status counts as accepted."""
    try:
        status = json.loads(text).get("status") if text else None
    except (ValueError, AttributeError):
        status = None
    if isinstance(status, str) and status.upper() in ("FAIL", "ERROR"):
        logger.warning("kakao.callback.rejected status=%s", status[:20])
        return False
    return True

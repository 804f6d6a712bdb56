"""Channel options from the credentials.yml block, with environment fallbacks.

Secrets come from the environment: Rasa refuses to start when a `${VAR}` in
credentials.yml is unset, so the secret may also be left out of the file and
read here from KAKAO_SKILL_SECRET (unset = no header check, for local runs).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Mapping, Optional, Sequence, Tuple

from connectors.kakao.request import InputMapping

logger = logging.getLogger(__name__)

ENV_SECRET = "KAKAO_SKILL_SECRET"
ENV_SECRET_HEADER = "KAKAO_SKILL_SECRET_HEADER"
ENV_ALLOWED_BOT_IDS = "KAKAO_ALLOWED_BOT_IDS"
DEFAULT_SECRET_HEADER = "X-Kakao-Skill-Secret"
KAKAO_TIME_LIMIT_SECONDS = 5.0


@dataclass(frozen=True)
class KakaoConfig:
    secret_header_name: str = DEFAULT_SECRET_HEADER
    secret_header_value: str = ""  # empty: no check
    allowed_bot_ids: FrozenSet[str] = frozenset()  # empty: any bot
    # Kakao gives up after 5 s; answer before that, network included.
    reply_deadline_seconds: float = 4.5
    # Real skill requests are a few KB; a cap keeps junk out before JSON parsing.
    max_body_bytes: int = 64 * 1024
    # How long after a request finished its retries are recognised (see jobs.py).
    dedupe_window_seconds: float = 30.0
    # The callbackUrl is valid for 1 minute; stop retrying a little before.
    callback_validity_seconds: float = 55.0
    callback_attempt_timeout_seconds: float = 5.0
    allowed_callback_hosts: FrozenSet[str] = frozenset()  # empty: any host
    # Answers kept for a resident's next message are forgotten after this.
    held_reply_ttl_seconds: float = 24 * 3600.0
    request_id_header: Optional[str] = None
    messages_file: Optional[str] = None
    mapping: InputMapping = field(default_factory=InputMapping)

    @property
    def checks_secret(self) -> bool:
        return bool(self.secret_header_value)


def _as_set(value: Any) -> FrozenSet[str]:
    """A YAML list or a comma-separated string (what an env var can hold)."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(str(item).strip() for item in items if str(item).strip())


def _as_tuple(value: Any, default: Sequence[str]) -> Tuple[str, ...]:
    """Like _as_set, but order matters (first parameter found wins)."""
    if value is None:
        return tuple(default)
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(item).strip() for item in items if str(item).strip())


_KNOWN = {
    "secret_header_name",
    "secret_header_value",
    "allowed_bot_ids",
    "reply_deadline_seconds",
    "max_body_bytes",
    "dedupe_window_seconds",
    "callback_validity_seconds",
    "callback_attempt_timeout_seconds",
    "allowed_callback_hosts",
    "held_reply_ttl_seconds",
    "request_id_header",
    "messages_file",
    "photo_params",
    "location_params",
    "inform_intent",
    "photo_entity",
    "location_entity",
}


def load_config(credentials: Optional[Mapping[str, Any]], environ: Mapping[str, str] = os.environ) -> KakaoConfig:
    options: Dict[str, Any] = dict(credentials or {})
    unknown = sorted(set(options) - _KNOWN)
    if unknown:
        # A typo here would silently switch a safety check off.
        raise ValueError(f"unknown kakao channel options: {', '.join(unknown)}")

    secret = str(options.get("secret_header_value") or environ.get(ENV_SECRET) or "").strip()
    header = str(options.get("secret_header_name") or environ.get(ENV_SECRET_HEADER) or DEFAULT_SECRET_HEADER).strip()
    bot_ids = options.get("allowed_bot_ids")
    deadline = float(options.get("reply_deadline_seconds", KakaoConfig.reply_deadline_seconds))
    if not 0 < deadline < KAKAO_TIME_LIMIT_SECONDS:
        raise ValueError(f"reply_deadline_seconds must be between 0 and {KAKAO_TIME_LIMIT_SECONDS}")
    defaults = InputMapping()
    config = KakaoConfig(
        secret_header_name=header,
        secret_header_value=secret,
        allowed_bot_ids=_as_set(bot_ids if bot_ids not in (None, "") else environ.get(ENV_ALLOWED_BOT_IDS)),
        reply_deadline_seconds=deadline,
        max_body_bytes=int(options.get("max_body_bytes", KakaoConfig.max_body_bytes)),
        dedupe_window_seconds=float(options.get("dedupe_window_seconds", KakaoConfig.dedupe_window_seconds)),
        callback_validity_seconds=min(60.0, float(options.get("callback_validity_seconds", KakaoConfig.callback_validity_seconds))),
        callback_attempt_timeout_seconds=float(
            options.get("callback_attempt_timeout_seconds", KakaoConfig.callback_attempt_timeout_seconds)
        ),
        allowed_callback_hosts=_as_set(options.get("allowed_callback_hosts")),
        held_reply_ttl_seconds=float(options.get("held_reply_ttl_seconds", KakaoConfig.held_reply_ttl_seconds)),
        request_id_header=options.get("request_id_header") or None,
        messages_file=options.get("messages_file") or None,
        mapping=InputMapping(
            photo_params=_as_tuple(options.get("photo_params"), defaults.photo_params),
            location_params=_as_tuple(options.get("location_params"), defaults.location_params),
            inform_intent=str(options.get("inform_intent") or defaults.inform_intent),
            photo_entity=str(options.get("photo_entity") or defaults.photo_entity),
            location_entity=str(options.get("location_entity") or defaults.location_entity),
        ),
    )
    if not config.checks_secret:
        logger.warning("kakao.config.no_secret: set %s so only your Kakao skill can call the webhook", ENV_SECRET)
    return config

"""Channel options from the credentials.yml block, with environment fallbacks.

Secrets come from the environment: Rasa refuses to start when a `${VAR}` in
credentials.yml is unset, so the secret may also be left out of the file and
read here from KAKAO_SKILL_SECRET (unset = no header check, for local runs).

Production mode (SOTONG_MODE=production) refuses to start without a secret
and bot ids, and ignores the loopback-test switches of the callback policy.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.edge import parse_rate
from connectors.kakao.callback_policy import DEFAULT_CALLBACK_HOSTS, CallbackPolicy
from connectors.kakao.request import DEFAULT_PHOTO_HOSTS, InputLimits, InputMapping
from connectors.kakao.state_store import StateSettings, state_settings

logger = logging.getLogger(__name__)

ENV_SECRET = "KAKAO_SKILL_SECRET"
ENV_SECRET_HEADER = "KAKAO_SKILL_SECRET_HEADER"
ENV_ALLOWED_BOT_IDS = "KAKAO_ALLOWED_BOT_IDS"
ENV_CALLBACK_HOSTS = "KAKAO_CALLBACK_HOSTS"
ENV_CALLBACK_ALLOW_HTTP = "KAKAO_CALLBACK_ALLOW_HTTP"
DEFAULT_SECRET_HEADER = "X-Kakao-Skill-Secret"
KAKAO_TIME_LIMIT_SECONDS = 5.0


@dataclass(frozen=True)
class KakaoConfig:
    secret_header_name: str = DEFAULT_SECRET_HEADER
    secret_header_value: str = ""  # empty: no check
    allowed_bot_ids: frozenset[str] = frozenset()  # empty: any bot
    # Kakao gives up after 5 s; answer before that, network included.
    reply_deadline_seconds: float = 4.5
    # Real skill requests are a few KB; a cap keeps junk out before JSON parsing.
    max_body_bytes: int = 64 * 1024
    # How long after a request finished its retries are recognised (see jobs.py).
    dedupe_window_seconds: float = 30.0
    # The callbackUrl is valid for 1 minute; stop retrying a little before.
    callback_validity_seconds: float = 55.0
    callback_attempt_timeout_seconds: float = 5.0
    # Where late answers may be POSTed (callback_policy.py); never "anywhere".
    callback_policy: CallbackPolicy = field(default_factory=CallbackPolicy)
    # Answers kept for a resident's next message are forgotten after this.
    held_reply_ttl_seconds: float = 24 * 3600.0
    request_id_header: str | None = None
    messages_file: str | None = None
    mapping: InputMapping = field(default_factory=InputMapping)
    limits: InputLimits = field(default_factory=InputLimits)
    # Per resident: new messages allowed per window (Kakao's own retries are not counted).
    rate_limit_messages: int = 30
    rate_limit_seconds: float = 60.0
    # Memory bounds under a flood of distinct senders (counts, not only expiry).
    max_tracked_senders: int = 10_000  # kept answers, "더 보기" pages, rate-limit keys
    max_jobs: int = 10_000  # retry de-dup entries
    max_running_jobs: int = 1_000  # dialogues in flight; beyond: "busy" answer
    # Held answers, pages and retry de-dup: this process's memory, or Redis shared by replicas.
    state_settings: StateSettings = field(default_factory=StateSettings)

    @property
    def checks_secret(self) -> bool:
        return bool(self.secret_header_value)


def _as_set(value: Any) -> frozenset[str]:
    """A YAML list or a comma-separated string (what an env var can hold)."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    return frozenset(str(item).strip() for item in items if str(item).strip())


def _as_tuple(value: Any, default: Sequence[str]) -> tuple[str, ...]:
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
    "max_utterance_chars",
    "max_id_chars",
    "max_json_depth",
    "photo_hosts",
    "rate_limit_messages",
    "rate_limit_seconds",
    "max_tracked_senders",
    "max_jobs",
    "max_running_jobs",
    "state",
    "redis_url",
    "redis_key_prefix",
    "held_reply_ttl_seconds",
    "request_id_header",
    "messages_file",
    "photo_params",
    "location_params",
    "inform_intent",
    "photo_entity",
    "location_entity",
}


class KakaoConfigError(ValueError):
    """The channel must not start with these settings (message names what to set)."""


def _flag(value: str | None) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def _callback_policy(options: Mapping[str, Any], environ: Mapping[str, str], production: bool) -> CallbackPolicy:
    listed = _as_set(options.get("allowed_callback_hosts")) or _as_set(environ.get(ENV_CALLBACK_HOSTS))
    hosts = frozenset(host.lower().rstrip(".") for host in listed) or DEFAULT_CALLBACK_HOSTS
    allow_http = _flag(environ.get(ENV_CALLBACK_ALLOW_HTTP))
    if production and allow_http:
        logger.warning("kakao.config.callback_http_ignored: %s is ignored in production mode", ENV_CALLBACK_ALLOW_HTTP)
    # Outside production an operator-listed host is trusted as listed (a loopback test server);
    # in production IP literals and private resolutions are refused whatever the list says.
    return CallbackPolicy(hosts=hosts, allow_http=allow_http and not production, allow_private=not production)


def _check_production(config: KakaoConfig) -> None:
    missing = [
        name
        for name, value in ((ENV_SECRET, config.secret_header_value), (ENV_ALLOWED_BOT_IDS, config.allowed_bot_ids))
        if not value
    ]
    if missing:
        raise KakaoConfigError(
            "production mode (SOTONG_MODE=production): the KakaoTalk channel needs "
            + " and ".join(missing)
            + " so that only your Kakao skill can call the webhook (docs/kakao.md)"
        )


def load_config(
    credentials: Mapping[str, Any] | None,
    environ: Mapping[str, str] = os.environ,
    production: bool | None = None,
) -> KakaoConfig:
    """`production` defaults to sotong.settings.production_mode() (SOTONG_MODE)."""
    if production is None:
        from sotong.settings import production_mode

        production = production_mode()
    options: dict[str, Any] = dict(credentials or {})
    unknown = sorted(set(options) - _KNOWN)
    if unknown:
        # A typo here would silently switch a safety check off.
        raise ValueError(f"unknown kakao channel options: {', '.join(unknown)}")

    secret = str(options.get("secret_header_value") or environ.get(ENV_SECRET) or "").strip()
    header = str(options.get("secret_header_name") or environ.get(ENV_SECRET_HEADER) or DEFAULT_SECRET_HEADER).strip()
    bot_ids = options.get("allowed_bot_ids")
    deadline = float(options.get("reply_deadline_seconds", KakaoConfig.reply_deadline_seconds))
    rate_count, rate_seconds = parse_rate("SOTONG_MESSAGE_RATE", environ.get("SOTONG_MESSAGE_RATE", ""))
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
        callback_validity_seconds=min(
            60.0, float(options.get("callback_validity_seconds", KakaoConfig.callback_validity_seconds))
        ),
        callback_attempt_timeout_seconds=float(
            options.get("callback_attempt_timeout_seconds", KakaoConfig.callback_attempt_timeout_seconds)
        ),
        callback_policy=_callback_policy(options, environ, production),
        held_reply_ttl_seconds=float(options.get("held_reply_ttl_seconds", KakaoConfig.held_reply_ttl_seconds)),
        request_id_header=options.get("request_id_header") or None,
        messages_file=options.get("messages_file") or None,
        mapping=InputMapping(
            photo_params=_as_tuple(options.get("photo_params"), defaults.photo_params),
            location_params=_as_tuple(options.get("location_params"), defaults.location_params),
            inform_intent=str(options.get("inform_intent") or defaults.inform_intent),
            photo_entity=str(options.get("photo_entity") or defaults.photo_entity),
            location_entity=str(options.get("location_entity") or defaults.location_entity),
            photo_hosts=_as_tuple(options.get("photo_hosts"), DEFAULT_PHOTO_HOSTS),
        ),
        limits=InputLimits(
            max_utterance_chars=int(options.get("max_utterance_chars", InputLimits.max_utterance_chars)),
            max_id_chars=int(options.get("max_id_chars", InputLimits.max_id_chars)),
            max_json_depth=int(options.get("max_json_depth", InputLimits.max_json_depth)),
        ),
        # One message rate for every channel (SOTONG_MESSAGE_RATE); credentials.yml may override it.
        rate_limit_messages=int(options.get("rate_limit_messages", rate_count)),
        rate_limit_seconds=float(options.get("rate_limit_seconds", rate_seconds)),
        max_tracked_senders=int(options.get("max_tracked_senders", KakaoConfig.max_tracked_senders)),
        max_jobs=int(options.get("max_jobs", KakaoConfig.max_jobs)),
        max_running_jobs=int(options.get("max_running_jobs", KakaoConfig.max_running_jobs)),
        state_settings=state_settings(options, environ),
    )
    if production:
        _check_production(config)
    if not config.checks_secret:
        logger.warning("kakao.config.no_secret: set %s so only your Kakao skill can call the webhook", ENV_SECRET)
    if not config.allowed_bot_ids:
        logger.warning("kakao.config.any_bot: set %s so only your bot's requests are accepted", ENV_ALLOWED_BOT_IDS)
    return config

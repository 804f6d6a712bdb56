"""``python -m web``: serve the web app with uvicorn on SOTONG_WEB_HOST:SOTONG_WEB_PORT.

Phone numbers are masked in every log record (sotong.logmask), uvicorn's access log too.
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from sotong import logmask
from web.app import create_app
from web.settings import SettingsError, load_web_settings

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def _setup_logging() -> None:
    logmask.install()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)


def main() -> int:
    _setup_logging()
    try:
        settings = load_web_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    log = logging.getLogger("web")
    if settings.host not in LOOPBACK:
        # The device cookie is Secure: browsers keep it on plain http only for localhost/127.0.0.1.
        log.warning(
            "SOTONG_WEB_HOST=%s: serve the resident page to other machines over https only "
            "(a TLS-terminating proxy); on plain http browsers drop its Secure device cookie",
            settings.host,
        )
    # log_config=None: keep our masking handler instead of uvicorn's own logging setup.
    # ws="none": no WebSocket routes, and uvicorn's "auto" choice fails to import with the
    # websockets 10.x that rasa pins.
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        ws="none",
        proxy_headers=False,
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

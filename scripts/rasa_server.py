"""``python -m scripts.rasa_server run|shell [rasa options]``: start Rasa without secrets in ``ps``.

``rasa run --auth-token …`` shows the HTTP API token to every user of the machine
(``ps``, /proc/<pid>/cmdline). This launcher reads the token from SOTONG_RASA_TOKEN
or from the file named by SOTONG_RASA_TOKEN_FILE (owner-only), hands it to Rasa's
own CLI entry point in-process, and adds these defaults:

* Rasa listens on SOTONG_RASA_HOST (default 127.0.0.1). In a district the KakaoTalk
  webhook reaches Rasa through the district's reverse proxy; set 0.0.0.0 only when
  Rasa itself must face the network.
* The HTTP API token is accepted as ``Authorization: Bearer <token>`` (kept out of
  URLs and access logs) and compared in constant time. ``?token=`` still works in
  development for old scripts; production mode refuses it.
* ``PUT /model`` loads the new model in a worker thread, so answers keep flowing while a
  published model loads (scripts/rasa_model_load.py).
* umask 077, so anything Rasa creates (an SQLite tracker store) is owner-only, and
  phone numbers are masked in every log line (sotong.logmask).

Other options (model, credentials, endpoints, CORS) pass through to ``rasa run`` /
``rasa shell``; ``--auth-token``, ``-i``/``--interface`` are refused: they come from here.
"""

from __future__ import annotations

import hmac
import os
import stat
import sys
from functools import wraps
from pathlib import Path

from scripts.rasa_model_load import install_off_loop_model_load
from sotong import logmask
from sotong.settings import production_mode

FORBIDDEN_ARGS = ("--auth-token", "-i", "--interface")


class LaunchError(Exception):
    """Rasa must not start as asked; the message says what to change."""


def read_token() -> str:
    token = os.environ.get("SOTONG_RASA_TOKEN", "").strip()
    path = os.environ.get("SOTONG_RASA_TOKEN_FILE", "").strip()
    if not token and path:
        file = Path(path)
        try:
            mode = file.stat().st_mode
            if stat.S_IMODE(mode) & 0o077:
                raise LaunchError(f"{path} is readable by other users: chmod 600 it")
            token = file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise LaunchError(f"cannot read SOTONG_RASA_TOKEN_FILE {path}: {exc.strerror}") from None
    if not token:
        # The HTTP API injects messages and reads every conversation: never run it open.
        raise LaunchError(
            "set SOTONG_RASA_TOKEN or SOTONG_RASA_TOKEN_FILE (scripts/run.sh keeps one in var/rasa-token)"
        )
    if len(token) < 16 and production_mode():
        raise LaunchError("SOTONG_RASA_TOKEN is shorter than 16 characters")
    return token


def _given_token(request, allow_query: bool) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.args.get("token") if allow_query else None


def install_constant_time_auth() -> None:
    """Replace rasa.server.requires_auth before Rasa builds its routes.

    Rasa 3.6 compares ``?token=`` with ``==`` and only reads the query string; this
    keeps its JWT path and error reply, adds the Bearer header, uses compare_digest.
    """
    import rasa.server

    rasa_requires_auth = rasa.server.requires_auth
    allow_query = not production_mode()

    def requires_auth(app, token=None):
        def decorator(handler):
            rasa_checked = rasa_requires_auth(app, token)(handler)  # JWT and "auth disabled" cases

            @wraps(handler)
            async def decorated(request, *args, **kwargs):
                given = _given_token(request, allow_query)
                if (
                    token is not None
                    and given is not None
                    and hmac.compare_digest(given.encode("utf-8"), token.encode("utf-8"))
                ):
                    result = handler(request, *args, **kwargs)
                    return await result if hasattr(result, "__await__") else result
                if app.config.get("USE_JWT"):
                    return await rasa_checked(request, *args, **kwargs)
                raise rasa.server.ErrorResponse(401, "NotAuthenticated", "User is not authenticated.")

            return decorated

        return decorator

    rasa.server.requires_auth = requires_auth


def rasa_argv(command: str, passthrough: list[str], host: str, port: str) -> list[str]:
    for arg in passthrough:
        if arg.split("=", 1)[0] in FORBIDDEN_ARGS:
            raise LaunchError(
                f"{arg.split('=', 1)[0]} is set by this launcher (SOTONG_RASA_TOKEN*, "
                "SOTONG_RASA_HOST), not on the command line"
            )
    argv = ["rasa", command, "-i", host, "--port", port]
    if command == "run":
        argv.append("--enable-api")
    return argv + passthrough


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv.pop(0) if argv and argv[0] in ("run", "shell") else "run"
    os.umask(0o077)
    logmask.install()
    host = os.environ.get("SOTONG_RASA_HOST", "").strip() or "127.0.0.1"
    port = os.environ.get("SOTONG_RASA_PORT", "").strip() or "5005"
    try:
        token = read_token() if command == "run" else None
        sys.argv = rasa_argv(command, argv, host, port)
    except LaunchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    import rasa.__main__ as rasa_main
    import rasa.cli.run

    install_constant_time_auth()
    install_off_loop_model_load()
    make_parser = rasa_main.create_argument_parser

    def create_argument_parser():
        # The token goes into the parsed options, never into sys.argv.
        parser = make_parser()
        parse_args = parser.parse_args

        def parse_with_token(args=None, namespace=None):
            options = parse_args(args, namespace)
            if token is not None and getattr(options, "func", None) is rasa.cli.run.run:
                options.auth_token = token
            return options

        parser.parse_args = parse_with_token
        return parser

    rasa_main.create_argument_parser = create_argument_parser
    rasa_main.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())

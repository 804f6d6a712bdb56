"""A fake 알림톡 provider: a real HTTP server on loopback answering like NHN Cloud v2.3.

It records every request, can be told to be down (503) or to refuse (400 / a result
code), and counts messages it accepted per idempotency key, as a provider that
de-duplicates would. Misbehaviours for the worker's tests: ``slow`` (holds the answer
until ``release()`` or ``slow_seconds``; ``arrived`` is set when a request is held),
``garbage`` (accepts the message, answers 200 with an HTML page), ``reset`` (accepts
it, then drops the connection without an answer), ``redirect`` (302 to
``redirect_to``).
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeAlimtalkProvider:
    APP_KEY = "fake-app-key"
    SECRET = "fake-secret"
    SENDER_KEY = "fake-sender-key"

    def __init__(self):
        self.requests: list[dict] = []
        self.accepted: dict[str, dict] = {}  # idempotency key -> body
        self.mode = "up"  # up | down | refuse | slow | garbage | reset | redirect
        self.slow_seconds = 0.0
        self.redirect_to = ""
        self.arrived = threading.Event()  # a slow-mode request is being held
        self._release = threading.Event()
        self._lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                record = {"path": self.path, "headers": dict(self.headers), "body": json.loads(raw or b"{}")}
                with provider._lock:
                    provider.requests.append(record)
                    mode = provider.mode
                if mode == "slow":
                    provider.arrived.set()
                    provider._release.wait(provider.slow_seconds)
                if mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", provider.redirect_to + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if mode == "down":
                    return self._reply(503, {"message": "service unavailable"})
                expected = f"/alimtalk/v2.3/appkeys/{provider.APP_KEY}/messages"
                if self.path != expected or self.headers.get("X-Secret-Key") != provider.SECRET:
                    return self._reply(
                        401, {"header": {"isSuccessful": False, "resultCode": -1000, "resultMessage": "unauthorized"}}
                    )
                if mode == "refuse":
                    return self._reply(
                        200,
                        {"header": {"isSuccessful": False, "resultCode": -3001, "resultMessage": "invalid template"}},
                    )
                key = self.headers.get("X-Idempotency-Key")
                with provider._lock:
                    provider.accepted.setdefault(key, record["body"])
                if mode == "garbage":  # e.g. a proxy's error page, after the provider took it
                    page = b"<html><body>Gateway says hello</body></html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.write(page)
                    return
                if mode == "reset":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                recipients = record["body"].get("recipientList") or []
                self._reply(
                    200,
                    {
                        "header": {"isSuccessful": True, "resultCode": 0, "resultMessage": "SUCCESS"},
                        "message": {
                            "requestId": uuid.uuid4().hex,
                            "sendResults": [
                                {
                                    "recipientSeq": i + 1,
                                    "recipientNo": r.get("recipientNo"),
                                    "resultCode": 0,
                                    "resultMessage": "SUCCESS",
                                }
                                for i, r in enumerate(recipients)
                            ],
                        },
                    },
                )

            def _reply(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def release(self) -> None:
        """Let every held slow-mode request answer now."""
        self._release.set()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def env(self, sms_fallback: str | None = None) -> dict[str, str]:
        env = {
            "SOTONG_ALIMTALK_URL": self.url,
            "SOTONG_ALIMTALK_APPKEY": self.APP_KEY,
            "SOTONG_ALIMTALK_SECRET": self.SECRET,
            "SOTONG_ALIMTALK_SENDER_KEY": self.SENDER_KEY,
            # plain http on loopback: the test-only override (refused in production mode)
            "SOTONG_ALIMTALK_ALLOW_LOOPBACK_HTTP": "1",
        }
        if sms_fallback is not None:
            env["SOTONG_ALIMTALK_SMS_FALLBACK"] = sms_fallback
        return env

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release()
        self.server.shutdown()
        self.server.server_close()

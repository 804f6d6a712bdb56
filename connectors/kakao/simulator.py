"""KakaoTalk simulator for developers: chat with the bot through the Kakao channel.

    python -m connectors.kakao.simulator --url http://localhost:5005/webhooks/kakao/webhook --user demo-user

Sends real-shaped skill requests (payloads.py), draws each answer like the
KakaoTalk screen (screen.py) and numbers every tappable button: type the
number to tap it. `/photo URL` sends a photo, `/location 주소` a location.
A callback receiver on loopback gets answers that took longer than Kakao's
5 seconds (switch it off with --no-callback to see the "처리 중" path).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests

from connectors.kakao import payloads
from connectors.kakao.config import DEFAULT_SECRET_HEADER, ENV_SECRET, ENV_SECRET_HEADER, KAKAO_TIME_LIMIT_SECONDS
from connectors.kakao.screen import draw

CALLBACK_WAIT_SECONDS = 60.0  # the callbackUrl's validity
HELP = """commands:  <number> tap a button   /photo URL   /location 주소   /raw (toggle JSON)   /help   /quit"""


class CallbackReceiver:
    """Loopback HTTP server standing in for Kakao's callback endpoint."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.received: "queue.Queue[tuple[str, dict[str, Any]]]" = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length).decode("utf-8"))
                except ValueError:
                    body = {"invalid_json": True}
                received.put((self.path, body))
                reply = json.dumps({"taskId": self.path.rsplit("/", 1)[-1], "status": "SUCCESS"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *_: Any) -> None:  # keep the chat screen clean
                pass

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> "CallbackReceiver":
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def new_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/callback/{uuid.uuid4().hex}"

    def wait_for(self, url: str, timeout: float) -> dict[str, Any] | None:
        """The body POSTed to `url`, or None after `timeout`; others stay queued."""
        path = url.split("/", 3)[-1]
        deadline = time.monotonic() + timeout
        others = []
        found = None
        while found is None and time.monotonic() < deadline:
            try:
                got_path, body = self.received.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if got_path.lstrip("/") == path:
                found = body
            else:
                others.append((got_path, body))
        for item in others:
            self.received.put(item)
        return found

    def drain(self) -> list[dict[str, Any]]:
        bodies = []
        while True:
            try:
                bodies.append(self.received.get_nowait()[1])
            except queue.Empty:
                return bodies


class Simulator:
    def __init__(
        self,
        url: str,
        user: str,
        bot_id: str = payloads.DEFAULT_BOT_ID,
        secret: str = "",
        secret_header: str = DEFAULT_SECRET_HEADER,
        receiver: CallbackReceiver | None = None,
        timeout: float = 10.0,
        raw: bool = False,
        out: Any = sys.stdout,
    ) -> None:
        self.url = url
        self.user = user
        self.bot_id = bot_id
        self.headers = {"Content-Type": "application/json"}
        if secret:
            self.headers[secret_header] = secret
        self.receiver = receiver
        self.timeout = timeout
        self.raw = raw
        self.out = out
        self.choices: list[dict[str, Any]] = []

    def print(self, *lines: str) -> None:
        for line in lines:
            print(line, file=self.out)

    def command(self, line: str) -> bool:
        """Handle one typed line; False to quit."""
        line = line.strip()
        if not line:
            return True
        if line in ("/quit", "/exit"):
            return False
        if line == "/help":
            self.print(HELP)
        elif line == "/raw":
            self.raw = not self.raw
        elif line.isdigit() and 1 <= int(line) <= len(self.choices):
            choice = self.choices[int(line) - 1]
            self.send(payloads.quick_reply_request(choice, self.user, bot_id=self.bot_id))
        elif line.isdigit() and self.choices == []:
            self.print(f"  (no button {line} on screen: sent as text)")
            self.send(payloads.skill_request(line, self.user, bot_id=self.bot_id))
        elif line.startswith("/photo "):
            self.send(payloads.photo_request(line[len("/photo ") :].strip(), self.user, bot_id=self.bot_id))
        elif line.startswith("/location "):
            self.send(payloads.location_request(line[len("/location ") :].strip(), self.user, bot_id=self.bot_id))
        else:
            self.send(payloads.skill_request(line, self.user, bot_id=self.bot_id))
        return True

    def send(self, body: dict[str, Any]) -> dict[str, Any] | None:
        callback_url = self.receiver.new_url() if self.receiver else None
        if callback_url:
            body["userRequest"]["callbackUrl"] = callback_url
        self.print(f"나: {body['userRequest']['utterance']}")
        started = time.monotonic()
        try:
            reply = requests.post(
                self.url,
                data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                headers=self.headers,
                timeout=(3.05, self.timeout),
            )
        except requests.RequestException as error:
            self.print(f"  ✗ no answer: {error}")
            return None
        elapsed = time.monotonic() - started
        note = f"  ({reply.status_code}, {elapsed:.2f} s)"
        if elapsed > KAKAO_TIME_LIMIT_SECONDS:
            note += "  ⚠ Kakao would have given up (5 s limit)"
        try:
            response = reply.json()
        except ValueError:
            self.print(note, f"  ✗ not JSON: {reply.text[:200]}")
            return None
        self.show(response)
        self.print(note)
        if response.get("useCallback") and self.receiver and callback_url:
            later = self.receiver.wait_for(callback_url, CALLBACK_WAIT_SECONDS)
            if later is None:
                self.print("  ✗ no callback within a minute")
            else:
                self.print("  ↩ callback:")
                self.show(later)
        return response

    def show(self, response: dict[str, Any]) -> None:
        if self.raw:
            self.print(json.dumps(response, ensure_ascii=False, indent=2))
        lines, choices = draw(response)
        self.print("봇:", *lines)
        if choices or not response.get("useCallback"):
            self.choices = choices

    def show_late_callbacks(self) -> None:
        if self.receiver:
            for body in self.receiver.drain():
                self.print("  ↩ late callback:")
                self.show(body)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:5005/webhooks/kakao/webhook")
    parser.add_argument("--user", default="demo-user", help="botUserKey of the simulated resident")
    parser.add_argument("--bot-id", default=payloads.DEFAULT_BOT_ID)
    parser.add_argument("--secret", default=os.environ.get(ENV_SECRET, ""), help=f"default: ${ENV_SECRET}")
    parser.add_argument("--secret-header", default=os.environ.get(ENV_SECRET_HEADER) or DEFAULT_SECRET_HEADER)
    parser.add_argument("--no-callback", action="store_true", help="send no callbackUrl (the '처리 중' path)")
    parser.add_argument(
        "--callback-port",
        type=int,
        default=0,
        help="port of the loopback callback receiver (0: any). Rasa POSTs there only when started with "
        "KAKAO_CALLBACK_HOSTS=127.0.0.1:<port> KAKAO_CALLBACK_ALLOW_HTTP=1 (development mode)",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="HTTP read timeout in seconds")
    parser.add_argument("--raw", action="store_true", help="also print the raw JSON")
    parser.add_argument("--say", action="append", default=[], help="send these lines and exit (repeatable)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    receiver = None if args.no_callback else CallbackReceiver(port=args.callback_port)
    if receiver:
        receiver.__enter__()
    try:
        simulator = Simulator(
            args.url, args.user, args.bot_id, args.secret, args.secret_header, receiver, args.timeout, args.raw
        )
        if args.say:
            for line in args.say:
                simulator.command(line)
            return 0
        simulator.print(f"KakaoTalk simulator → {args.url} as {args.user}", HELP)
        while True:
            simulator.show_late_callbacks()
            try:
                line = input("나> ")
            except (EOFError, KeyboardInterrupt):
                return 0
            if not simulator.command(line):
                return 0
    finally:
        if receiver:
            receiver.__exit__()


if __name__ == "__main__":
    sys.exit(main())

"""Real servers on loopback that record what they receive: an HTTP webhook endpoint and an SMTP server."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


class WebhookRecorder:
    """Records every POST body (parsed JSON) sent to http://127.0.0.1:<port>/<path>; `url` is its apprise URL."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                recorder.requests.append({"path": self.path, "json": json.loads(body or b"null")})
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:  # keep test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hooks/T000/secret-token"

    @property
    def texts(self) -> list[str]:
        """Title and message of each apprise JSON body."""
        return [f"{request['json']['title']}\n{request['json']['message']}" for request in self.requests]


class MailRecorder:
    """Records every message an aiosmtpd server on 127.0.0.1 accepts."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = free_port()

    def url(self, recipient: str) -> str:
        """The apprise URL that mails `recipient` through this server (plain SMTP, no login: loopback)."""
        return f"mailto://127.0.0.1:{self.port}/{recipient}?from=warehouse@example.com"

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd handler hook
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def webhook_recorder() -> Iterator[WebhookRecorder]:
    recorder = WebhookRecorder()
    thread = threading.Thread(target=recorder.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        recorder.server.shutdown()
        recorder.server.server_close()


@contextmanager
def mail_recorder() -> Iterator[MailRecorder]:
    recorder = MailRecorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()

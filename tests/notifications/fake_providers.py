"""Local stand-ins for the providers messages leave through, over real sockets, for tests
that run the portal in another process (a gunicorn server under the production
settings): an SMTP server that keeps what it is sent, and a fake of GOV.UK Notify's HTTP
API for ``NotifySmsBackend``."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class SmtpInbox:
    """An SMTP server on loopback; ``messages`` holds each email as (recipients, text)."""

    def __init__(self):
        self.messages: list[tuple[list[str], str]] = []
        self.port = _free_port()
        self._controller = Controller(self, hostname=HOST, port=self.port)

    @property
    def url(self) -> str:
        """As EMAIL_URL: plain SMTP, no TLS, on loopback."""
        return f"smtp://{HOST}:{self.port}"

    async def handle_DATA(self, server, session, envelope):
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        parts = [part.get_content() for part in parsed.walk() if not part.is_multipart()]
        self.messages.append((list(envelope.rcpt_tos), "\n".join(parts)))
        return "250 OK"

    def start(self) -> SmtpInbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


class FakeNotify:
    """GOV.UK Notify's ``POST /v2/notifications/sms``; ``texts`` holds each as the request
    body (``phone_number``, ``personalisation``, ``reference``...)."""

    service_id = str(uuid.uuid4())
    secret = str(uuid.uuid4())
    template_id = "template-1"

    def __init__(self):
        self.texts: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test's output quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.texts.append(body)
                self._answer(201, {"id": f"notify-{len(fake.texts)}", "content": {}})

            def do_GET(self):
                self._answer(200, {"notifications": [], "links": {}})

            def _answer(self, status, data):
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._server = ThreadingHTTPServer((HOST, 0), Handler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}"

    @property
    def api_key(self) -> str:
        return f"test-{self.service_id}-{self.secret}"

    def environment(self) -> dict[str, str]:
        """The settings that send texts here, as environment variables."""
        return {
            "SMS_BACKEND": "portal.notifications.sms.NotifySmsBackend",
            "NOTIFY_API_KEY": self.api_key,
            "NOTIFY_SMS_TEMPLATE_ID": self.template_id,
            "NOTIFY_BASE_URL": self.url,
        }

    def start(self) -> FakeNotify:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

"""A local fake of the Zoom endpoints the portal uses, served over real HTTP for tests."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from urllib.parse import parse_qs, urlparse


class FakeZoom:
    def __init__(self):
        self.requests: list[tuple[str, str, dict]] = []
        self.meetings: dict[str, dict] = {}
        self.registrants: dict[str, dict] = {}
        self.tokens_issued = 0
        # (account id, client id) -> the one secret Zoom accepts for them. Empty: any
        # credentials get a token.
        self.apps: dict[tuple[str, str], str] = {}
        self.valid_tokens: set[str] = set()
        # (method, path prefix) -> list of (status, headers) answered before the real one
        self.failures: dict[tuple[str, str], list[tuple[int, dict]]] = {}
        # (method, path prefix) -> list of (status, raw body) answered before the real one
        self.garbage: dict[tuple[str, str], list[tuple[int, bytes]]] = {}
        self._ids = count(85_000_000_001)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, method: str, path_prefix: str, status: int, headers=None, times=1):
        self.failures.setdefault((method, path_prefix), []).extend(
            [(status, headers or {})] * times
        )

    def answer_next(self, method: str, path_prefix: str, status: int, body: bytes, times=1):
        """Answer the next request(s) with ``body`` as it is: not JSON, or not the JSON
        the portal expects (a proxy's error page, a changed API)."""
        self.garbage.setdefault((method, path_prefix), []).extend([(status, body)] * times)

    def revoke_tokens(self):
        self.valid_tokens.clear()

    def _accepts(self, account_id: str, authorization: str) -> bool:
        scheme, _, encoded = authorization.partition(" ")
        if scheme != "Basic":
            return False
        client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        expected = self.apps.get((account_id, client_id))
        return expected is not None and secrets.compare_digest(expected, secret)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _reply(self, status, body=None, headers=None):
                payload = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def _handle(self, method):
                parsed = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}") if length else {}
                fake.requests.append((method, parsed.path, body))
                for (scripted_method, prefix), queue in fake.garbage.items():
                    if scripted_method == method and parsed.path.startswith(prefix) and queue:
                        status, raw = queue.pop(0)
                        self.send_response(status)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(raw)))
                        self.end_headers()
                        self.wfile.write(raw)
                        return None
                for (fail_method, prefix), queue in fake.failures.items():
                    if fail_method == method and parsed.path.startswith(prefix) and queue:
                        status, headers = queue.pop(0)
                        return self._reply(status, {"message": "scripted failure"}, headers)
                if parsed.path == "/oauth/token":
                    query = parse_qs(parsed.query)
                    if query.get("grant_type") != ["account_credentials"]:
                        return self._reply(400, {"reason": "bad grant"})
                    if fake.apps and not fake._accepts(
                        query.get("account_id", [""])[0], self.headers.get("Authorization", "")
                    ):
                        return self._reply(400, {"reason": "Invalid client_id or client_secret"})
                    fake.tokens_issued += 1
                    token = f"token-{fake.tokens_issued}"
                    fake.valid_tokens.add(token)
                    return self._reply(200, {"access_token": token, "expires_in": 3599})
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in fake.valid_tokens:
                    return self._reply(401, {"message": "Invalid access token."})
                if method == "POST" and parsed.path == "/v2/users/me/meetings":
                    meeting_id = str(next(fake._ids))
                    fake.meetings[meeting_id] = body
                    return self._reply(
                        201,
                        {
                            "id": int(meeting_id),
                            "join_url": f"https://zoom.example/j/{meeting_id}",
                            "password": body.get("password", ""),
                        },
                    )
                if parsed.path.startswith("/v2/meetings/"):
                    meeting_id = parsed.path.split("/")[3]
                    if meeting_id not in fake.meetings:
                        return self._reply(404, {"message": "Meeting not found."})
                    if parsed.path.endswith("/registrants") and method == "POST":
                        registrant_id = f"reg-{next(fake._ids)}"
                        fake.registrants[registrant_id] = {"meeting": meeting_id, **body}
                        return self._reply(
                            201,
                            {
                                "registrant_id": registrant_id,
                                "join_url": f"https://zoom.example/w/{meeting_id}?tk={registrant_id}",
                            },
                        )
                    if parsed.path.endswith("/registrants/status") and method == "PUT":
                        for registrant in body.get("registrants", []):
                            fake.registrants.pop(registrant["id"], None)
                        return self._reply(204)
                    if method == "PATCH":
                        fake.meetings[meeting_id].update(body)
                        return self._reply(204)
                    if method == "DELETE":
                        del fake.meetings[meeting_id]
                        return self._reply(204)
                return self._reply(404, {"message": "not faked"})

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PATCH(self):
                self._handle("PATCH")

            def do_DELETE(self):
                self._handle("DELETE")

            def do_PUT(self):
                self._handle("PUT")

        return Handler

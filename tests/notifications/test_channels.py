"""The real channels: email through a real SMTP server, SMS through GOV.UK Notify's client
talking to a local fake of its HTTP API."""

from __future__ import annotations

import json
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from aiosmtpd.controller import Controller

from portal.notifications.models import MessageLog, NotificationSettings
from portal.notifications.services import message_deliver, message_queue
from referrals.notifications import referral_notify
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


@pytest.fixture
def fake_notify(settings):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            token = self.headers["Authorization"].removeprefix("Bearer ")
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            received.append((self.path, body, claims))
            self._answer(201, {"id": "notify-123", "content": {}})

        def do_GET(self):
            # GET /v2/notifications?reference=…: what Notify has with that reference.
            from urllib.parse import parse_qs, urlsplit

            token = self.headers["Authorization"].removeprefix("Bearer ")
            jwt.decode(token, SECRET, algorithms=["HS256"])
            reference = parse_qs(urlsplit(self.path).query).get("reference", [""])[0]
            sent = [
                {"id": "notify-123", "reference": body.get("reference")}
                for path, body, _ in received
                if body.get("reference") == reference
            ]
            self._answer(200, {"notifications": sent, "links": {}})

        def _answer(self, status, data):
            payload = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_BACKEND = "portal.notifications.sms.NotifySmsBackend"
    settings.NOTIFY_API_KEY = f"test-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_SMS_TEMPLATE_ID = "template-1"
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{server.server_address[1]}"
    yield received
    server.shutdown()
    server.server_close()


def test_email_goes_through_a_real_smtp_server_with_both_parts(smtp, organisation_a):
    NotificationSettings.objects.create(
        organisation=organisation_a, reply_to="team@charity.example"
    )
    referral = make_referral(organisation_a, email="person@example.org")
    log = referral_notify(referral=referral, template="referral_received")
    assert log.status == "sent"
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["person@example.org"]
    raw = envelope.content.decode()
    assert "multipart/alternative" in raw and "text/html" in raw and "text/plain" in raw
    assert "Reply-To: team@charity.example" in raw
    assert "Subject: We have your message" in raw


def test_sms_goes_through_the_notify_client(fake_notify, organisation_a):
    referral = make_referral(organisation_a, email="", phone="07911 123456", safe_channels=["text"])
    log = referral_notify(referral=referral, template="referral_received")
    assert log.status == "sent" and log.provider_id == "notify-123"
    [(path, body, claims)] = fake_notify
    assert path == "/v2/notifications/sms"
    assert body["phone_number"] == "+447911123456"
    assert body["template_id"] == "template-1"
    assert "we have your message" in body["personalisation"]["body"]
    assert claims["iss"] == SERVICE_ID


def test_notify_is_asked_by_reference_after_an_interrupted_send(fake_notify, organisation_a):
    from portal.notifications.sms import NotifySmsBackend

    backend = NotifySmsBackend()
    backend.send(to="+447911123456", body="Hello", sender="x", reference="portal-message-7")
    assert fake_notify[0][1]["reference"] == "portal-message-7"
    assert backend.sent_with_reference("portal-message-7") == "notify-123"
    assert backend.sent_with_reference("portal-message-8") is None


def test_a_notify_failure_is_logged_not_raised(settings, organisation_a):
    settings.SMS_BACKEND = "portal.notifications.sms.NotifySmsBackend"
    settings.NOTIFY_API_KEY = f"test-{SERVICE_ID}-{SECRET}"
    settings.NOTIFY_SMS_TEMPLATE_ID = "template-1"
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens here
    referral = make_referral(organisation_a, email="", phone="07911 123456", safe_channels=["text"])
    log = referral_notify(referral=referral, template="referral_received")
    assert log.status == "failed" and log.reason


def test_once_sent_only_record_ids_are_kept_from_a_messages_details(organisation_a):
    referral = make_referral(organisation_a)
    log = message_queue(
        organisation=organisation_a,
        record_type="referrals.referral",
        record_id=str(referral.pk),
        template="pack_sent",
        context={
            "pack_link": "https://portal.example/p/secret-token",
            "expires_at": "2026-12-28",
            "session_id": "kept-for-the-session-page",
        },
        key="context-trim-test",
    )
    message_deliver(log_id=log.pk, last_attempt=False)
    log = MessageLog.objects.get(pk=log.pk)
    assert log.status == "sent"
    assert log.context == {"session_id": "kept-for-the-session-page"}

"""Sending a self-referral while the mail server is down or hanging.

The acknowledgement is sent while the family waits for their confirmation, so a mail
server that refuses or never answers must neither hold their page nor lose the message
without anyone knowing: the referral is kept, the page answers, and staff are given a
task to reach the person another way.
"""

from __future__ import annotations

import socket
import time

import pytest

from portal.notifications.models import MessageLog, StaffTask
from referrals.models import Referral
from tests.referrals.self_referral import answer, page, send

pytestmark = pytest.mark.django_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def silent_port():
    """A port that accepts connections and never answers, as a hanging mail server does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


@pytest.fixture
def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def send_and_time(client, organisation, capture) -> float:
    answer(client, organisation)
    started = time.monotonic()
    with capture(execute=True):
        assert send(client, organisation).status_code == 303
    return time.monotonic() - started


def assert_kept_and_handed_to_staff(client, organisation):
    assert "Request sent" in page(client, organisation)
    referral = Referral.objects.get()
    assert referral.full_name == "Pat Doe"
    log = MessageLog.objects.get(template="referral_received")
    assert log.status == MessageLog.Status.FAILED
    task = StaffTask.objects.get()
    assert (task.kind, task.record_id, task.message) == (
        StaffTask.Kind.MESSAGE_FAILED,
        str(referral.pk),
        log,
    )


def test_a_mail_server_that_refuses_still_sends_the_family_to_their_confirmation(
    client, organisation_a, settings, closed_port, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = (
        SMTP,
        "127.0.0.1",
        closed_port,
    )
    send_and_time(client, organisation_a, django_capture_on_commit_callbacks)
    assert_kept_and_handed_to_staff(client, organisation_a)


def test_a_hanging_mail_server_holds_the_familys_page_for_a_bounded_time(
    client, organisation_a, settings, silent_port, django_capture_on_commit_callbacks
):
    # The portal's own limit, well inside gunicorn's 30 seconds.
    assert settings.EMAIL_TIMEOUT is not None and settings.EMAIL_TIMEOUT <= 10
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = (
        SMTP,
        "127.0.0.1",
        silent_port,
    )
    settings.EMAIL_TIMEOUT = 1  # the same limit, shorter, to keep the test quick
    took = send_and_time(client, organisation_a, django_capture_on_commit_callbacks)
    assert took < 5
    assert_kept_and_handed_to_staff(client, organisation_a)

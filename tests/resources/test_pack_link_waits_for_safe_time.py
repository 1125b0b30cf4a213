"""A pack's link sent outside the person's safe times waits for the next one: kept only
encrypted while it waits, sent then with the link that works, and not sent at all if
staff stop the link first."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import MessageLog
from portal.notifications.services import release_waiting_messages
from resources import services
from resources.models import Delivery, Resource
from tests.conftest import sign_in
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
WEEKDAYS_10_TO_2 = ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=LONDON), tick=False)


@pytest.fixture
def sent_on_saturday(library, organisation_a, caseworker_a, django_capture_on_commit_callbacks):
    referral = make_referral(organisation_a, safe_channels=["email"])
    referral.safe_contact.set_windows(WEEKDAYS_10_TO_2)
    referral.safe_contact.save()
    bail = Resource.objects.shared().get(slug="police-bail")
    with at(2026, 11, 28, 11, 0), django_capture_on_commit_callbacks(execute=True):
        delivery, token = services.pack_send(
            referral=referral, pack=None, resources=[bail], actor=caseworker_a, title="For you"
        )
    delivery.refresh_from_db()
    return delivery, token


def test_the_link_waits_encrypted_for_mondays_window(sent_on_saturday):
    delivery, token = sent_on_saturday
    assert mail.outbox == []
    log = delivery.message  # the delivery points at the waiting message
    assert log.status == MessageLog.Status.WAITING
    assert log.send_after == datetime(2026, 11, 30, 10, tzinfo=LONDON)
    assert log.needed_by == delivery.expires_at
    assert log.context == {"delivery_id": str(delivery.pk)}
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_context FROM notifications_messagelog")
        (stored,) = cursor.fetchone()
    assert token not in stored and "pack" not in stored

    with at(2026, 11, 30, 10, 0):
        release_waiting_messages()
        deliver_all()
    assert len(mail.outbox) == 1 and services.pack_url(token) in mail.outbox[0].body
    delivery.refresh_from_db()
    assert delivery.message.status == MessageLog.Status.SENT
    assert delivery.message.sealed_context == ""


def test_a_link_stopped_while_it_waits_is_not_sent(sent_on_saturday, caseworker_a):
    delivery, _ = sent_on_saturday
    with at(2026, 11, 29, 9, 0):
        services.delivery_revoke(delivery=delivery, actor=caseworker_a)
    with at(2026, 11, 30, 10, 0):
        release_waiting_messages()
        deliver_all()
    assert mail.outbox == []
    log = Delivery.objects.get(pk=delivery.pk).message
    assert (log.status, log.reason) == (MessageLog.Status.REFUSED, "the pack's link was stopped")


def test_the_packs_page_says_until_when_its_message_waits(sent_on_saturday, caseworker_a):
    delivery, _token = sent_on_saturday
    client = Client()
    sign_in(client, caseworker_a)
    with at(2026, 11, 28, 11, 5):
        page = client.get(
            reverse("resources-staff:delivery", kwargs={"delivery_id": delivery.pk})
        ).content.decode()
    assert "waiting for a safe time, until Monday 30 November, 10:00 a.m." in page
    assert "\u2013 ," not in page  # no channel is chosen until it goes

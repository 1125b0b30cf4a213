"""A person changes how and when we may reach them, on their support page: it updates
their safe contact, is audited, is on the referral's timeline for the caseworker, decides
the channel of the next message, and keeps at least one way (stopping all contact is its
own choice)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.notifications.sms import LocmemSmsBackend
from referrals.models import Referral, ReferralEvent, SafeContact
from referrals.notifications import referral_notify
from referrals.services import ReferralError
from referrals.support_page import AT_LEAST_ONE_WAY, safe_contact_change_by_person
from tests.conftest import sign_in
from tests.private_links import open_place_page
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

CONTACT = "/support/contact/"
MOBILE = "07911 123456"


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def person(organisation_a):
    return make_referral(organisation_a, phone=MOBILE, safe_channels=["email"])


def change(client, **data):
    return client.post(CONTACT, {"safe_times": "", "name_to_use": "", **data})


def test_a_change_updates_safe_contact_and_is_on_the_timeline_and_audited(
    client, person, caseworker_a
):
    open_place_page(client, person)
    response = change(
        client, safe_channels=["text", "call"], safe_times="Weekday mornings", name_to_use="Sam"
    )
    assert response.status_code == 302 and response.url == "/support/#how-to-reach-you"
    safe = SafeContact.objects.get(referral=person)
    assert set(safe.safe_channels) == {"text", "call"}
    assert (safe.safe_times, safe.name_to_use) == ("Weekday mornings", "Sam")

    event = ReferralEvent.objects.get(referral=person, kind="safe_contact_updated")
    assert event.actor is None
    assert event.detail == {
        "by": "person",
        "channels": ["call", "text"],
        "changed": ["channels", "safe_times", "name_to_use"],
    }
    assert "Weekday" not in str(event.detail) and "Sam" not in str(event.detail)
    audit = AuditEvent.objects.get(target_id=str(person.pk), detail__change="safe_contact")
    assert audit.actor is None and audit.detail["by"] == "person"

    staff = sign_in(Client(), caseworker_a)
    timeline = staff.get(reverse("referrals:timeline", kwargs={"referral_id": person.pk}))
    content = timeline.content.decode()
    assert "Safe contact updated" in content
    # The note they wrote is told apart from the safe times the portal keeps to.
    assert (
        "changed: the ways that are safe, their note about safe times, the name to use" in content
    )
    assert "by them, on their support page" in content
    detail = staff.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    assert "Weekday mornings" in detail.content.decode()


def test_the_next_message_goes_the_way_they_chose(client, person):
    assert referral_notify(referral=person, template="referral_received").channel == "email"
    open_place_page(client, person)
    change(client, safe_channels=["text"])
    mail.outbox.clear()
    log = referral_notify(referral=Referral.objects.get(pk=person.pk), template="referral_received")
    assert (log.channel, log.status) == ("text", "sent")
    assert mail.outbox == [] and len(LocmemSmsBackend.outbox) == 1
    # Only calls: nothing written goes at all.
    change(client, safe_channels=["call"])
    person = Referral.objects.get(pk=person.pk)
    assert referral_notify(referral=person, template="referral_received").status == "refused"


def test_at_least_one_way_must_stay(client, person):
    open_place_page(client, person)
    response = change(client, safe_times="Evenings")
    assert response.status_code == 400
    content = response.content.decode()
    assert AT_LEAST_ONE_WAY.split(".")[0] in content
    assert "Error: Your support page" in content  # the title says so too
    assert SafeContact.objects.get(referral=person).safe_channels == ["email"]
    assert not ReferralEvent.objects.filter(kind="safe_contact_updated").exists()


@pytest.mark.parametrize("channel", ["post", "pigeon", ""])
def test_only_ways_we_hold_details_for_can_be_chosen(client, person, channel):
    open_place_page(client, person)
    response = change(client, safe_channels=[channel])
    assert response.status_code == 400
    assert "Choose" in response.content.decode()
    assert SafeContact.objects.get(referral=person).safe_channels == ["email"]


def test_text_is_not_offered_for_a_landline(client, organisation_a):
    person = make_referral(organisation_a, phone="0113 496 0000", safe_channels=["call"])
    open_place_page(client, person)
    content = client.get("/support/").content.decode()
    assert 'value="call"' in content and 'value="text"' not in content
    assert change(client, safe_channels=["text"]).status_code == 400


def test_over_long_answers_are_refused_kindly(client, person):
    open_place_page(client, person)
    response = change(client, safe_channels=["email"], safe_times="x" * 501)
    assert response.status_code == 400
    assert "Keep this to 500 characters or fewer." in response.content.decode()


def test_nothing_changed_writes_nothing(client, person):
    open_place_page(client, person)
    response = change(client, safe_channels=["email"])
    assert response.status_code == 302
    assert not ReferralEvent.objects.filter(kind="safe_contact_updated").exists()


def test_the_service_keeps_the_same_rules(person):
    with pytest.raises(ReferralError, match="at least one way"):
        safe_contact_change_by_person(
            referral=person, channels=frozenset(), safe_times="", name_to_use=""
        )
    with pytest.raises(ReferralError, match="Choose from the ways listed"):
        safe_contact_change_by_person(
            referral=person, channels=frozenset({"post"}), safe_times="", name_to_use=""
        )


def test_the_form_fields_are_not_kept_by_a_shared_browser(client, person):
    open_place_page(client, person)
    content = client.get("/support/").content.decode()
    for name in ("safe_times", "name_to_use"):
        field = next(
            tag for tag in content.split("<input")[1:] if f'name="{name}"' in tag.split(">")[0]
        )
        assert 'autocomplete="off"' in field.split(">")[0], name


def test_a_page_closed_while_they_typed_shows_what_they_typed(client, person):
    """The page closes after an hour idle: the change is not saved, and what they wrote
    is shown back so that they need not remember it, with a plain reason."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from referrals import links

    open_place_page(client, person)
    later = timezone.now() + links.GRANT_IDLE_LIMIT + timedelta(minutes=1)
    with time_machine.travel(later):
        response = change(
            client,
            safe_channels=["text", "email"],
            safe_times="Tuesdays after 7 <b>pm</b>",
            name_to_use="Sam",
        )
    assert response.status_code == 404
    content = response.content.decode()
    assert "What you typed has not been saved" in content
    assert "closes after an hour without use" in content
    assert "Text message" in content and "Email" in content
    assert "Tuesdays after 7 &lt;b&gt;pm&lt;/b&gt;" in content and "Sam" in content
    assert SafeContact.objects.get(referral=person).safe_times == ""
    assert not ReferralEvent.objects.filter(kind="safe_contact_updated").exists()

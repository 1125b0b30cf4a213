"""What a message says it is from: the sender name and reply-to address are checked
where they are entered, and the From and Reply-To headers are built in one place that a
bad value already in the database cannot bend."""

from email import message_from_bytes
from email.utils import getaddresses

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.notifications.forms import NotificationSettingsForm
from portal.notifications.models import NotificationSettings
from portal.organisations.models import Organisation
from referrals.notifications import referral_notify
from tests.conftest import sign_in
from tests.factories import UserFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

HOSTILE_NAMES = [
    "Support <evil@attacker.example>",
    "evil@attacker.example",
    "a\nBcc: victim@attacker.example",
    "Support\r\nReply-To: evil@attacker.example",
    'Support" <evil@attacker.example>',
    "Support team\x00",
    "Support; evil@attacker.example",
]
# PostgreSQL cannot store a NUL at all, so that one is only refused at the form.
STORABLE_HOSTILE_NAMES = [name for name in HOSTILE_NAMES if "\x00" not in name]
HOSTILE_REPLY_TO = [
    "Support <evil@attacker.example>",
    "team@charity.example, evil@attacker.example",
    "team@charity.example\nBcc: victim@attacker.example",
    '"evil@attacker.example"@charity.example',
]


def _form(**overrides):
    data = {
        "discreet_sender_name": "Support team",
        "reply_to": "",
        "session_reminder_offsets": "48, 2",
        **overrides,
    }
    return NotificationSettingsForm(data)


@pytest.mark.parametrize(
    "name", ["Support team", "Harbour Family Support (North)", "St Mary's & Friends", "Café Zoë"]
)
def test_ordinary_sender_names_are_accepted(name):
    assert _form(discreet_sender_name=name).is_valid()


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_sender_name_that_could_change_the_header_is_refused_in_plain_english(name):
    form = _form(discreet_sender_name=name)
    assert not form.is_valid()
    assert any("name" in message for message in form.errors["discreet_sender_name"])


@pytest.mark.parametrize("address", HOSTILE_REPLY_TO)
def test_a_reply_to_that_is_not_one_plain_address_is_refused(address):
    form = _form(reply_to=address)
    assert not form.is_valid()
    assert form.errors["reply_to"]


def test_the_settings_page_shows_the_error_next_to_the_field(client, coordinator_a, organisation_a):
    sign_in(client, coordinator_a)
    url = reverse("notifications:settings", kwargs={"organisation_id": organisation_a.pk})
    response = client.post(
        url,
        {
            "discreet_sender_name": "Support <evil@attacker.example>",
            "session_reminder_offsets": "2",
        },
    )
    assert response.status_code == 400
    assert "cannot contain an email address" in response.content.decode()
    organisation_a.refresh_from_db()
    assert organisation_a.discreet_sender_name == "Support team"


def test_the_admin_refuses_a_bad_sender_name_too(organisation_a):
    admin_user = UserFactory(email="platform@admin.example", is_staff=True, is_superuser=True)
    client = sign_in(Client(), admin_user)
    url = reverse("admin:organisations_organisation_change", args=[organisation_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    form_class = site._registry[Organisation].get_form(page.wsgi_request, organisation_a)
    data = {
        field: value
        for field, value in form_class(instance=organisation_a).initial.items()
        if value is not None
    }
    data["partner_agencies"] = []
    data["discreet_sender_name"] = "Support <evil@attacker.example>"
    form = form_class(data=data, instance=organisation_a)
    assert not form.is_valid() and "discreet_sender_name" in form.errors


def _sent_headers():
    [message] = mail.outbox
    parsed = message_from_bytes(message.message().as_bytes())
    return message, parsed


@pytest.mark.parametrize("name", STORABLE_HOSTILE_NAMES)
def test_a_bad_name_already_stored_cannot_change_the_from_address(settings, organisation_a, name):
    settings.DEFAULT_FROM_EMAIL = "no-reply@portal.example"
    Organisation.objects.filter(pk=organisation_a.pk).update(discreet_sender_name=name)
    organisation_a.refresh_from_db()
    referral = make_referral(organisation_a, email="person@example.org")

    log = referral_notify(referral=referral, template="referral_received")

    assert log.status == "sent"
    message, parsed = _sent_headers()
    [(_display, address)] = getaddresses(parsed.get_all("From"))
    assert address == "no-reply@portal.example"
    assert parsed.get_all("Bcc") is None and parsed.get_all("Reply-To") is None
    assert message.recipients() == ["person@example.org"]
    assert "attacker" not in parsed["From"]


@pytest.mark.parametrize("address", HOSTILE_REPLY_TO)
def test_a_bad_reply_to_already_stored_is_not_used(organisation_a, address):
    NotificationSettings.objects.create(organisation=organisation_a, reply_to=address)
    referral = make_referral(organisation_a, email="person@example.org")

    log = referral_notify(referral=referral, template="referral_received")

    assert log.status == "sent"
    message, parsed = _sent_headers()
    assert parsed.get_all("Reply-To") is None and parsed.get_all("Bcc") is None
    assert message.recipients() == ["person@example.org"]


def test_a_good_name_and_reply_to_are_used(settings, organisation_a):
    settings.DEFAULT_FROM_EMAIL = "no-reply@portal.example"
    Organisation.objects.filter(pk=organisation_a.pk).update(
        discreet_sender_name="Harbour Team, North"
    )
    organisation_a.refresh_from_db()
    NotificationSettings.objects.create(
        organisation=organisation_a, reply_to="team@charity.example"
    )
    referral_notify(
        referral=make_referral(organisation_a, email="person@example.org"),
        template="referral_received",
    )
    _message, parsed = _sent_headers()
    [(display, address)] = getaddresses(parsed.get_all("From"))
    assert (display, address) == ("Harbour Team, North", "no-reply@portal.example")
    assert getaddresses(parsed.get_all("Reply-To")) == [("", "team@charity.example")]

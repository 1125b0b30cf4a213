"""What a message says it is from: the sender name and reply-to address are checked
where they are entered, and the From and Reply-To headers are built in one place that a
bad value already in the database cannot bend."""

import ast
from email import message_from_bytes
from email.utils import getaddresses
from pathlib import Path

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.test import Client
from django.urls import reverse

from portal.notifications.forms import NotificationSettingsForm
from portal.notifications.models import NotificationSettings
from portal.organisations.models import Organisation
from portal.organisations.roles import Role
from portal.organisations.services import invitation_create
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


# --- Every email is made in one place ---------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
THE_ONE_PLACE = "portal/notifications/senders.py"
# What makes or sends an email without going through ``email_message``.
EMAIL_MAKERS = {
    "EmailMessage",
    "EmailMultiAlternatives",
    "send_mail",
    "send_mass_mail",
    "mail_admins",
    "mail_managers",
    "get_connection",
    "SMTP",
    "SMTP_SSL",
}


def makes_an_email(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module in ("django.core.mail", "smtplib"):
            names = {alias.name for alias in node.names} & (EMAIL_MAKERS | {"*"})
            found += [f"line {node.lineno}: imports {name}" for name in sorted(names)]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in ("smtplib", "django.core.mail"):
                    found.append(f"line {node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr in EMAIL_MAKERS:
            found.append(f"line {node.lineno}: uses {node.attr}")
    return found


def test_the_scan_finds_an_email_made_elsewhere():
    assert makes_an_email("from django.core.mail import EmailMultiAlternatives\n")
    assert makes_an_email("from django.core.mail import send_mail as sm\n")
    assert makes_an_email("from django.core import mail\nmail.EmailMessage('s', 'b')\n")
    assert makes_an_email("import smtplib\n")
    assert not makes_an_email("from django.core.mail import BadHeaderError\n")


def test_no_module_makes_an_email_except_the_one_place():
    """The class of fault: an email made anywhere else gets headers not made by
    ``sender_headers`` or ``portal_sender_headers``."""
    offenders = {}
    for folder in ("portal", "referrals", "peergroups", "resources"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative == THE_ONE_PLACE:
                continue
            if found := makes_an_email(path.read_text(encoding="utf-8")):
                offenders[relative] = found
    assert offenders == {}, "make emails with portal.notifications.senders.email_message"


HOSTILE_DEFAULT_FROM = '"Support <evil@attacker.example>" <no-reply@portal.example>'


@pytest.mark.parametrize(
    ("default_from", "expected"),
    [
        ("no-reply@portal.example", ("", "no-reply@portal.example")),
        ("Harbour Portal <no-reply@portal.example>", ("Harbour Portal", "no-reply@portal.example")),
        (HOSTILE_DEFAULT_FROM, ("", "no-reply@portal.example")),
    ],
)
def test_an_invitation_is_from_the_portal_through_the_one_place(
    settings,
    organisation_a,
    coordinator_a,
    django_capture_on_commit_callbacks,
    default_from,
    expected,
):
    settings.DEFAULT_FROM_EMAIL = default_from
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            organisation=organisation_a,
            email="new.colleague@charity.example",
            role=Role.CASEWORKER,
            invited_by=coordinator_a,
            base_url="http://testserver/",
        )
    message, parsed = _sent_headers()
    assert getaddresses(parsed.get_all("From")) == [expected]
    assert parsed.get_all("Reply-To") is None and parsed.get_all("Bcc") is None
    assert message.recipients() == ["new.colleague@charity.example"]
    assert message.alternatives and "attacker" not in parsed["From"]


def test_a_password_reset_email_is_from_the_portal_through_the_one_place(
    settings, client, caseworker_a
):
    settings.DEFAULT_FROM_EMAIL = HOSTILE_DEFAULT_FROM
    response = client.post(reverse("account_reset_password"), {"email": caseworker_a.email})
    assert response.status_code == 302
    message, parsed = _sent_headers()
    assert getaddresses(parsed.get_all("From")) == [("", "no-reply@portal.example")]
    assert message.recipients() == [caseworker_a.email]

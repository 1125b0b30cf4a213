"""Every message the portal can send, rendered in every channel it can go by, from the
registry of message kinds (``portal.notifications.registry``): a kind added later is
checked here without anyone listing it.

Every message to a family ends with a way to stop all contact: a withdrawal link that
works, for that person. No message carries doubled punctuation ("p.m.."), space before
a comma, an unrendered placeholder or an empty link; and a family's texts are written in
the alphabet every phone reads and stay within ``SMS_MAX_PARTS``.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.urls import Resolver404, resolve

from portal.accounts.notifications import staff_recipient
from portal.notifications.models import MessageLog
from portal.notifications.registry import (
    Audience,
    UnknownMessageKind,
    message_kind,
    message_kinds,
)
from portal.notifications.services import message_queue, notify
from portal.notifications.sms import SMS_MAX_PARTS, LocmemSmsBackend, sms_is_gsm, sms_parts
from referrals.links import link_redeem
from referrals.models import PrivateLink
from referrals.notifications import referral_recipient
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

# As long as a real charity's address is: the links in a text count towards its length.
PORTAL = "https://support.northbridgefamilies.org.uk"
# A discreet sender name of a realistic length (the default is "Support team").
SENDER_NAME = "Northbridge Support Team"

TEMPLATES = Path(django_settings.BASE_DIR) / "templates" / "notifications"

CASES = [
    pytest.param(kind.template, channel, id=f"{kind.template}-{channel}")
    for kind in message_kinds()
    for channel in kind.channels
]


@pytest.fixture(autouse=True)
def realistic(settings, organisation_a):
    settings.PORTAL_BASE_URL = PORTAL
    organisation_a.discreet_sender_name = SENDER_NAME
    organisation_a.save(update_fields=["discreet_sender_name"])
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()


# --- Rendering, as the notification service sends -------------------------------------


def rendered(recipient, template: str, context: dict, channel: str) -> dict[str, str]:
    """The message's parts as they left: subject, text and HTML for email; the text."""
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    log = notify(recipient=recipient, template=template, context=context, channel=channel)
    assert log.status == MessageLog.Status.SENT, (template, channel, log.reason)
    if channel == "text":
        (text,) = LocmemSmsBackend.outbox
        return {"text": text["body"]}
    (message,) = mail.outbox
    (html_body,) = [body for body, kind in message.alternatives if kind == "text/html"]
    return {"subject": message.subject, "body": message.body, "html": html_body}


def family_member(organisation, *, name: str):
    person = make_referral(organisation, phone="07700 900123", safe_channels=["email", "text"])
    person.safe_contact.name_to_use = name
    person.safe_contact.save(update_fields=["name_to_use"])
    return person


# --- What every message must and must not have ----------------------------------------

PLACEHOLDERS = re.compile(r"\{\{|\}\}|\{%|%\}|\bNone\b|\[\]|<no value>|\bTrue\b|\bFalse\b")
# Two marks that end or join a sentence in a row ("p.m..", "!.", ",."), or a space before
# one (" ,"). An abbreviation's full stop before a comma ("a.m., in") is right.
DOUBLED = re.compile(r"[.!?][.!?]|[,;:][.,;:!?]|[ \t][.,;:!?](?=\s|$)")
URL = re.compile(r"https?://[^\s<>\"']*")


def readable(part: str, *, is_html: bool) -> str:
    """What a person reads: an email's HTML without its tags."""
    if not is_html:
        return part
    return html.unescape(re.sub(r"<[^>]+>", "", part))


def problems_in(parts: dict[str, str], *, family: bool) -> list[str]:
    found = []
    for name, part in parts.items():
        text = readable(part, is_html=name == "html")
        for pattern, what in ((PLACEHOLDERS, "placeholder"), (DOUBLED, "punctuation")):
            for match in pattern.finditer(text):
                found.append(
                    f"{name}: {what} {text[max(0, match.start() - 30) : match.end() + 5]!r}"
                )
        if name == "html" and re.search(r"href=\"\s*\"|href=\"#\"", part):
            found.append(f"{name}: an empty link")
        for url in URL.findall(text if name != "html" else part):
            if not url.startswith(PORTAL + "/") or not resolves(url):
                found.append(f"{name}: a link that goes nowhere: {url}")
        if name != "html":
            # A link needs a space after it: phones take a following full stop or bracket
            # as part of the address.
            for match in URL.finditer(text):
                following = text[match.end() : match.end() + 1]
                if following not in ("", "\n", " "):
                    found.append(f"{name}: {following!r} straight after a link")
            # Where a link was meant but rendered as nothing.
            if family and re.search(r":[ \t]*(\n[ \t]*\n|$)|  ", text.strip()):
                found.append(f"{name}: a missing link or value: {text!r}")
    return found


def resolves(url: str) -> bool:
    try:
        resolve(urlsplit(url).path)
    except Resolver404:
        return False
    return True


def withdrawal_link_of(url: str, person) -> PrivateLink | None:
    match = resolve(urlsplit(url).path)
    if match.view_name != "selfreferral:withdraw-link":
        return None
    link = link_redeem(token=match.kwargs["token"], purpose=PrivateLink.Purpose.WITHDRAW)
    return link if link.referral_id == person.pk else None


class Paragraphs(HTMLParser):
    """The HTML part's paragraphs, each with its text and the addresses it links to."""

    def __init__(self):
        super().__init__()
        self.paragraphs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.paragraphs.append({"text": "", "links": []})
        elif tag == "a" and self.paragraphs:
            self.paragraphs[-1]["links"].append(dict(attrs).get("href", ""))

    def handle_data(self, data):
        if self.paragraphs:
            self.paragraphs[-1]["text"] += data


STOP = re.compile(r"stop all contact", re.IGNORECASE)


def footer_problems(parts: dict[str, str], person) -> list[str]:
    """Each part a person reads ends with the way to stop all contact: their own
    withdrawal link, working, with words that say what it does."""
    found = []
    for name, part in parts.items():
        if name == "subject":
            continue
        if name == "html":
            parser = Paragraphs()
            parser.feed(part)
            last = parser.paragraphs[-1] if parser.paragraphs else {"text": "", "links": []}
            links, words = last["links"], last["text"]
        else:
            lines = [line for line in part.strip().splitlines() if line.strip()]
            ending = " ".join(lines[-2:]) if name == "body" else part.strip()
            ends_with = URL.findall(ending)[-1:] if ending.rstrip().split()[-1:] else []
            links = [url for url in ends_with if ending.rstrip().endswith(url)]
            words = ending
        if not STOP.search(words):
            found.append(f"{name}: does not end by saying how to stop all contact")
        if not any(withdrawal_link_of(url, person) for url in links):
            found.append(f"{name}: does not end with the person's own withdrawal link")
    return found


# --- The tests --------------------------------------------------------------------------


@pytest.mark.parametrize(("template", "channel"), CASES)
def test_every_message_reads_cleanly_and_a_familys_ends_with_a_way_to_stop_contact(
    template, channel, organisation_a, coordinator_a
):
    kind = message_kind(template)
    for example in kind.examples():
        for name in ("Sam", ""):
            if kind.audience == Audience.FAMILY:
                person = family_member(organisation_a, name=name)
                recipient = referral_recipient(person)
            else:
                coordinator_a.full_name = name
                coordinator_a.save(update_fields=["full_name"])
                recipient = staff_recipient(str(coordinator_a.public_id))
            parts = rendered(recipient, template, example, channel)
            assert problems_in(parts, family=kind.audience == Audience.FAMILY) == [], parts
            if kind.audience != Audience.FAMILY:
                continue
            assert footer_problems(parts, person) == [], parts
            if channel == "text":
                text = parts["text"]
                assert sms_is_gsm(text), text
                assert sms_parts(text) <= SMS_MAX_PARTS, (len(text), text)


def test_every_kind_has_its_templates_and_every_template_is_a_registered_kind():
    kinds = {kind.template: kind for kind in message_kinds()}
    on_disk = {path.parent.name for path in TEMPLATES.glob("*/subject.txt")}
    assert on_disk == set(kinds), "templates without a registered kind, or the reverse"
    for kind in kinds.values():
        needed = {"subject.txt", "body.txt", "body.html"}
        if "text" in kind.channels:
            needed.add("sms.txt")
        assert needed <= {path.name for path in (TEMPLATES / kind.template).iterdir()}, kind


def test_every_family_message_includes_the_one_footer():
    """The footer is written once; every family kind uses it, so its words and its link
    are the same in every message."""
    for kind in message_kinds():
        if kind.audience != Audience.FAMILY:
            continue
        for part, include in (
            ("body.txt", "family_footer.txt"),
            ("body.html", "family_footer.html"),
            ("sms.txt", "family_footer_sms.txt"),
        ):
            source = (TEMPLATES / kind.template / part).read_text()
            assert f'{{% include "notifications/includes/{include}" %}}' in source, (kind, part)


def test_a_message_kind_nobody_registered_cannot_be_sent(organisation_a):
    person = family_member(organisation_a, name="Sam")
    with pytest.raises(UnknownMessageKind):
        notify(recipient=referral_recipient(person), template="place_offerd", context={})
    with pytest.raises(UnknownMessageKind):
        message_queue(
            organisation=organisation_a,
            record_type="referrals.referral",
            record_id=str(person.pk),
            template="place_offerd",
            context={},
            key="typo",
        )
    assert not MessageLog.objects.filter(template="place_offerd").exists()

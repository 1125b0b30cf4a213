"""The way to the support page: the acknowledgement carries a working link to it, by email
and by text; when no written way is safe, the caseworker reads out a code for it instead,
shown once, audited, on the timeline, and typed by the person at /support/code/."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.notifications.models import MessageLog, StaffTask
from portal.notifications.sms import LocmemSmsBackend
from referrals import links
from referrals.models import PrivateLink, ReferralEvent
from referrals.support_page import support_code_give
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

PAGE = "/support/"
CODE_PAGE = "/support/code/"
SUPPORT_LINK = re.compile(r"https?://[^\s\"<>]+/support/[A-Za-z0-9_-]{43}/")


@pytest.fixture(autouse=True)
def clean_outboxes():
    LocmemSmsBackend.outbox.clear()
    cache.clear()
    yield
    LocmemSmsBackend.outbox.clear()
    cache.clear()


def self_referral(organisation, django_capture_on_commit_callbacks, **kwargs):
    """A self-referral, acknowledged as the real one is, when its transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_referral(organisation, **kwargs)


def opens_the_page(url: str) -> str:
    visitor = Client()
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = visitor.get("/" + path)
    assert response.status_code == 302 and response.url == PAGE, response.status_code
    page = visitor.get(PAGE)
    assert page.status_code == 200
    return page.content.decode()


# --- In the acknowledgement -------------------------------------------------------------


def test_the_acknowledgement_email_carries_a_working_support_page_link(
    organisation_a, django_capture_on_commit_callbacks
):
    self_referral(organisation_a, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    text_links = SUPPORT_LINK.findall(message.body)
    html_links = SUPPORT_LINK.findall(message.alternatives[0][0])
    assert len(text_links) == 1 and html_links == text_links  # one link per message
    assert "Where things stand" in opens_the_page(text_links[0])
    assert PrivateLink.objects.filter(purpose="place").count() == 1


def test_the_acknowledgement_text_carries_a_working_support_page_link(
    organisation_a, django_capture_on_commit_callbacks
):
    self_referral(
        organisation_a,
        django_capture_on_commit_callbacks,
        email="",
        phone="07911 123456",
        safe_channels=["text"],
    )
    assert mail.outbox == []
    [text] = LocmemSmsBackend.outbox
    [url] = SUPPORT_LINK.findall(text["body"])
    assert "Your support page" in opens_the_page(url)


# --- When no written way is safe --------------------------------------------------------


@pytest.fixture
def phone_only(organisation_a, django_capture_on_commit_callbacks):
    return self_referral(
        organisation_a,
        django_capture_on_commit_callbacks,
        email="",
        phone="07911 123456",
        safe_channels=["call"],
    )


def test_no_written_channel_means_no_message_and_a_call_task(phone_only):
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []
    log = MessageLog.objects.get(template="referral_received")
    assert log.status == "refused"
    task = StaffTask.objects.get(record_id=str(phone_only.pk))
    assert task.kind == "call_needed" and task.message == log and task.done_at is None
    assert not PrivateLink.objects.filter(purpose="place").exists()


def test_the_referral_page_asks_the_caseworker_to_give_a_code(client, phone_only, caseworker_a):
    sign_in(client, caseworker_a)
    page = client.get(reverse("referrals:detail", kwargs={"referral_id": phone_only.pk}))
    content = page.content.decode()
    assert "No written way to reach them is safe" in content
    assert "Give the support page link by phone" in content
    assert reverse("referrals:support-code", kwargs={"referral_id": phone_only.pk}) in content


def test_giving_a_code_shows_it_once_and_records_it(client, phone_only, caseworker_a, settings):
    sign_in(client, caseworker_a)
    url = reverse("referrals:support-code", kwargs={"referral_id": phone_only.pk})
    assert client.get(url).status_code == 405  # nothing is issued by visiting it
    response = client.post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    content = response.content.decode()
    code = re.search(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>", content).group(1)
    assert f"<code>{settings.PORTAL_BASE_URL.rstrip('/')}/support/code/</code>" in content
    # Never stored, never shown again.
    plain = code.replace("-", "")
    link = PrivateLink.objects.get(issued_by=caseworker_a)
    assert link.token_hash == links.hash_token(plain) and link.purpose == "place"
    assert plain not in str(list(PrivateLink.objects.values()))
    detail = client.get(reverse("referrals:detail", kwargs={"referral_id": phone_only.pk}))
    assert code not in detail.content.decode() and plain not in detail.content.decode()
    assert "a code read out by phone by" in detail.content.decode()
    # Audited, on the timeline, and the call task about the acknowledgement is done.
    audit = AuditEvent.objects.get(detail__change="support_code_given")
    assert audit.actor == caseworker_a and audit.detail["link"] == str(link.pk)
    assert code not in str(audit.detail) and plain not in str(audit.detail)
    event = ReferralEvent.objects.get(referral=phone_only, kind="support_code_given")
    assert event.actor == caseworker_a
    assert StaffTask.objects.get(record_id=str(phone_only.pk)).done_at is not None
    timeline = client.get(reverse("referrals:timeline", kwargs={"referral_id": phone_only.pk}))
    assert "Support page code given by phone" in timeline.content.decode()


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {spaced} "])
def test_the_person_opens_their_page_with_the_code(phone_only, caseworker_a, typed):
    code = support_code_give(referral=phone_only, actor=caseworker_a)
    plain = code.replace("-", "")
    entry = typed.format(code=code, lower=code.lower(), spaced=" ".join(plain))
    visitor = Client()
    form = visitor.get(CODE_PAGE)
    assert form.status_code == 200 and 'autocomplete="off"' in form.content.decode()
    response = visitor.post(CODE_PAGE, {"code": entry})
    assert response.status_code == 302 and response.url == PAGE
    assert "Where things stand" in visitor.get(PAGE).content.decode()


def test_a_new_code_stops_the_last_one_and_leaves_message_links_working(
    organisation_a, caseworker_a
):
    person = make_referral(organisation_a)
    emailed = links.participant_url(person)
    first = support_code_give(referral=person, actor=caseworker_a)
    second = support_code_give(referral=person, actor=caseworker_a)
    assert first != second
    assert Client().post(CODE_PAGE, {"code": first}).status_code == 400
    assert Client().post(CODE_PAGE, {"code": second}).status_code == 302
    assert Client().get(emailed).status_code == 302


@pytest.mark.parametrize(
    "entry, message",
    [
        ("", "Enter the code we gave you."),
        ("ABCD-EFGH", "our codes have 12 letters and numbers"),
        ("ABCD-EFGH-JKM0", "our codes have 12 letters and numbers"),
        ("ABCD-EFGH-JKMN", "That code does not work"),
        ("x" * 41, "longer than our codes"),
    ],
)
def test_a_wrong_code_gets_a_plain_answer(entry, message):
    response = Client().post(CODE_PAGE, {"code": entry})
    assert response.status_code == 400
    content = response.content.decode()
    assert message in content and "Error: Open your support page" in content


def test_codes_cannot_be_tried_at_speed():
    from peergroups.views_participant import CODE_RATE

    visitor = Client()
    for _ in range(int(CODE_RATE.split("/")[0])):
        assert visitor.post(CODE_PAGE, {"code": "ABCD-EFGH-JKMN"}).status_code == 400
    assert visitor.post(CODE_PAGE, {"code": "ABCD-EFGH-JKMN"}).status_code == 429


def test_the_right_code_opens_the_page_while_the_cache_is_down(phone_only, caseworker_a, settings):
    """The code's rate limit counts in the cache (Redis): with it down the person told a
    code by phone still reaches their page (portal.core.rate_limits lets them through)."""
    from tests.broken_cache import BROKEN_CACHES

    code = support_code_give(referral=phone_only, actor=caseworker_a)
    settings.CACHES = BROKEN_CACHES
    visitor = Client()
    response = visitor.post(CODE_PAGE, {"code": code})
    assert response.status_code == 302 and response.url == PAGE
    assert "Where things stand" in visitor.get(PAGE).content.decode()


def test_no_code_for_someone_who_stopped_contact(client, organisation_a, caseworker_a):
    from referrals.services import consent_withdraw

    person = make_referral(organisation_a)
    consent_withdraw(referral=person, method="private_link")
    sign_in(client, caseworker_a)
    url = reverse("referrals:support-code", kwargs={"referral_id": person.pk})
    # Closed by the withdrawal: the reason for access is asked first, then refused.
    client.post(
        reverse("referrals:access-reason", kwargs={"referral_id": person.pk}),
        {"reason": "Checking the record"},
    )
    response = client.post(url, follow=True)
    assert "withdrawn consent" in response.content.decode()
    assert not PrivateLink.objects.filter(issued_by__isnull=False).exists()


def test_another_organisations_caseworker_cannot_give_a_code(client, organisation_a, caseworker_b):
    person = make_referral(organisation_a)
    sign_in(client, caseworker_b)
    url = reverse("referrals:support-code", kwargs={"referral_id": person.pk})
    assert client.post(url).status_code == 404
    assert not PrivateLink.objects.filter(issued_by__isnull=False).exists()


def test_the_confirmation_page_says_how_the_link_will_come(organisation_a):
    content = render_to_string(
        "referrals/public/done.html", {"organisation": organisation_a, "reference": "ABCD-EFGH"}
    )
    assert "private support page" in content
    assert "we have just sent you the link" in content
    assert "we will give you a code for it when we call you" in content

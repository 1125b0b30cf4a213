"""Sending a pack: preview, safe channels only, a private revocable link, a PDF only where
post is safe, and the person's page."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import MessageLog
from portal.notifications.sms import LocmemSmsBackend
from referrals.models import ReferralEvent
from referrals.services import consent_withdraw
from resources import services
from resources.models import Delivery, Resource
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

WORDS_A_MESSAGE_MUST_NEVER_SAY = ("police", "investigat", "arrest", "offence", "abuse", "crime")


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


def library_resources(*slugs):
    found = {r.slug: r for r in Resource.objects.shared().filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


def send_url(referral):
    return reverse("resources-staff:pack-send", kwargs={"referral_id": referral.pk})


def form_data(resources, *, method, title="Waiting for a decision"):
    data = {"title": title, "method": method}
    data.update({f"order_{r.pk}": str(n) for n, r in enumerate(resources, start=1)})
    return data


def send_through_the_pages(client, referral, resources, *, method="link", capture=None):
    data = form_data(resources, method=method)
    preview = client.post(send_url(referral), {**data, "step": "preview"})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    with capture(execute=True):
        response = client.post(
            send_url(referral),
            {**data, "step": "send", "fingerprint": preview.context["fingerprint"]},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Delivery.objects.get(referral=referral), preview


def link_in(text: str) -> str:
    return re.search(r"https?://\S+/information/pack/[\w-]+/", text).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_the_preview_shows_exactly_what_will_be_sent_and_the_message(
    client, library, organisation_a, caseworker_a, django_capture_on_commit_callbacks
):
    referral = make_referral(organisation_a, safe_channels=["email"])
    sign_in(client, caseworker_a)
    page = client.get(send_url(referral))
    assert page.status_code == 200
    assert "Why these resources" in page.content.decode()
    chosen = library_resources("police-bail", "looking-after-yourself")
    data = form_data(chosen, method="link")
    preview = client.post(send_url(referral), {**data, "step": "preview"})
    content = preview.content.decode()
    assert "Police bail: what the rules mean" in content and "Looking after yourself" in content
    assert "Released under investigation" not in content
    assert "Some information for you" in content  # the email's subject
    assert not Delivery.objects.exists()  # a preview sends nothing
    assert mail.outbox == []


def test_a_pack_goes_by_email_with_a_neutral_subject_and_a_private_link(
    client, library, organisation_a, caseworker_a, django_capture_on_commit_callbacks
):
    referral = make_referral(organisation_a, safe_channels=["email"])
    sign_in(client, caseworker_a)
    delivery, _ = send_through_the_pages(
        client,
        referral,
        library_resources("police-bail", "looking-after-yourself"),
        capture=django_capture_on_commit_callbacks,
    )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Some information for you"
    for word in WORDS_A_MESSAGE_MUST_NEVER_SAY:
        assert word not in message.subject.lower()
        assert word not in message.body.lower()
    link = link_in(message.body)
    assert delivery.token_hash == services.hash_token(link.rstrip("/").rsplit("/", 1)[1])
    assert link.rstrip("/").rsplit("/", 1)[1] not in str(list(Delivery.objects.values()))
    delivery.refresh_from_db()
    assert delivery.message.status == MessageLog.Status.SENT
    event = ReferralEvent.objects.get(referral=referral, kind=ReferralEvent.Kind.PACK_SENT)
    assert event.detail["delivery"] == str(delivery.pk) and event.actor == caseworker_a
    assert [item.version.resource.slug for item in delivery.items.all()] == [
        "police-bail",
        "looking-after-yourself",
    ]


def test_no_email_when_email_is_unsafe_the_link_goes_by_text(
    client, library, organisation_a, caseworker_a, django_capture_on_commit_callbacks
):
    referral = make_referral(
        organisation_a,
        email="shared@example.org",
        phone="07700 900123",
        safe_channels=["text"],
    )
    sign_in(client, caseworker_a)
    page = client.get(send_url(referral)).content.decode()
    assert "by text message" in page and "by email" not in page
    delivery, preview = send_through_the_pages(
        client,
        referral,
        library_resources("police-bail"),
        capture=django_capture_on_commit_callbacks,
    )
    assert "Text message" in preview.content.decode()
    assert mail.outbox == []
    assert len(LocmemSmsBackend.outbox) == 1
    assert "/information/pack/" in LocmemSmsBackend.outbox[0]["body"]
    delivery.refresh_from_db()
    assert delivery.message.channel == "text"


def test_an_unsafe_method_cannot_be_chosen(client, library, organisation_a, caseworker_a):
    referral = make_referral(organisation_a, safe_channels=["email"])
    sign_in(client, caseworker_a)
    data = form_data(library_resources("police-bail"), method="post")
    response = client.post(send_url(referral), {**data, "step": "send"})
    assert response.status_code == 400
    assert not Delivery.objects.exists()


def test_nothing_can_be_sent_without_a_safe_channel(client, library, organisation_a, caseworker_a):
    referral = make_referral(organisation_a, phone="07700 900123", safe_channels=["call"])
    sign_in(client, caseworker_a)
    page = client.get(send_url(referral)).content.decode()
    assert "There is no safe way to send a pack" in page
    with pytest.raises(services.ResourceError):
        services.pack_send(
            referral=referral,
            pack=None,
            resources=library_resources("police-bail"),
            actor=caseworker_a,
        )
    assert not Delivery.objects.exists()


def test_no_pdf_is_offered_when_post_is_unsafe(
    client, library, organisation_a, caseworker_a, django_capture_on_commit_callbacks
):
    referral = make_referral(organisation_a, safe_channels=["email"])
    sign_in(client, caseworker_a)
    delivery, _ = send_through_the_pages(
        client,
        referral,
        library_resources("police-bail"),
        capture=django_capture_on_commit_callbacks,
    )
    page = client.get(reverse("resources-staff:delivery", kwargs={"delivery_id": delivery.pk}))
    pdf_url = reverse("resources-staff:delivery-pdf", kwargs={"delivery_id": delivery.pk})
    assert pdf_url not in page.content.decode()
    assert client.get(pdf_url).status_code == 404
    with pytest.raises(services.ResourceError):
        services.pack_send(
            referral=referral,
            pack=None,
            resources=library_resources("police-bail"),
            actor=caseworker_a,
            method=Delivery.Method.POST,
        )


def test_a_printable_pdf_where_post_is_safe(
    client, library, organisation_a, caseworker_a, django_capture_on_commit_callbacks
):
    referral = make_referral(organisation_a, safe_channels=["post"])
    sign_in(client, caseworker_a)
    assert "Printed, to post" in client.get(send_url(referral)).content.decode()
    delivery, _ = send_through_the_pages(
        client,
        referral,
        library_resources("police-bail", "looking-after-yourself"),
        method="post",
        capture=django_capture_on_commit_callbacks,
    )
    assert mail.outbox == [] and LocmemSmsBackend.outbox == []  # nothing sent by message
    pdf_url = reverse("resources-staff:delivery-pdf", kwargs={"delivery_id": delivery.pk})
    page = client.get(reverse("resources-staff:delivery", kwargs={"delivery_id": delivery.pk}))
    assert pdf_url in page.content.decode()
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 5000


def test_the_persons_page_shows_the_pack_and_records_that_it_was_opened(
    client, library, organisation_a, caseworker_a
):
    referral = make_referral(organisation_a, safe_channels=["email"])
    delivery, token = services.pack_send(
        referral=referral,
        pack=None,
        resources=library_resources("police-bail", "looking-after-yourself"),
        actor=caseworker_a,
        title="Waiting for a decision",
    )
    client.logout()
    opened = client.get(services.pack_url(token))
    # Only the session cookie that holds the grant to see the pack: nothing that tracks.
    assert set(opened.cookies) == {settings.SESSION_COOKIE_NAME}
    response = client.get(opened.url)
    content = response.content.decode()
    assert response.status_code == 200
    assert "Waiting for a decision" in content and "Police bail: what the rules mean" in content
    assert "Exit this page" in content  # quick exit
    assert 'name="viewport"' in content
    assert not response.cookies  # nothing more is set by reading the pack
    assert "<img" not in content  # no tracking pixels
    client.get(services.pack_url(token), follow=True)
    delivery.refresh_from_db()
    assert delivery.open_count == 2
    assert delivery.first_opened_at is not None and delivery.last_opened_at is not None


def test_a_revoked_link_shows_a_kind_expired_page_and_nothing_of_the_pack(
    client, library, organisation_a, caseworker_a
):
    referral = make_referral(organisation_a, safe_channels=["email"])
    delivery, token = services.pack_send(
        referral=referral,
        pack=None,
        resources=library_resources("police-bail"),
        actor=caseworker_a,
        title="Waiting for a decision",
    )
    sign_in(client, caseworker_a)
    revoke = reverse("resources-staff:delivery-revoke", kwargs={"delivery_id": delivery.pk})
    assert client.post(revoke).status_code == 302
    client.logout()
    response = client.get(services.pack_url(token))
    content = response.content.decode()
    assert response.status_code == 410
    assert "This link has expired" in content
    assert "Police bail" not in content and "Waiting for a decision" not in content
    delivery.refresh_from_db()
    assert delivery.open_count == 0


def test_an_expired_link_shows_a_kind_expired_page_and_nothing_of_the_pack(
    client, library, organisation_a, caseworker_a, settings
):
    settings.PACK_LINK_VALIDITY_DAYS = 3
    referral = make_referral(organisation_a, safe_channels=["email"])
    delivery, token = services.pack_send(
        referral=referral,
        pack=None,
        resources=library_resources("police-bail"),
        actor=caseworker_a,
    )
    assert timedelta(days=2, hours=23) < delivery.expires_at - timezone.now() <= timedelta(days=3)
    assert client.get(services.pack_url(token), follow=True).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.get(services.pack_url(token))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert "Police bail" not in response.content.decode()


def test_an_unknown_link_shows_the_same_kind_page(client):
    response = client.get(services.pack_url("not-a-real-link"))
    assert response.status_code == 404
    assert "This link has expired" in response.content.decode()


def test_withdrawing_consent_switches_off_every_pack_link(
    client, library, organisation_a, caseworker_a
):
    referral = make_referral(organisation_a, safe_channels=["email"])
    delivery, token = services.pack_send(
        referral=referral,
        pack=None,
        resources=library_resources("police-bail"),
        actor=caseworker_a,
    )
    consent_withdraw(referral=referral, method="private_link")
    delivery.refresh_from_db()
    assert delivery.revoked_at is not None
    assert client.get(services.pack_url(token)).status_code == 410
    referral.refresh_from_db()
    with pytest.raises(services.ResourceError):
        services.pack_send(
            referral=referral,
            pack=None,
            resources=library_resources("police-bail"),
            actor=caseworker_a,
        )


def test_a_resource_changed_after_the_preview_is_previewed_again(
    client, organisation_a, coordinator_a, caseworker_a, django_capture_on_commit_callbacks
):
    from tests.resources.factories import content, make_resource

    resource = make_resource(organisation_a, actor=coordinator_a, title="Before")
    referral = make_referral(organisation_a, safe_channels=["email"])
    sign_in(client, caseworker_a)
    data = form_data([resource], method="link")
    preview = client.post(send_url(referral), {**data, "step": "preview"})
    services.resource_update(resource=resource, content=content(title="After"), actor=coordinator_a)
    response = client.post(
        send_url(referral),
        {**data, "step": "send", "fingerprint": preview.context["fingerprint"]},
    )
    assert response.status_code == 409
    assert "Something changed since your preview" in response.content.decode()
    assert not Delivery.objects.exists()


def test_drafts_cannot_be_sent(organisation_a, coordinator_a, caseworker_a):
    from tests.resources.factories import make_resource

    draft = make_resource(organisation_a, actor=coordinator_a, status="draft")
    referral = make_referral(organisation_a, safe_channels=["email"])
    with pytest.raises(services.ResourceError, match="draft"):
        services.pack_send(referral=referral, pack=None, resources=[draft], actor=caseworker_a)


def test_another_organisations_resources_cannot_be_sent(
    organisation_a, organisation_b, caseworker_a
):
    from tests.resources.factories import make_resource

    theirs = make_resource(organisation_b)
    referral = make_referral(organisation_a, safe_channels=["email"])
    with pytest.raises(services.ResourceError):
        services.pack_send(referral=referral, pack=None, resources=[theirs], actor=caseworker_a)

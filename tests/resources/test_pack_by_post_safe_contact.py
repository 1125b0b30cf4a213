"""A pack by post keeps to safe contact: post must be a way the person said is safe, or
the caseworker says why they post it anyway (recorded, audited, on the timeline, and the
PDF is then theirs to print). Only the channel counts: the day a letter lands is not
chosen. The send page shows what is safe beside the choice."""

from __future__ import annotations

from datetime import time

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import ContactWindows, Window
from referrals.models import ReferralEvent, SafeContactOverride
from resources import services
from resources.models import Delivery, Resource
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

REASON = "They asked for a paper copy to collect from the office"


def library_resources(*slugs):
    found = {r.slug: r for r in Resource.objects.shared().filter(slug__in=slugs)}
    return [found[slug] for slug in slugs]


def send_url(referral):
    return reverse("resources-staff:pack-send", kwargs={"referral_id": referral.pk})


def form_data(resources, **more):
    data = {"title": "Some information", "method": "post", **more}
    data.update({f"order_{r.pk}": str(n) for n, r in enumerate(resources, start=1)})
    return data


@pytest.fixture
def emails_only(organisation_a):
    return make_referral(organisation_a, safe_channels=["email"])


def post_it(referral, actor, reason=""):
    return services.pack_send(
        referral=referral,
        pack=None,
        resources=library_resources("police-bail"),
        actor=actor,
        method=Delivery.Method.POST,
        override_reason=reason,
    )


# --- The service ---------------------------------------------------------------------------


def test_post_they_did_not_mark_safe_is_refused_without_a_reason(
    library, emails_only, caseworker_a
):
    with pytest.raises(services.PostNotSafe) as refused:
        post_it(emails_only, caseworker_a)
    assert refused.value.check.unsafe_channel
    assert isinstance(refused.value, services.ResourceError)
    assert not Delivery.objects.exists() and not SafeContactOverride.objects.exists()


def test_with_a_reason_it_is_prepared_recorded_and_audited(library, emails_only, caseworker_a):
    delivery, _ = post_it(emails_only, caseworker_a, REASON)
    override = SafeContactOverride.objects.get()
    assert override.action == SafeContactOverride.Action.PACK_BY_POST
    assert (override.channel, override.unsafe_channel, override.unsafe_time) == (
        "post",
        True,
        False,
    )
    assert override.reason == REASON
    sent = ReferralEvent.objects.get(kind=ReferralEvent.Kind.PACK_SENT)
    assert sent.detail["override"] == str(override.pk)
    assert sent.detail["delivery"] == str(delivery.pk)
    assert AuditEvent.objects.filter(detail__change="safe_contact_overridden").exists()
    assert services.print_allowed(delivery)


def test_post_marked_safe_needs_no_reason_whatever_the_time(library, organisation_a, caseworker_a):
    """Weekday windows do not stop a pack by post at the weekend: nobody chooses the
    day a letter lands."""
    referral = make_referral(organisation_a, safe_channels=["post"])
    safe = referral.safe_contact
    safe.set_windows(ContactWindows((Window(0, time(10), time(11)),)))
    safe.save(update_fields=["contact_windows"])
    delivery, _ = post_it(referral, caseworker_a)
    assert delivery.method == "post" and not SafeContactOverride.objects.exists()


def test_a_link_pack_is_never_printable_by_an_override(library, emails_only, caseworker_a):
    post_it(emails_only, caseworker_a, REASON)
    link, _ = services.pack_send(
        referral=emails_only,
        pack=None,
        resources=library_resources("police-bail"),
        actor=caseworker_a,
    )
    assert not services.print_allowed(link)


# --- The pages -----------------------------------------------------------------------------


def test_the_send_page_shows_what_is_safe_beside_the_choice(
    client, library, emails_only, caseworker_a
):
    sign_in(client, caseworker_a)
    page = client.get(send_url(emails_only)).content.decode()
    assert 'id="safe-beside-pack-send"' in page and "What is safe for them" in page
    assert "post is not marked safe for them" in page
    assert 'name="override_reason"' in page


def test_refused_on_the_page_then_posted_with_a_reason(
    client, library, emails_only, caseworker_a, django_capture_on_commit_callbacks
):
    sign_in(client, caseworker_a)
    data = form_data(library_resources("police-bail"))
    refused = client.post(send_url(emails_only), {**data, "step": "preview"})
    assert refused.status_code == 400
    content = refused.content.decode()
    assert 'id="id_override_reason_error"' in content
    assert "They have not said that post is safe." in content
    assert "This is not what they said is safe." in content
    # Straight to "send" without the reason is refused too, by the service.
    assert client.post(send_url(emails_only), {**data, "step": "send"}).status_code == 400

    data["override_reason"] = REASON
    preview = client.post(send_url(emails_only), {**data, "step": "preview"})
    assert preview.status_code == 200
    assert REASON in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            send_url(emails_only),
            {**data, "step": "send", "fingerprint": preview.context["fingerprint"]},
        )
    assert sent.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.method == "post"
    pdf_url = reverse("resources-staff:delivery-pdf", kwargs={"delivery_id": delivery.pk})
    page = client.get(reverse("resources-staff:delivery", kwargs={"delivery_id": delivery.pk}))
    assert pdf_url in page.content.decode()
    assert client.get(pdf_url).status_code == 200
    timeline = client.get(
        reverse("referrals:timeline", kwargs={"referral_id": emails_only.pk})
    ).content.decode()
    assert "Sent a resource pack by post: by post, which they have not said is safe." in timeline
    assert REASON in timeline


def test_a_send_without_the_reason_after_the_preview_is_refused(
    client, library, emails_only, caseworker_a
):
    sign_in(client, caseworker_a)
    data = form_data(library_resources("police-bail"), override_reason=REASON)
    preview = client.post(send_url(emails_only), {**data, "step": "preview"})
    del data["override_reason"]
    response = client.post(
        send_url(emails_only),
        {**data, "step": "send", "fingerprint": preview.context["fingerprint"]},
    )
    assert response.status_code == 400
    assert 'id="id_override_reason_error"' in response.content.decode()
    assert not Delivery.objects.exists()

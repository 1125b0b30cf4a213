"""Opening a closed referral, or a colleague's, asks for a reason that coordinators review."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from referrals.models import AccessReason, Referral
from referrals.services import referral_transition
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def detail_url(referral):
    return reverse("referrals:detail", kwargs={"referral_id": referral.pk})


def test_unassigned_and_own_referrals_open_without_a_reason(client, organisation_a, caseworker_a):
    open_one, mine = make_referral(organisation_a), make_referral(organisation_a)
    Referral.objects.filter(pk=mine.pk).update(assigned_to=caseworker_a)
    sign_in(client, caseworker_a)
    assert client.get(detail_url(open_one)).status_code == 200
    assert client.get(detail_url(mine)).status_code == 200
    assert not AccessReason.objects.exists()


def test_a_colleagues_referral_asks_why_once_per_sign_in(
    client, organisation_a, caseworker_a, facilitator_a
):
    referral = make_referral(organisation_a)
    Referral.objects.filter(pk=referral.pk).update(assigned_to=facilitator_a)
    sign_in(client, caseworker_a)
    asked = client.get(detail_url(referral))
    assert asked.status_code == 302 and "/reason/" in asked["Location"]
    page = client.get(asked["Location"])
    assert "assigned to" in page.content.decode()

    too_short = client.post(asked["Location"], {"reason": "why"})
    assert too_short.status_code == 400
    assert "Say a little more: at least 10 characters." in too_short.content.decode()
    assert not AccessReason.objects.exists()

    given = client.post(asked["Location"], {"reason": "Covering while they are on leave"})
    assert given.status_code == 302 and given["Location"] == detail_url(referral)
    assert client.get(detail_url(referral)).status_code == 200  # not asked again
    reason = AccessReason.objects.get()
    assert (reason.user, reason.because) == (caseworker_a, "assigned to someone else")
    assert reason.reason == "Covering while they are on leave"
    assert AuditEvent.objects.filter(
        actor=caseworker_a, detail__page="reason for access given"
    ).exists()

    client.logout()
    sign_in(client, caseworker_a)  # signing in again asks again
    assert client.get(detail_url(referral)).status_code == 302


def test_closed_referrals_ask_even_their_caseworker(client, organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    referral_transition(
        referral=referral, to_state="closed", actor=caseworker_a, close_reason="declined"
    )
    sign_in(client, caseworker_a)
    for name in ("detail", "timeline", "safe-contact"):
        url = reverse(f"referrals:{name}", kwargs={"referral_id": referral.pk})
        assert "/reason/" in client.get(url)["Location"], name


def test_coordinators_review_the_reasons_of_their_own_organisation_only(
    client, organisation_a, caseworker_a, coordinator_a, coordinator_b, facilitator_a
):
    referral = make_referral(organisation_a)
    Referral.objects.filter(pk=referral.pk).update(assigned_to=facilitator_a)
    sign_in(client, caseworker_a)
    reason_url = reverse("referrals:access-reason", kwargs={"referral_id": referral.pk})
    client.post(reason_url, {"reason": "The person rang and asked for me"})

    review = reverse("referrals:access-reasons", kwargs={"organisation_id": organisation_a.pk})
    assert client.get(review).status_code == 404  # caseworkers do not review
    sign_in(client, coordinator_b)
    assert client.get(review).status_code == 404
    assert client.get(reason_url).status_code == 404
    sign_in(client, coordinator_a)
    page = client.get(review).content.decode()
    assert "The person rang and asked for me" in page and referral.reference in page


def test_posting_to_a_colleagues_referral_asks_why_and_shows_nothing(
    client, organisation_a, caseworker_a, facilitator_a
):
    """An empty or invalid form once re-showed the whole referral page, with no reason
    asked and nothing audited."""
    referral = make_referral(organisation_a, full_name="Robin Canary")
    Referral.objects.filter(pk=referral.pk).update(assigned_to=facilitator_a)
    sign_in(client, caseworker_a)
    for name in ("note", "contact-attempt", "safe-contact", "claim", "withdraw-consent"):
        url = reverse(f"referrals:{name}", kwargs={"referral_id": referral.pk})
        for body in ({}, {"body": "", "channel": "pigeon"}):
            response = client.post(url, body)
            assert response.status_code == 302, name
            assert response["Location"].startswith(
                reverse("referrals:access-reason", kwargs={"referral_id": referral.pk})
            ), name
            assert "Robin Canary" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="viewed").exists()
    referral.refresh_from_db()
    assert referral.assigned_to == facilitator_a and not referral.notes.exists()


def test_the_reason_page_returns_to_the_page_asked_for_and_only_to_this_site(
    client, organisation_a, caseworker_a, facilitator_a
):
    referral = make_referral(organisation_a)
    Referral.objects.filter(pk=referral.pk).update(assigned_to=facilitator_a)
    sign_in(client, caseworker_a)
    deliveries = reverse("resources-staff:referral-deliveries", kwargs={"referral_id": referral.pk})
    asked = client.get(deliveries)["Location"]
    given = client.post(asked, {"reason": "The person asked what we sent them"})
    assert given["Location"] == deliveries

    reason = reverse("referrals:access-reason", kwargs={"referral_id": referral.pk})
    for elsewhere in ("https://evil.example/staff/", "//evil.example/staff/", "/accounts/"):
        client.logout()
        sign_in(client, caseworker_a)
        given = client.post(f"{reason}?next={elsewhere}", {"reason": "Checking the record"})
        assert given["Location"] == detail_url(referral), elsewhere

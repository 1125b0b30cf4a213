"""The private link that stops all contact: it asks, then stops everything, and is kind
when it does not work."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from referrals import links
from referrals.models import Referral
from tests.private_links import open_withdraw_page
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

WITHDRAW = "/refer/withdraw/"


def test_the_withdraw_link_asks_then_stops_all_contact(client, organisation_a):
    referral = make_referral(organisation_a, full_name="Sam Private")
    url = links.withdraw_url(referral)
    page = open_withdraw_page(client, referral)
    content = page.content.decode()
    assert page.status_code == 200
    assert "Stop all contact from us?" in content and "data-quick-exit" in content
    assert "Sam Private" not in content and referral.reference not in content
    referral.refresh_from_db()
    assert referral.is_contactable  # a GET changes nothing

    response = client.post(WITHDRAW, follow=True)
    content = response.content.decode()
    assert "We will not contact you again" in content
    assert "Sam Private" not in content and referral.reference not in content
    referral.refresh_from_db()
    assert referral.consent_withdrawn_at is not None and referral.state == "closed"
    withdrawal = referral.consents.get(action="withdrawn")
    assert withdrawal.method == "private_link"

    # Using the link again is harmless: it confirms, and a second send changes nothing.
    assert "We will not contact you again" in client.get(url, follow=True).content.decode()
    client.post(WITHDRAW)
    client.post(url)
    assert referral.consents.filter(action="withdrawn").count() == 1


@pytest.mark.parametrize("token", ["forged", "x" * 300, "abc:def:ghi"])
def test_a_tampered_withdraw_link_gets_a_kind_404(client, organisation_a, token):
    url = reverse("selfreferral:withdraw-link", kwargs={"token": token})
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 404
        content = response.content.decode()
        assert "This link does not work" in content and "data-quick-exit" in content


def test_an_altered_withdraw_link_gets_a_404_and_changes_nothing(client, organisation_a):
    referral = make_referral(organisation_a)
    url = links.withdraw_url(referral)
    altered = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    assert client.post(altered).status_code == 404
    place = links.link_issue(referral=referral, purpose=links.Purpose.PLACE)
    other_url = reverse("selfreferral:withdraw-link", kwargs={"token": place})
    assert client.get(other_url).status_code == 404
    assert client.post(WITHDRAW).status_code == 404
    referral.refresh_from_db()
    assert referral.is_contactable


def test_the_page_without_a_link_opened_first_changes_nothing(client, organisation_a):
    referral = make_referral(organisation_a)
    for response in (client.get(WITHDRAW), client.post(WITHDRAW)):
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    referral.refresh_from_db()
    assert referral.is_contactable


def test_an_expired_withdraw_link_gets_a_kind_410(client, organisation_a):
    referral = make_referral(organisation_a, full_name="Sam Private")
    url = links.withdraw_url(referral)
    with time_machine.travel(timezone.now() + links.WITHDRAW_LINK_LIFETIME + timedelta(days=1)):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 410
            content = response.content.decode()
            assert "This link has expired" in content and "contact the organisation" in content
            assert "Sam Private" not in content and organisation_a.name not in content
            assert "data-quick-exit" in content
    referral.refresh_from_db()
    assert referral.is_contactable


def test_once_the_details_are_gone_the_withdraw_link_stops(client, organisation_a):
    referral = make_referral(organisation_a)
    url = links.withdraw_url(referral)
    open_withdraw_page(client, referral)
    Referral.objects.filter(pk=referral.pk).update(anonymised_at=timezone.now())
    assert client.get(WITHDRAW).status_code == 410
    assert client.get(url).status_code == 410

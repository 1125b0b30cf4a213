"""A signed-in person cannot add or change their own email address: a stolen session
must not be able to point password resets at the thief."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_nobody_can_add_or_change_their_own_email_address(client, caseworker_a):
    sign_in(client, caseworker_a)
    url = reverse("account_email")
    assert "only a coordinator can change it" in client.get(url).content.decode()
    client.post(url, {"action_add": "", "email": "attacker@example.com"})
    assert not EmailAddress.objects.filter(email="attacker@example.com").exists()
    caseworker_a.refresh_from_db()
    assert caseworker_a.email != "attacker@example.com"

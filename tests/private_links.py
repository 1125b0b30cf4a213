"""Opening a person's private links in tests as they would from a message.

Each helper issues a new link, opens it once (the secret is exchanged for a grant in the
client's session and the client is redirected to an address without it) and returns
the page it redirected to. Later requests on the same client use the grant.
"""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from referrals import links


def open_link(client: Client, url: str, *, expected: str):
    response = client.get(url)
    assert response.status_code == 302, response.status_code
    assert response.url == expected
    return client.get(response.url)


def open_place_page(client: Client, referral):
    return open_link(
        client, links.participant_url(referral), expected=reverse("peergroups:participant")
    )


def open_withdraw_page(client: Client, referral):
    return open_link(
        client, links.withdraw_url(referral), expected=reverse("selfreferral:withdraw")
    )


def place_url(name: str, **kwargs) -> str:
    return reverse(f"peergroups:{name}", kwargs=kwargs)

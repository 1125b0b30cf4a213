"""Private signed links for the referred person: no account, nothing guessable.

A link carries the referral's id signed with the site's secret and a purpose, so a link
made for one purpose cannot be used for another, and a tampered link is refused.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.urls import reverse

WITHDRAW = "referrals.withdraw"
PARTICIPANT = "peergroups.participant"
LINK_LIFETIME = timedelta(days=365)


class LinkInvalid(Exception):
    pass


class LinkExpired(LinkInvalid):
    pass


def make_token(referral_id, purpose: str) -> str:
    return signing.dumps(str(referral_id), salt=purpose, compress=False)


def read_token(token: str, purpose: str, max_age: timedelta = LINK_LIFETIME) -> str:
    try:
        return signing.loads(token, salt=purpose, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature as error:
        raise LinkInvalid from error


def withdraw_url(referral_id) -> str:
    return reverse("selfreferral:withdraw", kwargs={"token": make_token(referral_id, WITHDRAW)})


def participant_url(referral_id) -> str:
    """The person's own page of group places, offers and joining details."""
    return reverse("peergroups:participant", kwargs={"token": make_token(referral_id, PARTICIPANT)})

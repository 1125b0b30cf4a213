"""One of every kind of private link, made by the portal's own link-making functions, for
the tests that no log line gives one away (test_log_scrubbing.py, test_gunicorn_logs.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core import signing
from django.urls import reverse

from portal.organisations.roles import Role
from portal.organisations.services import invitation_create, invitation_url
from referrals.links import participant_url, withdraw_url
from resources.library import load_library
from resources.models import Resource
from resources.services import pack_send, pack_url
from tests.factories import MembershipFactory, TOTPDeviceFactory, UserFactory
from tests.referrals.factories import make_referral

# Links sent before links were stored were signed with the site's key and these salts;
# people still hold them in old messages.
LEGACY_SALTS = {"place": "peergroups.participant", "withdraw": "referrals.withdraw"}

INVITED_EMAIL = "invited.person@charity.example"
PERSON_EMAIL = "the.person@example.org"
PERSON_PHONE = "07700 900123"


@dataclass(frozen=True)
class PrivateLinkCase:
    kind: str
    path: str
    # What must never be written to a log: the secret as it appears in the path.
    secret: str


def every_kind_of_private_link(organisation) -> list[PrivateLinkCase]:
    """A live link of every kind the portal sends, for a new person in ``organisation``."""
    caseworker = _member(organisation, Role.CASEWORKER, "links.caseworker@charity.example")
    coordinator = _member(organisation, Role.COORDINATOR, "links.coordinator@charity.example")
    referral = make_referral(
        organisation, email=PERSON_EMAIL, phone=PERSON_PHONE, safe_channels=["email", "text"]
    )
    cases = []

    place = participant_url(referral)
    cases.append(PrivateLinkCase("place", place, _last_segment(place)))
    withdraw = withdraw_url(referral)
    cases.append(PrivateLinkCase("withdraw", withdraw, _last_segment(withdraw)))
    for kind, path in (("place", place), ("withdraw", withdraw)):
        legacy = signing.dumps(str(referral.pk), salt=LEGACY_SALTS[kind])
        cases.append(
            PrivateLinkCase(
                f"{kind} (signed, from before links were stored)",
                path.replace(_last_segment(path), legacy),
                legacy,
            )
        )

    load_library()
    resources = list(Resource.objects.shared().filter(status=Resource.Status.PUBLISHED)[:1])
    _, pack_token = pack_send(
        referral=referral, pack=None, resources=resources, actor=caseworker, title="For you"
    )
    cases.append(PrivateLinkCase("pack", pack_url(pack_token), pack_token))

    _, invitation_token = invitation_create(
        organisation=organisation,
        email=INVITED_EMAIL,
        role=Role.CASEWORKER,
        invited_by=coordinator,
        base_url="https://portal.example.org",
    )
    cases.append(PrivateLinkCase("invitation", invitation_url(invitation_token), invitation_token))

    reset_key = default_token_generator.make_token(caseworker)
    uidb36 = user_pk_to_url_str(caseworker)
    cases.append(
        PrivateLinkCase(
            "password reset",
            reverse("account_reset_password_from_key", kwargs={"uidb36": uidb36, "key": reset_key}),
            reset_key,
        )
    )

    address = EmailAddress.objects.create(
        user=coordinator, email="unconfirmed.coordinator@charity.example", verified=False
    )
    confirm_key = EmailConfirmationHMAC(address).key
    cases.append(
        PrivateLinkCase(
            "email confirmation",
            reverse("account_confirm_email", kwargs={"key": confirm_key}),
            confirm_key,
        )
    )
    return cases


def _member(organisation, role, email):
    user = UserFactory(email=email)
    TOTPDeviceFactory(user=user)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def _last_segment(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]

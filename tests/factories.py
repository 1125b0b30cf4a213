"""Factories for the test suite's fixtures."""

import factory
from django.utils.text import slugify
from django_otp.plugins.otp_totp.models import TOTPDevice

from peergroups.models import Group
from portal.accounts.models import User
from portal.organisations.models import (
    AgencyEmailDomain,
    Membership,
    Organisation,
    ReferringAgency,
)
from portal.organisations.roles import Role

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@charity.example")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Family Support Charity {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ReferringAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferringAgency
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Constabulary {n}")

    @factory.post_generation
    def domain(obj, create, extracted, **kwargs):
        if create:
            AgencyEmailDomain.objects.create(agency=obj, domain=extracted or "police.example")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.CASEWORKER


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "Authenticator app"
    confirmed = True


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Peer group {n}")
    audience = Group.Audience.ANY_FAMILY
    format = Group.Format.ZOOM
    capacity = 8


def session_today(group, *, minutes_from_now: int = 20):
    """A one-hour session starting soon, or just started, but always on today's date in
    London, whatever time the tests run (near midnight it starts half an hour ago)."""
    from datetime import timedelta

    from django.utils import timezone

    from peergroups.models import Session

    start = timezone.now() + timedelta(minutes=minutes_from_now)
    if timezone.localtime(start).date() != timezone.localdate():
        start = timezone.now() - timedelta(minutes=30)
    return Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))

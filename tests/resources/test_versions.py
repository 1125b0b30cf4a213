"""Version history: who changed what and when; a sent pack always shows the version sent."""

import pytest
from django.urls import reverse

from resources import services
from resources.models import ResourceVersion
from tests.conftest import sign_in
from tests.referrals.factories import make_referral
from tests.resources.factories import content, make_resource

pytestmark = pytest.mark.django_db


def test_every_change_is_a_version_with_who_what_and_when(organisation_a, coordinator_a):
    resource = make_resource(organisation_a, actor=coordinator_a, body="First words.")
    services.resource_update(
        resource=resource,
        content=content(body="Second words."),
        actor=coordinator_a,
        note="Clearer wording",
    )
    versions = list(resource.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].changed_fields == ["body"]
    assert versions[1].changed_by == coordinator_a
    assert versions[1].change_note == "Clearer wording"
    assert versions[1].changed_at is not None
    assert "First words." in versions[0].body


def test_saving_without_a_change_makes_no_version(organisation_a, coordinator_a):
    resource = make_resource(organisation_a, actor=coordinator_a)
    services.resource_update(resource=resource, content=content(), actor=coordinator_a)
    assert ResourceVersion.objects.filter(resource=resource).count() == 1


def test_versions_cannot_be_rewritten(organisation_a, coordinator_a):
    from portal.core.append_only import AppendOnlyError

    version = make_resource(organisation_a, actor=coordinator_a).versions.get()
    version.body = "rewritten"
    with pytest.raises(AppendOnlyError):
        version.save()


def test_only_a_coordinator_of_the_organisation_can_change_its_resources(
    organisation_a, coordinator_a, caseworker_a, coordinator_b
):
    resource = make_resource(organisation_a, actor=coordinator_a)
    for actor in (caseworker_a, coordinator_b, None):
        with pytest.raises(services.ResourceError):
            services.resource_update(resource=resource, content=content(title="X"), actor=actor)


def test_the_library_cannot_be_changed_by_staff(library, coordinator_a):
    from resources.models import Resource

    resource = Resource.objects.shared().first()
    with pytest.raises(services.ResourceError):
        services.resource_update(resource=resource, content=content(), actor=coordinator_a)


def test_editing_after_sending_leaves_the_sent_version_readable_through_the_delivery(
    client, organisation_a, coordinator_a, caseworker_a
):
    resource = make_resource(
        organisation_a, actor=coordinator_a, title="Our guide", body="The words we sent."
    )
    referral = make_referral(organisation_a, safe_channels=["email"])
    delivery, token = services.pack_send(
        referral=referral, pack=None, resources=[resource], actor=caseworker_a
    )
    services.resource_update(
        resource=resource,
        content=content(title="Our new guide", body="Words written later."),
        actor=coordinator_a,
    )
    # The person's own page
    page = client.get(services.pack_url(token), follow=True).content.decode()
    assert "The words we sent." in page and "Our guide" in page
    assert "Words written later." not in page and "Our new guide" not in page
    # The staff view of the delivery
    sign_in(client, caseworker_a)
    staff = client.get(reverse("resources-staff:delivery", kwargs={"delivery_id": delivery.pk}))
    assert "The words we sent." in staff.content.decode()
    assert "Words written later." not in staff.content.decode()
    # The history still has both, and the current page shows the new one
    version_one = reverse(
        "resources-staff:resource-version", kwargs={"resource_id": resource.pk, "number": 1}
    )
    assert "The words we sent." in client.get(version_one).content.decode()
    detail = reverse("resources-staff:resource-detail", kwargs={"resource_id": resource.pk})
    assert "Words written later." in client.get(detail).content.decode()

"""Public information pages, staff pages, organisation scope and query counts."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from resources import services
from resources.models import Pack, Resource, Signpost
from tests.conftest import sign_in
from tests.referrals.factories import make_referral
from tests.resources.factories import content, make_resource

pytestmark = pytest.mark.django_db


# --- Public pages ----------------------------------------------------------------------


def test_the_information_pages_need_no_sign_in_and_have_quick_exit(client, library):
    resource = Resource.objects.get(slug="police-bail")
    signpost = Signpost.objects.get(key="samaritans")
    for url in (
        reverse("resources:index"),
        reverse("resources:resource", kwargs={"slug": resource.slug}),
        reverse("resources:directory"),
        reverse("resources:signpost", kwargs={"signpost_id": signpost.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Exit this page" in response.content.decode(), url
        assert not response.cookies, url


def link(slug):
    return reverse("resources:resource", kwargs={"slug": slug})


def test_resources_are_searchable_by_stage_and_words(client, library):
    page = client.get(reverse("resources:index"), {"stage": "waiting"}).content.decode()
    assert link("police-bail") in page
    assert link("released-under-investigation") in page
    assert link("the-day-of-the-search") not in page
    page = client.get(reverse("resources:index"), {"q": "requisition"}).content.decode()
    assert link("charge-and-court") in page
    assert link("looking-after-yourself") not in page
    page = client.get(reverse("resources:index"), {"stage": "nonsense", "q": "x" * 500})
    assert page.status_code == 200


def test_the_directory_is_searchable_by_stage(client, library):
    page = client.get(reverse("resources:directory"), {"stage": "third_party"}).content.decode()
    assert "Marie Collins Foundation" in page and "Internet Watch Foundation" in page
    assert "Citizens Advice" not in page
    page = client.get(reverse("resources:directory"), {"q": "childline"}).content.decode()
    assert "0800 1111" in page and "tel:08001111" in page


def test_a_resource_page_ends_with_its_signposts(client, library):
    page = client.get(reverse("resources:resource", kwargs={"slug": "looking-after-yourself"}))
    content = page.content.decode()
    assert "Where to get help" in content
    assert content.index("Where to get help") < content.index("116 123", content.index("Where"))


def test_drafts_and_organisations_own_resources_are_not_public(client, organisation_a):
    draft = make_resource(None, slug="draft-one", status="draft")
    own = make_resource(organisation_a, slug="own-one")
    for resource in (draft, own):
        url = reverse("resources:resource", kwargs={"slug": resource.slug})
        assert client.get(url).status_code == 404
    assert "draft-one" not in client.get(reverse("resources:index")).content.decode()


def test_public_list_pages_use_a_fixed_number_of_queries(
    client, library, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        client.get(reverse("resources:index"))
    with django_assert_max_num_queries(4):
        client.get(reverse("resources:directory"), {"stage": "waiting"})


# --- Staff pages -----------------------------------------------------------------------


@pytest.fixture
def world_a(organisation_a, coordinator_a, caseworker_a):
    """Objects of organisation A that another organisation must never reach."""
    resource = make_resource(organisation_a, actor=coordinator_a, slug="a-resource")
    pack = services.pack_save(
        organisation=organisation_a,
        key="a-pack",
        title="A's pack",
        purpose="For A",
        default_for=[],
        resources=[resource],
        actor=coordinator_a,
    )
    signpost = services.signpost_save(
        organisation=organisation_a,
        key="a-local",
        values={
            "provider": "A",
            "name": "A local",
            "description": "D",
            "phone": "0800 000 000",
            "assured_date": date.today(),
        },
        actor=coordinator_a,
    )
    referral = make_referral(organisation_a, safe_channels=["email", "post"])
    delivery, _ = services.pack_send(
        referral=referral, pack=pack, resources=[resource], actor=caseworker_a
    )
    return {
        "resource_id": resource.pk,
        "pack_id": pack.pk,
        "signpost_id": signpost.pk,
        "referral_id": referral.pk,
        "delivery_id": delivery.pk,
        "number": 1,
    }


STAFF_URLS_WITH_IDS = [
    ("resources-staff:resource-detail", ["resource_id"], "get"),
    ("resources-staff:resource-edit", ["resource_id"], "get"),
    ("resources-staff:resource-edit", ["resource_id"], "post"),
    ("resources-staff:resource-version", ["resource_id", "number"], "get"),
    ("resources-staff:pack-detail", ["pack_id"], "get"),
    ("resources-staff:pack-edit", ["pack_id"], "get"),
    ("resources-staff:pack-edit", ["pack_id"], "post"),
    ("resources-staff:signpost-edit", ["signpost_id"], "get"),
    ("resources-staff:signpost-edit", ["signpost_id"], "post"),
    ("resources-staff:pack-send", ["referral_id"], "get"),
    ("resources-staff:pack-send", ["referral_id"], "post"),
    ("resources-staff:referral-deliveries", ["referral_id"], "get"),
    ("resources-staff:delivery", ["delivery_id"], "get"),
    ("resources-staff:delivery-revoke", ["delivery_id"], "post"),
    ("resources-staff:delivery-pdf", ["delivery_id"], "get"),
]


@pytest.mark.parametrize(("name", "keys", "method"), STAFF_URLS_WITH_IDS)
def test_another_organisations_ids_answer_404(client, world_a, coordinator_b, name, keys, method):
    sign_in(client, coordinator_b)
    url = reverse(name, kwargs={key: world_a[key] for key in keys})
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize(("name", "keys", "method"), STAFF_URLS_WITH_IDS)
def test_the_organisations_own_staff_reach_them(client, world_a, coordinator_a, name, keys, method):
    from tests.factories import MembershipFactory

    MembershipFactory(user=coordinator_a, organisation=world_a_org(world_a), role="caseworker")
    sign_in(client, coordinator_a)
    url = reverse(name, kwargs={key: world_a[key] for key in keys})
    response = getattr(client, method)(url)
    assert response.status_code in (200, 302, 400), (name, response.status_code)


def world_a_org(world_a):
    return Resource.objects.get(pk=world_a["resource_id"]).organisation


def test_the_library_is_read_only_for_staff(client, library, coordinator_a):
    resource = Resource.objects.get(slug="police-bail")
    pack = Pack.objects.get(key="waiting-for-a-decision")
    sign_in(client, coordinator_a)
    detail = reverse("resources-staff:resource-detail", kwargs={"resource_id": resource.pk})
    assert client.get(detail).status_code == 200
    assert (
        client.get(
            reverse("resources-staff:resource-edit", kwargs={"resource_id": resource.pk})
        ).status_code
        == 404
    )
    assert (
        client.get(reverse("resources-staff:pack-edit", kwargs={"pack_id": pack.pk})).status_code
        == 404
    )


def test_caseworkers_send_but_only_coordinators_write(client, caseworker_a, world_a):
    sign_in(client, caseworker_a)
    for name in ("resource-new", "pack-new", "signpost-new", "signpost-import", "review-due"):
        assert client.get(reverse(f"resources-staff:{name}")).status_code == 403, name
    assert (
        client.get(
            reverse("resources-staff:resource-edit", kwargs={"resource_id": world_a["resource_id"]})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("resources-staff:pack-send", kwargs={"referral_id": world_a["referral_id"]})
        ).status_code
        == 200
    )


def test_a_coordinator_adds_and_edits_a_resource_through_the_pages(
    client, coordinator_a, organisation_a
):
    sign_in(client, coordinator_a)
    data = {
        "title": "Our local guide",
        "slug": "our-local-guide",
        "summary": "A summary.",
        "body": "## Heading\n\nWords.",
        "stages": ["waiting", "practical"],
        "audiences": ["partners"],
        "last_checked": "2026-11-30",  # the form asks when it was checked, not a review date
        "status": "published",
    }
    response = client.post(reverse("resources-staff:resource-new"), data)
    assert response.status_code == 302
    resource = Resource.objects.get(slug="our-local-guide")
    assert resource.organisation == organisation_a and resource.version == 1
    edit = reverse("resources-staff:resource-edit", kwargs={"resource_id": resource.pk})
    response = client.post(edit, {**data, "title": "Our better guide", "change_note": "Title"})
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.version == 2 and resource.title == "Our better guide"
    page = client.get(
        reverse("resources-staff:resource-detail", kwargs={"resource_id": resource.pk})
    ).content.decode()
    assert "Version history" in page and "title \u2013 Title" in page


def test_a_coordinator_makes_a_pack_with_an_order(client, library, coordinator_a, organisation_a):
    sign_in(client, coordinator_a)
    first = Resource.objects.get(slug="looking-after-yourself")
    second = Resource.objects.get(slug="police-bail")
    response = client.post(
        reverse("resources-staff:pack-new"),
        {
            "title": "Ours",
            "purpose": "A test",
            "default_for": ["on_bail"],
            f"order_{first.pk}": "2",
            f"order_{second.pk}": "1",
        },
    )
    assert response.status_code == 302
    pack = Pack.objects.get(organisation=organisation_a)
    assert [i.resource.slug for i in pack.items.all()] == ["police-bail", "looking-after-yourself"]
    empty = client.post(reverse("resources-staff:pack-new"), {"title": "E", "purpose": "E"})
    assert empty.status_code == 400
    assert "Give at least one resource a position." in empty.content.decode()


def test_resources_past_review_are_listed_for_coordinators(
    client, organisation_a, coordinator_a, organisation_b
):
    overdue = make_resource(
        organisation_a,
        actor=coordinator_a,
        title="Overdue one",
        review_by=date.today() - timedelta(days=1),
    )
    make_resource(organisation_a, actor=coordinator_a, title="Fresh one")
    make_resource(organisation_b, title="Someone else's overdue", review_by=date(2020, 1, 1))
    make_resource(None, slug="old-library", title="Old library page", review_by=date(2020, 1, 1))
    sign_in(client, coordinator_a)
    page = client.get(reverse("resources-staff:review-due")).content.decode()
    assert "Overdue one" in page and "Old library page" in page
    assert "Fresh one" not in page and "Someone else" not in page
    services.resource_update(
        resource=overdue,
        content=content(title="Overdue one", review_by=date.today() + timedelta(days=90)),
        actor=coordinator_a,
    )
    assert "Overdue one" not in client.get(reverse("resources-staff:review-due")).content.decode()


def test_staff_list_pages_use_a_bounded_number_of_queries(
    client, library, world_a, coordinator_a, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=coordinator_a, organisation=world_a_org(world_a), role="caseworker")
    for n in range(5):
        make_resource(world_a_org(world_a), actor=coordinator_a, slug=f"extra-{n}")
    sign_in(client, coordinator_a)
    # Session, user and navigation take a few; the rest must not grow with the rows.
    for name, limit in (
        ("resources-staff:resource-list", 8),
        ("resources-staff:pack-list", 8),
        ("resources-staff:signpost-list", 7),
        ("resources-staff:review-due", 7),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(reverse(name)).status_code == 200
    referral = {"referral_id": world_a["referral_id"]}
    for url, limit in (
        (reverse("resources-staff:referral-deliveries", kwargs=referral), 8),
        (reverse("resources-staff:delivery", kwargs={"delivery_id": world_a["delivery_id"]}), 9),
        (reverse("resources-staff:pack-send", kwargs=referral), 13),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200


def test_viewing_and_sending_are_audited(client, world_a, caseworker_a):
    from portal.audit.models import AuditEvent

    sign_in(client, caseworker_a)
    client.get(reverse("resources-staff:delivery", kwargs={"delivery_id": world_a["delivery_id"]}))
    events = AuditEvent.objects.filter(target_id=str(world_a["referral_id"]))
    assert events.filter(action="viewed", detail__page="delivery").exists()
    assert events.filter(action="changed", detail__change="pack_sent").exists()

"""Finding a person from the queue: one box, by reference, email, phone or name.

Names are found through the blind index of word hashes only (never by reading names);
only the caseworker's own organisations are searched; each search is audited with its
kind and count, never what was typed; the search and filters survive paging and the way
back from a referral's page; the query count does not grow with the queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.audit.models import AuditEvent
from referrals.anonymisation import referrals_anonymise
from referrals.erasure import person_erase
from referrals.models import Referral, ReferralNameToken
from referrals.name_index import name_index_rebuild, name_words, normalise_name
from referrals.services import referral_transition
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
QUEUE = reverse("referrals:queue")


def found(client, typed, **filters) -> str:
    response = client.get(QUEUE, {"reference": typed, **filters})
    assert response.status_code == 200
    return response.content.decode()


def test_names_are_normalised_before_they_are_hashed():
    assert normalise_name("  Sám   JÖNES-Smith ") == "sam jones smith"
    assert normalise_name("Siobhán O\u2019Brien") == "siobhan obrien"
    assert normalise_name("STRASSE") == normalise_name("straße")
    assert name_words("Sam Sam Jones") == ["sam", "jones"]


def test_the_index_holds_hashes_never_the_name(organisation_a):
    person = make_referral(organisation_a, full_name="Sam Jones")
    stored = list(ReferralNameToken.objects.filter(referral=person).values_list("hash", flat=True))
    assert len(stored) == 2
    assert all(len(h) == 64 and "sam" not in h and "jones" not in h for h in stored)


@pytest.mark.parametrize(
    "typed", ["Sam Jones", "jones", "SAM", "  sam   jones ", "Jönes", "jones sam"]
)
def test_a_name_finds_the_person_by_any_of_their_names(client, organisation_a, caseworker_a, typed):
    person = make_referral(organisation_a, full_name="Sam Jones")
    other = make_referral(organisation_a, full_name="Sam Taylor")
    sign_in(client, caseworker_a)
    page = found(client, typed)
    assert person.reference in page
    if "jones" in typed.lower() or "jönes" in typed.lower():
        assert other.reference not in page


def test_every_word_searched_must_be_one_of_their_names(client, organisation_a, caseworker_a):
    make_referral(organisation_a, full_name="Sam Jones")
    sign_in(client, caseworker_a)
    page = found(client, "Sam Smith")
    assert "0 referrals" in page
    # Part of a word is not a match: the index holds whole words only.
    assert "0 referrals" in found(client, "jon")


def test_email_and_phone_are_found_exactly_through_their_hashes(
    client, organisation_a, caseworker_a
):
    person = make_referral(organisation_a, email="Kim@Example.org", phone="07700 900123")
    sign_in(client, caseworker_a)
    assert person.reference in found(client, "kim@example.org ")
    assert person.reference in found(client, "+44 7700 900123")
    assert person.reference in found(client, "07700900123")
    assert "0 referrals" in found(client, "kim@example.com")
    assert "0 referrals" in found(client, "07700 900124")


def test_a_reference_is_found_however_it_is_typed_and_shown_back_in_its_one_form(
    client, organisation_a, caseworker_a, coordinator_a
):
    person = make_referral(organisation_a)
    referral_transition(
        referral=person, to_state="closed", close_reason="unreachable", actor=coordinator_a
    )
    sign_in(client, caseworker_a)
    typed = person.reference.replace("-", " ").lower()
    page = found(client, typed)
    assert f'value="{person.reference}"' in page
    assert reverse("referrals:detail", kwargs={"referral_id": person.pk}) in page


def test_only_the_caseworkers_organisations_are_searched(
    client, organisation_a, organisation_b, caseworker_a
):
    ours = make_referral(organisation_a, full_name="Sam Jones", phone="07700 900123")
    theirs = make_referral(organisation_b, full_name="Sam Jones", phone="07700 900123")
    sign_in(client, caseworker_a)
    for typed in ("Sam Jones", "07700 900123", theirs.reference, theirs.email):
        page = found(client, typed)
        assert reverse("referrals:detail", kwargs={"referral_id": theirs.pk}) not in page, typed
        assert "0 referrals" in page or "1 referral" in page
    assert ours.reference in found(client, "Sam Jones")


def test_each_search_is_audited_with_its_kind_and_count_never_the_words(
    client, organisation_a, caseworker_a
):
    make_referral(organisation_a, full_name="Sam Jones", email="sam@example.org")
    make_referral(organisation_a, full_name="Ali Jones")
    sign_in(client, caseworker_a)
    for typed, kind, results in [
        ("jones", "name", 2),
        ("sam@example.org", "email", 1),
        ("07700 900999", "phone", 0),
    ]:
        found(client, typed)
        row = AuditEvent.objects.filter(detail__page="referral search").latest("at", "id")
        assert row.actor == caseworker_a
        assert row.organisation == organisation_a
        assert row.detail == {"page": "referral search", "search": kind, "results": results}
        assert typed not in str(row.detail)


def test_a_search_looks_at_every_status_unless_one_is_chosen(
    client, organisation_a, caseworker_a, coordinator_a
):
    closed = make_referral(organisation_a, full_name="Sam Jones")
    referral_transition(
        referral=closed, to_state="closed", close_reason="unreachable", actor=coordinator_a
    )
    sign_in(client, caseworker_a)
    assert closed.reference in found(client, "jones")
    assert closed.reference not in found(client, "jones", state="new")


def test_the_search_and_filters_survive_paging_and_coming_back(
    client, organisation_a, caseworker_a
):
    people = [make_referral(organisation_a, full_name=f"Sam Jones{n % 1} Lee") for n in range(30)]
    make_referral(organisation_a, full_name="Ali Khan")
    sign_in(client, caseworker_a)
    page = found(client, "lee", source="self")
    assert "30 referrals" in page
    assert "reference=lee&amp;source=self&amp;page=2" in page.replace("state=open&amp;", "")
    second = client.get(QUEUE, {"reference": "lee", "source": "self", "page": 2}).content.decode()
    assert "Page 2 of 2" in second
    # The referral's page links back to the same search, filters and page.
    link = next(
        f"/staff/referrals/{p.pk}/?back="
        for p in people
        if f"/staff/referrals/{p.pk}/?back=" in second
    )
    start = second.index(link)
    href = second[start : second.index('"', start)].replace("&amp;", "&")
    detail = client.get(href).content.decode()
    assert "reference=lee" in detail and "source=self" in detail and "page=2" in detail


def test_the_way_back_leads_only_to_the_queue(client, organisation_a, caseworker_a):
    person = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    url = reverse("referrals:detail", kwargs={"referral_id": person.pk})
    page = client.get(url, {"back": "next=https://evil.example&state=new"}).content.decode()
    assert f'href="{QUEUE}?state=new"' in page
    assert "evil.example" not in page


def test_the_name_index_is_cleared_by_anonymisation_and_erasure(
    client, organisation_a, caseworker_a, coordinator_a
):
    anonymised = make_referral(organisation_a, full_name="Sam Jones")
    erased = make_referral(organisation_a, full_name="Sam Jones")
    referrals_anonymise(referral_ids=[anonymised.pk])
    person_erase(referral=erased, actor=coordinator_a)
    assert not ReferralNameToken.objects.exists()
    sign_in(client, caseworker_a)
    assert "0 referrals" in found(client, "Sam Jones")


def test_referrals_made_in_bulk_are_indexed_and_the_rebuild_rewrites_every_row(organisation_a):
    from portal.operations.bench_data import bench_referral

    Referral.objects.bulk_create(
        [
            bench_referral(
                organisation=organisation_a, reference=f"BULK{n:04d}", full_name=f"Pat Bulk{n}"
            )
            for n in range(3)
        ]
    )
    assert ReferralNameToken.objects.count() == 6
    ReferralNameToken.objects.all().delete()
    assert name_index_rebuild(batch_size=2) == 3
    assert ReferralNameToken.objects.count() == 6


@pytest.mark.parametrize("size", [5, 50])
def test_search_runs_the_same_number_of_queries_at_any_size(
    client, organisation_a, caseworker_a, django_assert_num_queries, size
):
    for n in range(size):
        make_referral(organisation_a, full_name=f"Sam Jones {n}", phone=f"07700 9{n:05d}")
    sign_in(client, caseworker_a)
    client.get(QUEUE)  # the session's first read of memberships is cached after this
    for typed in ("Sam Jones", "07700 900001", "sam jones 1"):
        # Measured: session, user, device, memberships, the page, its count, the staff
        # for the filter, the organisations searched, the search's audit row and the
        # page's audit row: 10, however many people match or are held.
        with django_assert_num_queries(10):
            assert client.get(QUEUE, {"reference": typed}).status_code == 200

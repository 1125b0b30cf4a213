"""Keeping two people apart in groups, set from either person's referral page: found by
the other's reference in any form within the organisation, with an encrypted reason, on
both timelines, audited, shown on both pages, removable, and enforced on offers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from peergroups.keep_apart import KeepApartError, keep_apart_add, keep_apart_remove
from peergroups.models import KeepApart
from peergroups.services import PeerGroupError, booking_confirm, booking_offer
from portal.audit.models import AuditEvent
from referrals.models import ReferralEvent
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
REASON = "Partners of the same person"


def test_a_pair_is_set_by_the_others_reference_in_any_form(organisation_a, caseworker_a):
    one = make_referral(organisation_a)
    two = make_referral(organisation_a)
    typed = two.reference.replace("-", " ").lower()
    pair = keep_apart_add(referral=one, other_reference=typed, reason=REASON, actor=caseworker_a)
    assert {pair.first_id, pair.second_id} == {one.pk, two.pk}
    assert KeepApart.objects.get().reason == REASON
    with connection.cursor() as cursor:
        cursor.execute("SELECT reason FROM peergroups_keepapart")
        assert REASON not in cursor.fetchone()[0]  # encrypted at rest
    for referral, other in ((one, two), (two, one)):
        event = ReferralEvent.objects.get(referral=referral, kind="kept_apart")
        assert event.detail == {"other_reference": other.reference}
        assert AuditEvent.objects.filter(
            target_id=str(referral.pk), detail__change="keep_apart", detail__keep_apart="added"
        ).exists()


@pytest.mark.parametrize(
    ("typed", "reason", "field", "words"),
    [
        ("", REASON, "other_reference", "Enter the other person's reference"),
        ("ZZZZ-9999", REASON, "other_reference", "No referral of"),
        ("OWN", REASON, "other_reference", "own reference"),
        ("OTHER", "  ", "reason", "Say why"),
    ],
)
def test_what_cannot_be_set_is_refused_beside_its_field(
    organisation_a, caseworker_a, typed, reason, field, words
):
    one = make_referral(organisation_a)
    two = make_referral(organisation_a)
    typed = {"OWN": one.reference, "OTHER": two.reference}.get(typed, typed)
    with pytest.raises(KeepApartError) as refused:
        keep_apart_add(referral=one, other_reference=typed, reason=reason, actor=caseworker_a)
    assert refused.value.field == field and words in str(refused.value)
    assert not KeepApart.objects.exists()


def test_another_organisations_reference_is_not_found(organisation_a, organisation_b, caseworker_a):
    ours = make_referral(organisation_a)
    theirs = make_referral(organisation_b)
    with pytest.raises(KeepApartError, match="No referral of"):
        keep_apart_add(
            referral=ours, other_reference=theirs.reference, reason=REASON, actor=caseworker_a
        )


def test_the_same_pair_twice_is_refused_plainly(organisation_a, caseworker_a):
    one = make_referral(organisation_a)
    two = make_referral(organisation_a)
    keep_apart_add(referral=one, other_reference=two.reference, reason=REASON, actor=caseworker_a)
    with pytest.raises(KeepApartError, match="already kept apart"):
        keep_apart_add(
            referral=two, other_reference=one.reference, reason=REASON, actor=caseworker_a
        )


def test_a_pair_is_enforced_on_offers(organisation_a, caseworker_a):
    one = make_referral(organisation_a)
    two = make_referral(organisation_a)
    group = GroupFactory(organisation=organisation_a)
    booking_confirm(booking=booking_offer(group=group, referral=one, actor=caseworker_a))
    keep_apart_add(referral=two, other_reference=one.reference, reason=REASON, actor=caseworker_a)
    with pytest.raises(PeerGroupError, match="kept apart"):
        booking_offer(group=group, referral=two, actor=caseworker_a)


def test_removing_a_pair_is_audited_and_lifts_it(organisation_a, caseworker_a):
    one = make_referral(organisation_a)
    two = make_referral(organisation_a)
    pair = keep_apart_add(
        referral=one, other_reference=two.reference, reason=REASON, actor=caseworker_a
    )
    keep_apart_remove(referral=two, pair_id=pair.pk, actor=caseworker_a)
    assert not KeepApart.objects.exists()
    for referral in (one, two):
        assert ReferralEvent.objects.filter(referral=referral, kind="kept_apart_ended").exists()
        assert AuditEvent.objects.filter(
            target_id=str(referral.pk), detail__keep_apart="removed"
        ).exists()
    with pytest.raises(KeepApartError, match="no longer kept apart"):
        keep_apart_remove(referral=one, pair_id=pair.pk, actor=caseworker_a)


def test_a_pair_is_set_shown_on_both_pages_and_removed_through_the_pages(
    client, organisation_a, caseworker_a
):
    one = make_referral(organisation_a, full_name="Sam Jones")
    two = make_referral(organisation_a, full_name="Ali Jones")
    sign_in(client, caseworker_a)
    url = reverse("referrals:keep-apart", kwargs={"referral_id": one.pk})
    refused = client.post(url, {"keep-apart-other_reference": "ZZZZ 9999", "keep-apart-reason": ""})
    assert refused.status_code == 400
    assert 'id="id_keep-apart-reason_error"' in refused.content.decode()
    refused = client.post(
        url, {"keep-apart-other_reference": "ZZZZ 9999", "keep-apart-reason": REASON}
    )
    assert refused.status_code == 400
    content = refused.content.decode()
    assert 'id="id_keep-apart-other_reference_error"' in content
    assert "No referral of Organisation A has the reference ZZZZ-9999" in content
    response = client.post(
        url,
        {"keep-apart-other_reference": two.reference.lower(), "keep-apart-reason": REASON},
    )
    assert response.status_code == 302
    for referral, other in ((one, two), (two, one)):
        page = client.get(reverse("referrals:detail", kwargs={"referral_id": referral.pk}))
        content = page.content.decode()
        assert other.reference in content and REASON in content
        # Not the other's name: that is behind their own page and its reason for access.
        assert other.full_name not in content
    pair = KeepApart.objects.get()
    client.post(
        reverse("referrals:keep-apart-remove", kwargs={"referral_id": two.pk}),
        {"pair": pair.pk},
    )
    assert not KeepApart.objects.exists()


def test_another_organisation_cannot_reach_the_pages(client, organisation_a, caseworker_b):
    one = make_referral(organisation_a)
    sign_in(client, caseworker_b)
    url = reverse("referrals:keep-apart", kwargs={"referral_id": one.pk})
    assert client.post(url, {}).status_code == 404
